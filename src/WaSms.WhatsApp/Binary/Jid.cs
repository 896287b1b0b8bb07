using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace WaSms.WhatsApp.Binary;

/// <summary>
/// A WhatsApp address: user, server, and optionally a device, a raw agent and an interop integrator.
/// </summary>
/// <remarks>
/// Text forms (docs/protocol/binary-nodes.md §5), and <see cref="Parse"/> reads back what
/// <see cref="ToString"/> writes:
/// <list type="bullet">
/// <item><c>15551234567@s.whatsapp.net</c>: a user (JID_PAIR on the wire).</item>
/// <item><c>15551234567:3@s.whatsapp.net</c>, <c>123456789012345:7@lid</c>, <c>1555:99@hosted</c>:
/// a device (AD_JID). <c>:0</c> is kept: it is a device written as AD_JID, unlike the plain user.</item>
/// <item><c>@s.whatsapp.net</c>, <c>@g.us</c>: a server address (JID_PAIR with an empty user).
/// whatsmeow prints these without the <c>@</c>; we keep Baileys' <c>@</c> so that the text is
/// unambiguous (a bare <c>s.whatsapp.net</c> is the token string). <see cref="Parse"/> accepts both.</item>
/// <item><c>15551234567.5:2@s.whatsapp.net</c>: a raw agent (an AD_JID domain byte that names no server),
/// whatsmeow's form.</item>
/// <item><c>123:4@msgr</c> (FB_JID) and <c>7-123:4@interop</c> (INTEROP_JID, integrator first, Baileys' form).</item>
/// </list>
/// </remarks>
public sealed class Jid : IEquatable<Jid>
{
    /// <summary>Creates a JID and checks that it can be written and read back.</summary>
    /// <param name="user">The user part; empty for a server address. No '@' or ':'.</param>
    /// <param name="server">The server, e.g. <see cref="JidServer.WhatsApp"/>. Not empty, no '@'.</param>
    /// <param name="device">The device, or null for none. Allowed on s.whatsapp.net, lid, hosted and
    /// hosted.lid (0-255), msgr and interop (0-65535).</param>
    /// <param name="agent">A raw agent byte; only with a device on s.whatsapp.net, and never 1, 128 or 129
    /// (those are domain bytes).</param>
    /// <param name="integrator">The interop integrator; only on interop.</param>
    /// <exception cref="ArgumentException">The parts cannot form a JID that round-trips.</exception>
    public Jid(string user, string server, ushort? device = null, byte agent = 0, ushort integrator = 0)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(server);
        string? problem = Validate(user, server, device, agent, integrator);
        if (problem is not null)
        {
            throw new ArgumentException($"Invalid JID: {problem}.", nameof(user));
        }

