namespace WaSms.WhatsApp.Binary;

/// <summary>
/// The JID servers WhatsApp uses, and the AD-JID domain bytes that stand for some of them.
/// Source: docs/protocol/binary-nodes.md §5 (whatsmeow types/jid.go, Baileys src/WABinary/jid-utils.ts).
/// </summary>
public static class JidServer
{
    /// <summary>Phone-number ("PN") users: <c>15551234567@s.whatsapp.net</c>.</summary>
    public const string WhatsApp = "s.whatsapp.net";

    /// <summary>Linked-identity (LID) users: <c>123456789012345:7@lid</c>.</summary>
    public const string Lid = "lid";

    /// <summary>Groups: <c>120363012345678901@g.us</c>.</summary>
    public const string Group = "g.us";

    /// <summary>Broadcast lists; <c>status@broadcast</c> is the status feed.</summary>
    public const string Broadcast = "broadcast";

    /// <summary>Channels.</summary>
    public const string Newsletter = "newsletter";

    /// <summary>Legacy user server.</summary>
    public const string LegacyUser = "c.us";

    /// <summary>Hosted (business platform) phone-number devices.</summary>
    public const string Hosted = "hosted";

    /// <summary>Hosted (business platform) LID devices.</summary>
    public const string HostedLid = "hosted.lid";

    /// <summary>Bots.</summary>
    public const string Bot = "bot";

    /// <summary>Messenger users; written as FB_JID (tag 246) with a 16-bit device.</summary>
    public const string Messenger = "msgr";

    /// <summary>Interop users; written as INTEROP_JID (tag 245) with a 16-bit device and integrator.</summary>
    public const string Interop = "interop";

    /// <summary>AD-JID domain byte for <see cref="WhatsApp"/>.</summary>
    internal const byte WhatsAppDomain = 0;

    /// <summary>AD-JID domain byte for <see cref="Lid"/>.</summary>
    internal const byte LidDomain = 1;

    /// <summary>AD-JID domain byte for <see cref="Hosted"/>.</summary>
    internal const byte HostedDomain = 128;

    /// <summary>AD-JID domain byte for <see cref="HostedLid"/>.</summary>
    internal const byte HostedLidDomain = 129;

    /// <summary>True for the servers an AD_JID can name (the ones with a domain byte).</summary>
    internal static bool IsAdServer(string server) =>
        server is WhatsApp or Lid or Hosted or HostedLid;

    /// <summary>True for a domain byte that names a server rather than a raw agent.</summary>
    internal static bool IsDomainByte(byte value) =>
        value is WhatsAppDomain or LidDomain or HostedDomain or HostedLidDomain;

    /// <summary>The server an AD_JID domain byte stands for; other values are raw agents on s.whatsapp.net.</summary>
    internal static string ServerForDomain(byte domain) => domain switch
    {
        LidDomain => Lid,
        HostedDomain => Hosted,
        HostedLidDomain => HostedLid,
        _ => WhatsApp,
    };

    /// <summary>The AD_JID domain byte for a server that <see cref="IsAdServer"/> accepts.</summary>
    internal static byte DomainForServer(string server, byte rawAgent) => server switch
    {
        Lid => LidDomain,
        Hosted => HostedDomain,
        HostedLid => HostedLidDomain,
        _ => rawAgent,
    };
}
