using WaSms.WhatsApp.Signal;

namespace WaSms.WhatsApp.Tests.Signal;

public sealed class SessionCipherTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Bundle_PkmsgThenReply_BothWaysAndPkmsgStopsAfterTheReply(bool withOneTimePreKey)
    {
        var alice = new SignalParty();
        var bob = new SignalParty();
        var bundle = bob.Bundle(withOneTimePreKey);
        SessionBuilder.InitFromBundle(alice.Record, alice.Identity, bundle);

        var first = alice.Encrypt("hello");
        var second = alice.Encrypt("again");
        Assert.Equal("pkmsg", first.Type);
        Assert.Equal("pkmsg", second.Type);
        var result = SessionCipher.Decrypt(bob.Record, bob.Identity, bob, first.Type, first.Bytes);
        Assert.Equal("hello", System.Text.Encoding.UTF8.GetString(result.Plaintext));
        Assert.Equal(bundle.PreKeyId, result.UsedPreKeyId);
        Assert.Equal(alice.IdentityPublic.ToArray(), result.RemoteIdentityKey.ToArray());
        Assert.Equal(alice.Identity.RegistrationId, bob.Record.RemoteRegistrationId);
        Assert.Equal(bob.Identity.RegistrationId, alice.Record.RemoteRegistrationId);
        // The second pkmsg names the same base key: the same session, no prekey consumed again.
        Assert.Equal("again", bob.Decrypt(second));
        Assert.Single(bob.Record.Data.Sessions);

        var reply = bob.Encrypt("hi");
        Assert.Equal("msg", reply.Type);
        Assert.Equal("hi", alice.Decrypt(reply));
        var third = alice.Encrypt("now plain");
        Assert.Equal("msg", third.Type);
        Assert.Equal("now plain", bob.Decrypt(third));
    }

    [Fact]
    public void ManyRatchetTurns_OutOfOrder_AllDecryptAndChainsStayBounded()
    {
        var (alice, bob) = Connected();
        var random = new Random(1234);
        for (int turn = 0; turn < 12; turn++)
        {
            var (from, to) = turn % 2 == 0 ? (alice, bob) : (bob, alice);
            var batch = Enumerable.Range(0, 5).Select(i => (Text: $"t{turn} m{i}", Msg: from.Encrypt($"t{turn} m{i}"))).ToList();
            foreach (var (text, msg) in batch.OrderBy(_ => random.Next()))
            {
                Assert.Equal(text, to.Decrypt(msg));
            }
        }

        Assert.All(alice.Record.Data.Sessions, s => Assert.True(s.Receiving.Count <= 5));
        Assert.Equal(5, alice.Record.Data.Sessions[0].Receiving.Count);
    }

    [Fact]
    public void LateMessageFromAnEarlierChain_DecryptsAfterTheRatchetTurned()
    {
        var (alice, bob) = Connected();
        var late = alice.Encrypt("late");
        var onTime = alice.Encrypt("on time");
        Assert.Equal("on time", bob.Decrypt(onTime));
        Assert.Equal("turn", alice.Decrypt(bob.Encrypt("turn")));
        var next = alice.Encrypt("next chain");
        Assert.Equal("next chain", bob.Decrypt(next));

        Assert.Equal("late", bob.Decrypt(late));
    }

    [Fact]
    public void SameMessageTwice_IsADuplicate()
    {
        var (alice, bob) = Connected();
        var message = alice.Encrypt("once");
        bob.Decrypt(message);

        var error = Assert.Throws<SignalException>(() => bob.Decrypt(message));
        Assert.Equal(SignalError.DuplicateMessage, error.Error);
    }

    [Fact]
    public void BadMac_FailsAndLeavesTheRecordUnchanged()
    {
        var (alice, bob) = Connected();
        var message = alice.Encrypt("tampered");
        message.Bytes[^1] ^= 1;
        byte[] before = bob.Record.Serialize();

        var error = Assert.Throws<SignalException>(() => bob.Decrypt(message));

        Assert.Equal(SignalError.BadMac, error.Error);
        Assert.Equal(before, bob.Record.Serialize());
        message.Bytes[^1] ^= 1;
        Assert.Equal("tampered", bob.Decrypt(message));
    }

    [Fact]
    public void TamperedPkmsg_LeavesNoSessionAndKeepsThePreKey()
    {
        var alice = new SignalParty();
        var bob = new SignalParty();
        var bundle = bob.Bundle();
        SessionBuilder.InitFromBundle(alice.Record, alice.Identity, bundle);
        var content = PreKeyWhisperMessage.Parse(alice.Encrypt("x").Bytes);
        content.Message[^1] ^= 1;
        var message = ("pkmsg", PreKeyWhisperMessage.Build(content));

        var error = Assert.Throws<SignalException>(() => bob.Decrypt(message));

        Assert.Equal(SignalError.BadMac, error.Error);
        Assert.False(bob.Record.HasOpenSession);
        Assert.NotNull(bob.PreKey(bundle.PreKeyId!.Value));
    }

    [Theory]
    [InlineData(1999, null)]
    [InlineData(2000, SignalError.TooFarInFuture)]
    public void JumpAhead_UpTo2000KeysIsAllowed(int skipped, SignalError? expected)
    {
        var (alice, bob) = Connected();
        bob.Decrypt(alice.Encrypt("start"));
        for (int i = 0; i < skipped; i++)
        {
            alice.Encrypt("lost");
        }

        var far = alice.Encrypt("far");
        if (expected is null)
        {
            Assert.Equal("far", bob.Decrypt(far));
            Assert.Equal(skipped, bob.Record.Data.Sessions[0].Receiving[^1].Skipped.Count);
        }
        else
        {
            Assert.Equal(expected, Assert.Throws<SignalException>(() => bob.Decrypt(far)).Error);
        }
    }

    [Fact]
    public void SkippedKeys_KeepTheNewest2000PerChain()
    {
        var (alice, bob) = Connected();
        var first = alice.Encrypt("first");
        for (int round = 0; round < 2; round++)
        {
            for (int i = 0; i < 1500; i++)
            {
                alice.Encrypt("lost");
            }

            bob.Decrypt(alice.Encrypt("arrives"));
        }

        Assert.Equal(2000, bob.Record.Data.Sessions[0].Receiving[^1].Skipped.Count);
        Assert.Equal(SignalError.DuplicateMessage, Assert.Throws<SignalException>(() => bob.Decrypt(first)).Error);
    }

    [Fact]
    public void SkippedKeys_AreBoundedPerRecord_TheOldestChainsKeysDroppedFirst()
    {
        var (alice, bob) = Connected();
        var lost = new List<(string Text, (string Type, byte[] Bytes) Message)>();
        for (int chain = 0; chain < 3; chain++)
        {
            for (int i = 0; i < 1500; i++)
            {
                lost.Add(($"lost {chain}.{i}", alice.Encrypt($"lost {chain}.{i}")));
            }

            bob.Decrypt(alice.Encrypt($"arrives {chain}"));
            alice.Decrypt(bob.Encrypt($"turn {chain}")); // Alice's next message starts a new chain
        }

        // 3 × 1,500 skipped keys, each chain within its own bound; the record keeps the newest 4,000.
        Assert.Equal(SignalLimits.MaxSkippedKeysPerRecord, bob.Record.Data.Sessions.Sum(s => s.Receiving.Sum(c => c.Skipped.Count)));
        Assert.Equal(SignalError.DuplicateMessage, Assert.Throws<SignalException>(() => bob.Decrypt(lost[0].Message)).Error);
        Assert.Equal(SignalError.DuplicateMessage, Assert.Throws<SignalException>(() => bob.Decrypt(lost[499].Message)).Error);
        Assert.Equal("lost 0.500", bob.Decrypt(lost[500].Message));
        Assert.Equal("lost 2.0", bob.Decrypt(lost[3000].Message));
    }

    [Fact]
    public void UnknownPreKeys_AreReported()
    {
        var alice = new SignalParty();
        var bob = new SignalParty();
        var bundle = bob.Bundle();
        SessionBuilder.InitFromBundle(alice.Record, alice.Identity, bundle);
        var message = alice.Encrypt("x");
        bob.RemovePreKey(bundle.PreKeyId!.Value);

        Assert.Equal(SignalError.InvalidPreKeyId, Assert.Throws<SignalException>(() => bob.Decrypt(message)).Error);
        var stranger = new SignalParty();
        Assert.Equal(SignalError.MissingSignedPreKey, Assert.Throws<SignalException>(() =>
            SessionCipher.Decrypt(new SessionRecord(), stranger.Identity, new NoPreKeys(), message.Type, message.Bytes)).Error);
    }

    [Fact]
    public void BadBundleSignature_IsRejectedAndNoSessionMade()
    {
        var alice = new SignalParty();
        var bundle = new SignalParty().Bundle();
        var badSignature = bundle.SignedPreKeySignature.ToArray();
        badSignature[5] ^= 0x40;

        var error = Assert.Throws<SignalException>(() => SessionBuilder.InitFromBundle(alice.Record, alice.Identity, bundle with { SignedPreKeySignature = badSignature }));

        Assert.Equal(SignalError.InvalidSignature, error.Error);
        Assert.False(alice.Record.HasOpenSession);
        Assert.Equal(SignalError.InvalidKey, Assert.Throws<SignalException>(() =>
            SessionBuilder.InitFromBundle(alice.Record, alice.Identity, bundle with { IdentityKey = new byte[31] })).Error);
    }

    [Fact]
    public void NoSession_EncryptAndDecryptSayNoSession()
    {
        var alice = new SignalParty();
        Assert.Equal(SignalError.NoSession, Assert.Throws<SignalException>(() => alice.Encrypt("x")).Error);
        var (sender, _) = Connected();
        var message = sender.Encrypt("x");
        var reply = SessionCipher.Encrypt(sender.Record, sender.Identity, [1]);
        Assert.Equal(SignalError.NoSession, Assert.Throws<SignalException>(() => alice.Decrypt(("msg", reply.Ciphertext))).Error);
        Assert.Equal(SignalError.InvalidMessage, Assert.Throws<SignalException>(() => alice.Decrypt(("skmsg", message.Bytes))).Error);
    }

    [Fact]
    public void SimultaneousInitiation_MessagesOnTheClosedSessionStillDecrypt()
    {
        var alice = new SignalParty();
        var bob = new SignalParty();
        SessionBuilder.InitFromBundle(alice.Record, alice.Identity, bob.Bundle());
        SessionBuilder.InitFromBundle(bob.Record, bob.Identity, alice.Bundle());
        var fromAlice = alice.Encrypt("a");
        var fromBob = bob.Encrypt("b");

        Assert.Equal("a", bob.Decrypt(fromAlice));
        Assert.Equal("b", alice.Decrypt(fromBob));

        // Each side now has two sessions; the newest (the peer's) is open, the own one closed but usable.
        Assert.Equal(2, alice.Record.Data.Sessions.Count);
        Assert.Equal("b2", alice.Decrypt(bob.Encrypt("b2")));
        var a2 = alice.Encrypt("a2");
        Assert.Equal("a2", bob.Decrypt(a2));

        // With two sessions the other one's Bad MAC does not hide what the right one said.
        Assert.Equal(SignalError.DuplicateMessage, Assert.Throws<SignalException>(() => bob.Decrypt(a2)).Error);
        for (int i = 0; i < 2000; i++)
        {
            alice.Encrypt("lost");
        }

        Assert.Equal(SignalError.TooFarInFuture, Assert.Throws<SignalException>(() => bob.Decrypt(alice.Encrypt("far"))).Error);
    }

    [Fact]
    public void PeerReinstalled_NewIdentityOpensANewSessionAndTheOldOneStaysReadable()
    {
        var (alice, bob) = Connected();
        var inFlight = alice.Encrypt("from the old install");
        var reinstalled = new SignalParty();
        SessionBuilder.InitFromBundle(reinstalled.Record, reinstalled.Identity, bob.Bundle());

        var result = SessionCipher.Decrypt(bob.Record, bob.Identity, bob, "pkmsg", reinstalled.Encrypt("new install").Bytes);

        Assert.Equal(reinstalled.IdentityPublic.ToArray(), result.RemoteIdentityKey.ToArray());
        Assert.Equal(reinstalled.IdentityPublic.ToArray(), bob.Record.RemoteIdentityKey.ToArray());
        Assert.Equal(reinstalled.Identity.RegistrationId, bob.Record.RemoteRegistrationId);
        Assert.Equal("from the old install", bob.Decrypt(inFlight));
        Assert.Equal("to the new install", reinstalled.Decrypt(bob.Encrypt("to the new install")));
    }

    [Fact]
    public void ManyBundles_KeepAtMost40Sessions()
    {
        var alice = new SignalParty();
        var bob = new SignalParty();
        for (int i = 0; i < 45; i++)
        {
            SessionBuilder.InitFromBundle(alice.Record, alice.Identity, bob.Bundle(withOneTimePreKey: false));
        }

        Assert.Equal(40, alice.Record.Data.Sessions.Count);
        Assert.Single(alice.Record.Data.Sessions, s => !s.Closed);
        Assert.Equal("still works", bob.Decrypt(alice.Encrypt("still works")));
    }

    [Fact]
    public void Record_SerialisedMidConversation_ContinuesAfterRoundTrip()
    {
        var (alice, bob) = Connected();
        var pending = alice.Encrypt("in flight");
        alice.Record = SessionRecord.Deserialize(alice.Record.Serialize());
        bob.Record = SessionRecord.Deserialize(bob.Record.Serialize());

        Assert.Equal("in flight", bob.Decrypt(pending));
        Assert.Equal("back", alice.Decrypt(bob.Encrypt("back")));
        Assert.Equal(bob.IdentityPublic.ToArray(), alice.Record.RemoteIdentityKey.ToArray());
        Assert.Equal(alice.Record.Serialize(), SessionRecord.Deserialize(alice.Record.Serialize()).Serialize());
        Assert.False(new SessionRecord().HasOpenSession);
        Assert.True(new SessionRecord().RemoteIdentityKey.IsEmpty);
        Assert.Null(new SessionRecord().RemoteRegistrationId);
    }

    [Fact]
    public void Peek_ReadsTheX3dhParameters()
    {
        var alice = new SignalParty(registrationId: 4242);
        var bob = new SignalParty();
        var bundle = bob.Bundle();
        SessionBuilder.InitFromBundle(alice.Record, alice.Identity, bundle);
        var message = alice.Encrypt("x");

        var peek = PreKeyWhisperMessage.Peek(message.Bytes);

        Assert.Equal(bundle.PreKeyId, peek.PreKeyId);
        Assert.Equal(bob.SignedPreKeyId, peek.SignedPreKeyId);
        Assert.Equal(4242u, peek.RegistrationId);
        Assert.Equal(alice.IdentityPublic.ToArray(), peek.IdentityKey.ToArray());
        Assert.Equal(alice.Record.Data.Sessions[0].BaseKey.ToByteArray(), peek.BaseKey.ToArray());
    }

    /// <summary>Alice started a session with Bob and Bob answered: both sides use plain msgs.</summary>
    internal static (SignalParty Alice, SignalParty Bob) Connected()
    {
        var alice = new SignalParty();
        var bob = new SignalParty();
        SessionBuilder.InitFromBundle(alice.Record, alice.Identity, bob.Bundle());
        bob.Decrypt(alice.Encrypt("setup"));
        alice.Decrypt(bob.Encrypt("setup reply"));
        return (alice, bob);
    }

    private sealed class NoPreKeys : ILocalPreKeys
    {
        public WaSms.WhatsApp.Crypto.Curve25519KeyPair? SignedPreKey(uint id) => null;

        public WaSms.WhatsApp.Crypto.Curve25519KeyPair? PreKey(uint id) => null;
    }
}
