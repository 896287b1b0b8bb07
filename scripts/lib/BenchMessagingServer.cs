// The WhatsApp server of scripts/bench-messaging, run as a .NET file-based app: the emulator
// (WaEmulator) with the emulated phone of +15555550123 and one emulated contact, Alice, whose phone
// encrypts for real (PlayedPhone). Prints the URL and trusted root key like `dev wa-server`, then
// reads commands on standard input, one a line, and answers each with one line:
//   scan QR      the phone scans the gateway's QR  -> "linked JID"
//   say N        Alice sends N texts to the account (queued while its device is offline) -> "queued N MS"
//   inbox        Alice's inbox (reading it sends read receipts)                         -> "inbox N"
#:project ../../src/WaSms.Emulators/WaSms.Emulators.csproj
#:property PublishAot=false
using System.Diagnostics;
using System.Globalization;
using WaSms.Emulators.WhatsApp;

const string Account = "+15555550123";
const string Alice = "+15555550100";
await using var emulator = new WaEmulator(0);
emulator.Start();
var phone = new PhoneSimulator(emulator, Account[1..]);
emulator.Contacts.AccountNumber = Account;
emulator.Contacts.Add(Alice, "Alice");
Console.WriteLine($"WhatsApp emulator listening on {emulator.Uri}");
Console.WriteLine($"Trusted root key: {emulator.TrustedRootKeyHex}");
string? line;
while ((line = Console.ReadLine()) is not null)
{
    var words = line.Trim().Split(' ', 2);
    switch (words[0])
    {
        case "scan":
            Console.WriteLine($"linked {(await phone.ScanAsync(words[1], CancellationToken.None)).Jid}");
            break;
        case "say":
            var count = int.Parse(words[1], CultureInfo.InvariantCulture);
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < count; i++)
            {
                await emulator.Contacts.SayAsync(Alice, $"bench message {i:D5}: the quick brown fox jumps over the lazy dog", CancellationToken.None);
            }

            Console.WriteLine($"queued {count} {clock.ElapsedMilliseconds}");
            break;
        case "inbox":
            Console.WriteLine($"inbox {emulator.Contacts.Inbox(Alice).Count}");
            break;
        default:
            Console.WriteLine($"unknown command {words[0]}");
            break;
    }
}
