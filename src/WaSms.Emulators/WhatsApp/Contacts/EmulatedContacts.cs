using System.Collections.Concurrent;
using WaSms.Emulators.WhatsApp.Accounts;
using WaSms.Emulators.WhatsApp.Groups;
using WaSms.WhatsApp.Binary;

namespace WaSms.Emulators.WhatsApp.Contacts;

/// <summary>
/// People who talk to the account under test, for dev mode and tests: each is a WhatsApp account
/// whose phone (device 0) the emulator plays with real Signal sessions (<see cref="PlayedPhone"/>).
/// They send texts 1:1 and to groups, answer delivery receipts at once and read receipts when their
/// inbox is read. <see cref="AddDevDefaults"/> makes dev mode's Alice, Bob and their group "Team".
/// </summary>
public sealed class EmulatedContacts
{
    private readonly WaEmulator _emulator;
    private readonly ConcurrentDictionary<string, string> _names = new(StringComparer.Ordinal);

    internal EmulatedContacts(WaEmulator emulator) => _emulator = emulator;

    /// <summary>The number (digits or <c>+E164</c>) of the account the contacts talk to; set by <see cref="AddDevDefaults"/>.</summary>
    public string? AccountNumber { get; set; }

    /// <summary>True (the default) to address 1:1 messages by LID, as WhatsApp now does; false for phone numbers.</summary>
    public bool AddressByLid { get; set; } = true;

    /// <summary>The contacts' numbers (<c>+E164</c>) and names.</summary>
    public IReadOnlyDictionary<string, string> Names => _names;

    /// <summary>The groups on the emulator.</summary>
    public IReadOnlyList<EmulatedGroupInfo> Groups =>
        [.. _emulator.Groups.All.Select(g => new EmulatedGroupInfo(g.Jid.ToString(), g.Subject, [.. g.Members.Select(m => "+" + m.PhoneNumber)]))];

    /// <summary>Dev mode's defaults: Alice +15555550100, Bob +15555550101, and "Team" (Alice, Bob and <paramref name="accountNumber"/>).</summary>
    public void AddDevDefaults(string accountNumber)
    {
        AccountNumber = accountNumber;
        Add("+15555550100", "Alice");
        Add("+15555550101", "Bob");
        if (!Groups.Any(g => g.Subject == "Team"))
        {
            CreateGroup("Team", "+15555550100", ["+15555550101", accountNumber]);
        }
    }

    /// <summary>Adds (or renames) a contact; its push name is <paramref name="name"/>.</summary>
    public void Add(string number, string name)
    {
        var account = _emulator.Accounts.GetOrCreate(Digits(number), name);
        account.PushName = name;
        _names["+" + account.PhoneNumber] = name;
    }

    /// <summary>Makes a group created by <paramref name="creator"/> with <paramref name="members"/> (numbers), LID-addressed by default.</summary>
    /// <returns>The group.</returns>
    public EmulatedGroupInfo CreateGroup(string subject, string creator, IEnumerable<string> members, bool lidAddressed = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(subject);
        ArgumentNullException.ThrowIfNull(members);
        var group = _emulator.Groups.Create(
            subject,
            _emulator.Accounts.GetOrCreate(Digits(creator)),
            [.. members.Select(m => _emulator.Accounts.GetOrCreate(Digits(m)))],
            lidAddressed,
            _emulator.Time.GetUtcNow().ToUnixTimeSeconds());
        return new EmulatedGroupInfo(group.Jid.ToString(), group.Subject, [.. group.Members.Select(m => "+" + m.PhoneNumber)]);
    }

    /// <summary>Contact <paramref name="fromNumber"/> sends <paramref name="text"/> to the account (<see cref="AccountNumber"/>).</summary>
    /// <returns>The message id.</returns>
    /// <exception cref="InvalidOperationException">No account number is set, or <paramref name="fromNumber"/> is not a contact.</exception>
    public Task<string> SayAsync(string fromNumber, string text, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(text);
        var phone = PhoneOf(fromNumber);
        var to = _emulator.Accounts.GetOrCreate(Digits(AccountNumber ?? throw new InvalidOperationException("No account number is set for the contacts to talk to.")));
        var lid = AddressByLid;
        return phone.RunOnLoopAsync(ct => phone.SendTextAsync(to, text, lid, ct), cancellationToken);
    }

    /// <summary>Contact <paramref name="fromNumber"/> sends <paramref name="text"/> to <paramref name="group"/> (a group JID or subject).</summary>
    /// <returns>The message id.</returns>
    /// <exception cref="InvalidOperationException">The group is unknown, or the contact is not in it.</exception>
    public Task<string> GroupSayAsync(string group, string fromNumber, string text, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(group);
        ArgumentException.ThrowIfNullOrEmpty(text);
        var phone = PhoneOf(fromNumber);
        var found = FindGroup(group) ?? throw new InvalidOperationException($"No group '{group}'.");
        if (!found.IsMember(phone.Account))
        {
            throw new InvalidOperationException($"+{phone.Account.PhoneNumber} is not in the group '{found.Subject}'.");
        }

        return phone.RunOnLoopAsync(ct => phone.SendGroupTextAsync(found, text, ct), cancellationToken);
    }

    /// <summary>What <paramref name="contactNumber"/>'s phone received; reading it sends read receipts for the unread texts.</summary>
    /// <exception cref="InvalidOperationException">Not a contact.</exception>
    public IReadOnlyList<EmulatedInboxMessage> Inbox(string contactNumber) => PhoneOf(contactNumber).ReadInbox();

    private PlayedPhone PhoneOf(string number)
    {
        var digits = Digits(number);
        return _names.ContainsKey("+" + digits) && _emulator.Accounts.Find(new Jid(digits, JidServer.WhatsApp)) is { Phone.Mailbox.Local: PlayedPhone phone }
            ? phone
            : throw new InvalidOperationException($"+{digits} is not an emulated contact.");
    }

    private EmulatedGroup? FindGroup(string group) =>
        Jid.TryParse(group, out var jid) && jid.Server == JidServer.Group
            ? _emulator.Groups.Find(jid)
            : _emulator.Groups.All.FirstOrDefault(g => string.Equals(g.Subject, group, StringComparison.OrdinalIgnoreCase));

    private static string Digits(string number)
    {
        ArgumentException.ThrowIfNullOrEmpty(number);
        var digits = number.StartsWith('+') ? number[1..] : number;
        return digits.Length > 0 && digits.All(char.IsAsciiDigit)
            ? digits
            : throw new ArgumentException($"'{number}' is not a phone number (+ and digits).", nameof(number));
    }
}
