using WaSms.WhatsApp.Signal;
using Xunit.Abstractions;

namespace WaSms.WhatsApp.Tests.Signal;

/// <summary>
/// Seeded fuzzing of the four Signal wire decoders, both record deserialisers and the ciphers behind
/// them: mutated real messages and records, splices and random bytes may only raise
/// <see cref="SignalException"/>, and a failed decrypt leaves the record as it was. CI runs a fixed
/// seed; <c>scripts/fuzz-whatsapp</c> runs more cases with a new one (<see cref="FuzzSettings"/>).
/// </summary>
public sealed class SignalFuzzTests(ITestOutputHelper output)
{
    private static readonly int Seed = FuzzSettings.Seed(0x516_2026);

    [Fact]
    public void PairwiseMessages_MutatedOrRandom_OnlySignalExceptionAndRecordUntouched()
    {
        var random = new Random(Seed);
        var (alice, bob) = SessionCipherTests.Connected();
        var fresh = new SignalParty();
        SessionBuilder.InitFromBundle(fresh.Record, fresh.Identity, bob.Bundle());
        var samples = new List<(string Type, byte[] Bytes)> { fresh.Encrypt("pk"), fresh.Encrypt("pk again") };
        samples.AddRange(Enumerable.Range(0, 8).Select(i => alice.Encrypt($"message {i}")));
        byte[] before = bob.Record.Serialize();
        int decrypted = 0, rejected = 0;

        for (int i = 0; i < FuzzSettings.Cases(4000); i++)
        {
            var (type, sample) = samples[random.Next(samples.Count)];
            byte[] input = i % 8 == 7 ? RandomBytes(random) : Mutate(sample, samples[random.Next(samples.Count)].Bytes, random);
            var record = SessionRecord.Deserialize(before);
            try
            {
                SessionCipher.Decrypt(record, bob.Identity, bob, type, input);
                decrypted++;
            }
            catch (SignalException)
            {
                Assert.Equal(before, record.Serialize());
                rejected++;
            }

            Peek(input, i);
        }

        output.WriteLine($"seed {Seed}: {decrypted} mutated messages still decrypted (changes outside the MAC), {rejected} rejected");
        Assert.True(rejected > decrypted, "the mutations are too mild");
    }

    [Fact]
    public void GroupMessages_MutatedOrRandom_OnlySignalException()
    {
        var random = new Random(Seed + 1);
        var own = new SenderKeyRecord();
        var skdm = GroupSessionBuilder.CreateDistribution(own);
        var theirs = new SenderKeyRecord();
        GroupSessionBuilder.Process(theirs, skdm);
        var samples = Enumerable.Range(0, 6).Select(i => GroupCipher.Encrypt(own, [(byte)i, 1, 2, 3])).ToList();
        byte[] before = theirs.Serialize();
        int rejected = 0;

        for (int i = 0; i < FuzzSettings.Cases(1500); i++)
        {
            var sample = i % 3 == 0 ? skdm : samples[random.Next(samples.Count)];
            byte[] input = i % 8 == 7 ? RandomBytes(random) : Mutate(sample, samples[random.Next(samples.Count)], random);
            var record = SenderKeyRecord.Deserialize(before);
            rejected += Rejects(() => GroupCipher.Decrypt(record, input), i, input);
            rejected += Rejects(() => GroupSessionBuilder.Process(record, input), i, input);
        }

        output.WriteLine($"seed {Seed + 1}: {rejected} rejections");
    }