        User = user;
        Server = server;
        Device = device;
        Agent = agent;
        Integrator = integrator;
    }

    private Jid(string user, string server, ushort? device, byte agent, ushort integrator, bool validated)
    {
        Debug.Assert(validated, "callers validate first");
        User = user;
        Server = server;
        Device = device;
        Agent = agent;
        Integrator = integrator;
    }

    /// <summary>The server address <c>@s.whatsapp.net</c>.</summary>
    public static Jid WhatsAppServer { get; } = new(string.Empty, JidServer.WhatsApp);

    /// <summary>The group server address <c>@g.us</c>.</summary>
    public static Jid GroupServer { get; } = new(string.Empty, JidServer.Group);

    /// <summary>The user part; empty for a server address.</summary>
    public string User { get; }

    /// <summary>The server, e.g. <c>s.whatsapp.net</c>, <c>lid</c>, <c>g.us</c>.</summary>
    public string Server { get; }

    /// <summary>The device, or null when the JID names a user rather than one of its devices.</summary>
    public ushort? Device { get; }

    /// <summary>A raw agent from an AD_JID whose domain byte names no server; 0 when there is none.</summary>
    public byte Agent { get; }

    /// <summary>The interop integrator; 0 unless <see cref="Server"/> is <c>interop</c>.</summary>
    public ushort Integrator { get; }

    /// <summary>True for a server address such as <c>@s.whatsapp.net</c> (no user, no device).</summary>
    public bool IsServerAddress => User.Length == 0 && Device is null && Integrator == 0;

    /// <summary>Creates the server address for <paramref name="server"/>, e.g. <c>@g.us</c>.</summary>
    public static Jid ForServer(string server) => new(string.Empty, server);

    /// <summary>Parses any text form that <see cref="ToString"/> writes, plus a bare server name.</summary>
    /// <exception cref="FormatException">The text is not a JID.</exception>
    public static Jid Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!TryParse(text, out Jid? jid, out string? problem))
        {
            throw new FormatException($"'{text}' is not a JID: {problem}.");
        }

        return jid;
    }

    /// <summary>Parses a JID; returns false instead of throwing.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out Jid? jid) =>
        TryParse(text, out jid, out _);

    /// <summary>The text form described on the type; <see cref="Parse"/> reads it back.</summary>
    public override string ToString()
    {
        if (IsServerAddress)
        {
            return "@" + Server;
        }

        string device = Device is { } d ? ":" + d.ToString(CultureInfo.InvariantCulture) : string.Empty;
        if (Server == JidServer.Interop)
        {
            return $"{Integrator.ToString(CultureInfo.InvariantCulture)}-{User}{device}@{Server}";
        }

        if (Agent != 0)
        {
            return $"{User}.{Agent.ToString(CultureInfo.InvariantCulture)}{device}@{Server}";
        }

        return $"{User}{device}@{Server}";
    }

    /// <inheritdoc />
    public bool Equals(Jid? other) =>
        other is not null
        && string.Equals(User, other.User, StringComparison.Ordinal)
        && string.Equals(Server, other.Server, StringComparison.Ordinal)
        && Device == other.Device
        && Agent == other.Agent
        && Integrator == other.Integrator;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Jid other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() =>
        HashCode.Combine(StringComparer.Ordinal.GetHashCode(User), StringComparer.Ordinal.GetHashCode(Server), Device, Agent, Integrator);

    /// <summary>Value equality.</summary>
    public static bool operator ==(Jid? left, Jid? right) => left is null ? right is null : left.Equals(right);

    /// <summary>Value inequality.</summary>
    public static bool operator !=(Jid? left, Jid? right) => !(left == right);

    /// <summary>Creates a JID from decoded wire parts, or returns the reason they do not form one.</summary>
    internal static Jid? TryCreate(string user, string server, ushort? device, byte agent, ushort integrator, out string? problem)
    {
        problem = Validate(user, server, device, agent, integrator);
        return problem is null ? new Jid(user, server, device, agent, integrator, validated: true) : null;
    }

    private static bool TryParse(string? text, [NotNullWhen(true)] out Jid? jid, [NotNullWhen(false)] out string? problem)
    {
        jid = null;
        if (string.IsNullOrEmpty(text))
        {
            problem = "it is empty";
            return false;
        }

        int at = text.IndexOf('@', StringComparison.Ordinal);
        if (at < 0)
        {
            // whatsmeow's form of a server address: the bare server name.
            return Finish(string.Empty, text, null, 0, 0, out jid, out problem);
        }

        if (text.IndexOf('@', at + 1) >= 0)
        {
            problem = "it has more than one '@'";
            return false;
        }

        string server = text[(at + 1)..];
        string user = text[..at];
        ushort integrator = 0;
        if (server == JidServer.Interop)
        {
            int dash = user.IndexOf('-', StringComparison.Ordinal);
            if (dash > 0 && TryParseNumber(user.AsSpan(0, dash), ushort.MaxValue, out int value))
            {
                integrator = (ushort)value;
                user = user[(dash + 1)..];
            }
        }

        if (!TryTakeNumber(ref user, user.IndexOf(':', StringComparison.Ordinal), ushort.MaxValue, out int? deviceNumber))
        {
            problem = "the device after ':' is not a number from 0 to 65535";
            return false;
        }

        if (!TryTakeNumber(ref user, server == JidServer.WhatsApp ? user.LastIndexOf('.') : -1, byte.MaxValue, out int? agentNumber))
        {
            problem = "the agent after '.' is not a number from 0 to 255";
            return false;
        }

        byte agent = (byte)(agentNumber ?? 0);
        if (agentNumber is not null && (agent == 0 || JidServer.IsDomainByte(agent)))
        {
            problem = $"agent {agent} is a domain byte, not a raw agent";
            return false;
        }

        return Finish(user, server, (ushort?)deviceNumber, agent, integrator, out jid, out problem);
    }

    /// <summary>
    /// Takes the number after the separator at <paramref name="at"/> off the end of <paramref name="user"/>
    /// ("123:4" → "123", 4). No separator (<paramref name="at"/> &lt; 0) gives true and null; a number that
    /// is not one from 0 to <paramref name="max"/> gives false and leaves <paramref name="user"/> as it was.
    /// </summary>
    private static bool TryTakeNumber(ref string user, int at, int max, out int? number)
    {
        number = null;
        if (at < 0)
        {
            return true;
        }

        if (!TryParseNumber(user.AsSpan(at + 1), max, out int value))
        {
            return false;
        }

        number = value;
        user = user[..at];
        return true;
    }

    private static bool Finish(string user, string server, ushort? device, byte agent, ushort integrator,
        [NotNullWhen(true)] out Jid? jid, [NotNullWhen(false)] out string? problem)
    {
        jid = TryCreate(user, server, device, agent, integrator, out problem);
        if (jid is null)
        {
            problem ??= "invalid";
            return false;
        }

        return true;
    }

    private static bool TryParseNumber(ReadOnlySpan<char> digits, int max, out int value)
    {
        value = 0;
        if (digits.Length is 0 or > 5)
        {
            return false;
        }

        foreach (char c in digits)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        return value <= max;
    }

    private static string? Validate(string user, string server, ushort? device, byte agent, ushort integrator)
    {
        if (server.Length == 0)
        {
            return "the server is empty";
        }

        if (server.Contains('@', StringComparison.Ordinal))
        {
            return $"the server '{server}' contains '@'";
        }

        if (user.Contains('@', StringComparison.Ordinal) || user.Contains(':', StringComparison.Ordinal))
        {
            return $"the user '{user}' contains '@' or ':'";
        }

        if (server == JidServer.WhatsApp && user.Contains('.', StringComparison.Ordinal))
        {
            return $"the user '{user}' on {server} contains '.', which separates a raw agent";
        }

        if (device is { } d)
        {
            if (JidServer.IsAdServer(server))
            {
                if (d > byte.MaxValue)
                {
                    return $"device {d} on {server} does not fit the one-byte AD_JID device";
                }
            }
            else if (server is not (JidServer.Messenger or JidServer.Interop))
            {
                return $"a device is only valid on s.whatsapp.net, lid, hosted, hosted.lid, msgr and interop, not on {server}";
            }
        }

        if (agent != 0)
        {
            if (server != JidServer.WhatsApp || device is null)
            {
                return "a raw agent needs a device on s.whatsapp.net";
            }

            if (JidServer.IsDomainByte(agent))
            {
                return $"agent {agent} is a domain byte, not a raw agent";
            }
        }

        if (integrator != 0 && server != JidServer.Interop)
        {
            return "an integrator is only valid on interop";
        }

        return null;
    }
}
