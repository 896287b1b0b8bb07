// Our half of scripts/bench-signal, run as a .NET file-based app: one session (Alice started it from
// Bob's bundle, Bob answered), Alice encrypts N messages of 100 bytes, Bob decrypts them in order.
// The records stay in memory, as in the libsignal-node half. Prints one JSON line.
#:project ../../src/WaSms.WhatsApp/WaSms.WhatsApp.csproj
#:property PublishAot=false
using System.Diagnostics;
using System.Globalization;
using WaSms.WhatsApp.Crypto;
using WaSms.WhatsApp.Signal;

int count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10_000;
var alice = new SignalIdentity(Curve25519KeyPair.Generate(), 1);
var bob = new SignalIdentity(Curve25519KeyPair.Generate(), 2);
var bobKeys = new BenchPreKeys(Curve25519KeyPair.Generate(), Curve25519KeyPair.Generate());
var bundle = new PreKeyBundle(2, 0, bob.IdentityKey.PublicKey, 1, bobKeys.Signed.PublicKey,
    XEdDsa.Sign(bob.IdentityKey.PrivateKey.Span, [0x05, .. bobKeys.Signed.PublicKey.Span]), 1, bobKeys.OneTime.PublicKey);
var aliceRecord = new SessionRecord();
var bobRecord = new SessionRecord();
SessionBuilder.InitFromBundle(aliceRecord, alice, bundle);
var first = SessionCipher.Encrypt(aliceRecord, alice, [1]);
SessionCipher.Decrypt(bobRecord, bob, bobKeys, first.EncType, first.Ciphertext);
var reply = SessionCipher.Encrypt(bobRecord, bob, [2]);
SessionCipher.Decrypt(aliceRecord, alice, bobKeys, reply.EncType, reply.Ciphertext);

var plaintext = new byte[100];
var messages = new (string Type, byte[] Bytes)[count];
var clock = Stopwatch.StartNew();
for (int i = 0; i < count; i++)
{
    messages[i] = SessionCipher.Encrypt(aliceRecord, alice, plaintext);
}

double encryptSeconds = clock.Elapsed.TotalSeconds;
clock.Restart();
foreach (var (type, bytes) in messages)
{
    SessionCipher.Decrypt(bobRecord, bob, bobKeys, type, bytes);
}

double decryptSeconds = clock.Elapsed.TotalSeconds;

// A fresh session (Alice from Bob's bundle, Bob has read her first message) and N messages on it: all
// pkmsg, as Alice has not read an answer yet (an offline backlog from a new contact).
(SessionRecord Bob, (string Type, byte[] Bytes)[] Messages) FreshSession()
{
    var sender = new SessionRecord();
    SessionBuilder.InitFromBundle(sender, alice, bundle);
    var opening = SessionCipher.Encrypt(sender, alice, [1]);
    var receiver = new SessionRecord();
    SessionCipher.Decrypt(receiver, bob, bobKeys, opening.EncType, opening.Ciphertext);
    var sent = new (string Type, byte[] Bytes)[count];
    for (int i = 0; i < count; i++)
    {
        sent[i] = SessionCipher.Encrypt(sender, alice, plaintext);
    }

    return (receiver, sent);
}

// What the receive path does for a message handled alone: read the record's bytes, decrypt, write them back.
var (storedSession, second) = FreshSession();
var stored = storedSession.Serialize();
clock.Restart();
foreach (var (type, bytes) in second)
{
    var record = SessionRecord.Deserialize(stored);
    SessionCipher.Decrypt(record, bob, bobKeys, type, bytes);
    stored = record.Serialize();
}

double storedSeconds = clock.Elapsed.TotalSeconds;

// What a receive batch does (Messaging/Receive/BatchOverlay): the record stays parsed under the lock,
// its bytes are still written after each message for the commit.
var (kept, third) = FreshSession();
clock.Restart();
foreach (var (type, bytes) in third)
{
    SessionCipher.Decrypt(kept, bob, bobKeys, type, bytes);
    stored = kept.Serialize();
}

double keptSeconds = clock.Elapsed.TotalSeconds;

// XEdDSA, what a group message adds per message: the sender signs, every receiver verifies.
const int Signatures = 200;
var signature = XEdDsa.Sign(alice.IdentityKey.PrivateKey.Span, plaintext);
clock.Restart();
for (int i = 0; i < Signatures; i++)
{
    signature = XEdDsa.Sign(alice.IdentityKey.PrivateKey.Span, plaintext);
}

double signMs = clock.Elapsed.TotalMilliseconds / Signatures;
clock.Restart();
for (int i = 0; i < Signatures; i++)
{
    XEdDsa.Verify(alice.IdentityKey.PublicKey.Span, plaintext, signature);
}

double verifyMs = clock.Elapsed.TotalMilliseconds / Signatures;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{{\"impl\":\"wasms\",\"messages\":{count},\"encryptPerSecond\":{count / encryptSeconds:F0},\"decryptPerSecond\":{count / decryptSeconds:F0},\"decryptStoredPerSecond\":{count / storedSeconds:F0},\"decryptKeptPerSecond\":{count / keptSeconds:F0},\"signMs\":{signMs:F3},\"verifyMs\":{verifyMs:F3}}}"));

internal sealed class BenchPreKeys(Curve25519KeyPair signed, Curve25519KeyPair oneTime) : ILocalPreKeys
{
    public Curve25519KeyPair Signed { get; } = signed;

    public Curve25519KeyPair OneTime { get; } = oneTime;

    public Curve25519KeyPair? SignedPreKey(uint id) => id == 1 ? Signed : null;

    public Curve25519KeyPair? PreKey(uint id) => id == 1 ? OneTime : null;
}