    [Fact]
    public void Records_MutatedOrRandom_OnlySignalExceptionAlsoWhenUsed()
    {
        var random = new Random(Seed + 2);
        var (alice, bob) = SessionCipherTests.Connected();
        var late = alice.Encrypt("late");
        bob.Decrypt(alice.Encrypt("on time"));
        var incoming = alice.Encrypt("incoming");
        var sessionRecords = new List<byte[]> { bob.Record.Serialize(), alice.Record.Serialize() };
        var own = new SenderKeyRecord();
        GroupSessionBuilder.CreateDistribution(own);
        var groupMessage = GroupCipher.Encrypt(own, [1]);
        var theirs = new SenderKeyRecord();
        GroupSessionBuilder.Process(theirs, GroupSessionBuilder.CreateDistribution(own));
        GroupCipher.Encrypt(own, [2]);
        var senderKeyRecords = new List<byte[]> { own.Serialize(), theirs.Serialize() };
        int loaded = 0, rejected = 0;

        for (int i = 0; i < FuzzSettings.Cases(2000); i++)
        {
            var sessions = sessionRecords[random.Next(2)];
            byte[] input = i % 8 == 7 ? RandomBytes(random) : Mutate(sessions, sessions, random);
            rejected += Rejects(() =>
            {
                var record = SessionRecord.Deserialize(input);
                loaded++;
                _ = (record.HasOpenSession, record.RemoteIdentityKey, record.RemoteRegistrationId);
                Rejects(() => SessionCipher.Decrypt(record, bob.Identity, bob, incoming.Type, incoming.Bytes), i, input);
                Rejects(() => SessionCipher.Decrypt(record, bob.Identity, bob, late.Type, late.Bytes), i, input);
                Rejects(() => SessionCipher.Encrypt(record, bob.Identity, [1, 2]), i, input);
            }, i, input);

            var keys = senderKeyRecords[random.Next(2)];
            input = i % 8 == 7 ? RandomBytes(random) : Mutate(keys, keys, random);
            rejected += Rejects(() =>
            {
                var record = SenderKeyRecord.Deserialize(input);
                loaded++;
                Rejects(() => GroupCipher.Decrypt(record, groupMessage), i, input);
                Rejects(() => GroupCipher.Encrypt(record, [1]), i, input);
                Rejects(() => GroupSessionBuilder.CreateDistribution(record), i, input);
            }, i, input);
        }

        output.WriteLine($"seed {Seed + 2}: {loaded} mutated records loaded and used, {rejected} rejected");
        Assert.True(rejected > 0 && loaded > 0);
    }

    private static void Peek(byte[] input, int index) => Rejects(() => PreKeyWhisperMessage.Peek(input), index, input);

    /// <summary>Runs <paramref name="action"/>; 1 when it threw <see cref="SignalException"/>, 0 when it worked, a failure otherwise.</summary>
    private static int Rejects(Action action, int index, byte[] input)
    {
        try
        {
            action();
            return 0;
        }
        catch (SignalException)
        {
            return 1;
        }
        catch (Exception e)
        {
            Assert.Fail($"case {index}: {e.GetType().Name} ({e.Message}) for {Convert.ToHexStringLower(input)}");
            return 0;
        }
    }

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(0, 200)];
        random.NextBytes(bytes);
        if (bytes.Length > 0 && random.Next(2) == 0)
        {
            bytes[0] = 0x33;
        }

        return bytes;
    }

    /// <summary>Protobuf-minded edits: bit flips, varints that claim huge lengths, cuts, repeats and splices with another sample.</summary>
    private static byte[] Mutate(byte[] sample, byte[] other, Random random)
    {
        var bytes = new List<byte>(sample);
        for (int edit = random.Next(1, 4); edit > 0; edit--)
        {
            int at = random.Next(bytes.Count + 1);
            switch (random.Next(6))
            {
                case 0 when at < bytes.Count:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    bytes.InsertRange(at, [0xff, 0xff, 0xff, 0xff, 0x0f]);
                    break;
                case 2:
                    bytes.RemoveRange(at, random.Next(bytes.Count - at + 1));
                    break;
                case 3 when at < bytes.Count:
                    int length = random.Next(1, Math.Min(16, bytes.Count - at) + 1);
                    bytes.InsertRange(at, bytes.GetRange(at, length));
                    break;
                case 4:
                    int from = random.Next(other.Length);
                    bytes.InsertRange(at, other.AsSpan(from, random.Next(other.Length - from + 1)).ToArray());
                    break;
                default:
                    if (at < bytes.Count)
                    {
                        bytes[at] = (byte)random.Next(256);
                    }

                    break;
            }
        }

        return [.. bytes];
    }
}
