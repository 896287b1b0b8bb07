using WaSms.WhatsApp.Signal;

namespace WaSms.WhatsApp.Tests.Signal;

public sealed class GroupCipherTests
{
    [Fact]
    public void Distribution_ThenMessagesOutOfOrder_AllDecryptOnce()
    {
        var (own, theirs) = Distributed();
        var messages = Enumerable.Range(0, 30).Select(i => (Text: new[] { (byte)i }, Msg: GroupCipher.Encrypt(own, [(byte)i]))).ToList();

        foreach (var (text, msg) in messages.OrderBy(m => m.Text[0] * 7 % 30))
        {
            Assert.Equal(text, GroupCipher.Decrypt(theirs, msg));
        }

        var error = Assert.Throws<SignalException>(() => GroupCipher.Decrypt(theirs, messages[3].Msg));
        Assert.Equal(SignalError.DuplicateMessage, error.Error);
        Assert.Empty(theirs.Data.States[0].Skipped);
    }

    [Fact]
    public void BadSignature_FailsFirstAndLeavesTheRecordUnchanged()
    {
        var (own, theirs) = Distributed();
        var message = GroupCipher.Encrypt(own, [1, 2, 3]);
        message[^3] ^= 0x10;
        var before = theirs.Serialize();

        var error = Assert.Throws<SignalException>(() => GroupCipher.Decrypt(theirs, message));

        Assert.Equal(SignalError.InvalidSignature, error.Error);
        Assert.Equal(before, theirs.Serialize());
        message[^3] ^= 0x10;
        Assert.Equal([1, 2, 3], GroupCipher.Decrypt(theirs, message));
    }

    [Fact]
    public void UnknownKeyOrNoOwnKey_IsNoSenderKey()
    {
        var (own, _) = Distributed();
        var message = GroupCipher.Encrypt(own, [1]);

        Assert.Equal(SignalError.NoSenderKey, Assert.Throws<SignalException>(() => GroupCipher.Decrypt(new SenderKeyRecord(), message)).Error);
        Assert.Equal(SignalError.NoSenderKey, Assert.Throws<SignalException>(() => GroupCipher.Encrypt(new SenderKeyRecord(), [1])).Error);
        var (_, received) = Distributed();
        Assert.Equal(SignalError.NoSenderKey, Assert.Throws<SignalException>(() => GroupCipher.Encrypt(received, [1])).Error);
    }

    [Theory]
    [InlineData(2000, null)]
    [InlineData(2001, SignalError.TooFarInFuture)]
    public void JumpAhead_UpTo2000IterationsIsAllowed(int skipped, SignalError? expected)
    {
        var (own, theirs) = Distributed();
        Advance(own, skipped);
        var far = GroupCipher.Encrypt(own, [9]);
        if (expected is null)
        {
            Assert.Equal([9], GroupCipher.Decrypt(theirs, far));
            Assert.Equal(2000, theirs.Data.States[0].Skipped.Count);
        }
        else
        {
            Assert.Equal(expected, Assert.Throws<SignalException>(() => GroupCipher.Decrypt(theirs, far)).Error);
        }
    }

    [Fact]
    public void IterationsAtTheTopOfTheRange_DoNotLoopOrThrowOtherwise()
    {
        var (own, theirs) = Distributed();
        own.Data.States[0].Chain.Index = uint.MaxValue - 3;
        theirs.Data.States[0].Chain.Index = uint.MaxValue - 3;
        theirs.Data.States[0].Chain.Key = own.Data.States[0].Chain.Key;
        for (int i = 0; i < 3; i++)
        {
            GroupCipher.Encrypt(own, [0]);
        }

        var last = GroupCipher.Encrypt(own, [7]);

        Assert.Equal([7], GroupCipher.Decrypt(theirs, last));
        Assert.Equal(3, theirs.Data.States[0].Skipped.Count);
        Assert.Equal(0u, theirs.Data.States[0].Chain.Index);

        // Filling up to the very last counter ends (a previous counter of 0xFFFFFFFF reaches this).
        var chain = new WaSms.WhatsApp.Proto.ChainData { Key = own.Data.States[0].Chain.Key, Index = uint.MaxValue - 1 };
        var skipped = new Google.Protobuf.Collections.RepeatedField<WaSms.WhatsApp.Proto.SkippedKeyData>();
        SessionChains.FillTo(chain, skipped, uint.MaxValue, SignalLimits.PairwiseMaxDistance);
        Assert.Equal(2, skipped.Count);
    }

    [Fact]
    public void SkippedKeys_KeepTheNewest2000()
    {
        var (own, theirs) = Distributed();
        var first = GroupCipher.Encrypt(own, [1]);
        for (int round = 0; round < 2; round++)
        {
            Advance(own, 1500);

            GroupCipher.Decrypt(theirs, GroupCipher.Encrypt(own, [2]));
        }

        Assert.Equal(2000, theirs.Data.States[0].Skipped.Count);
        // Iteration 0 was the oldest skipped key and was dropped.
        Assert.Equal(SignalError.DuplicateMessage, Assert.Throws<SignalException>(() => GroupCipher.Decrypt(theirs, first)).Error);
    }

    [Fact]
    public void SameDistributionAgain_DoesNotRewindTheChain()
    {
        var own = new SenderKeyRecord();
        var skdm = GroupSessionBuilder.CreateDistribution(own);
        var theirs = new SenderKeyRecord();
        GroupSessionBuilder.Process(theirs, skdm);
        var message = GroupCipher.Encrypt(own, [5]);
        GroupCipher.Decrypt(theirs, message);

        GroupSessionBuilder.Process(theirs, skdm);

        Assert.Equal(SignalError.DuplicateMessage, Assert.Throws<SignalException>(() => GroupCipher.Decrypt(theirs, message)).Error);
    }

    [Fact]
    public void DistributionAfterSending_StartsAtTheCurrentIteration()
    {
        var own = new SenderKeyRecord();
        GroupSessionBuilder.CreateDistribution(own);
        var early = GroupCipher.Encrypt(own, [1]);
        var late = new SenderKeyRecord();
        GroupSessionBuilder.Process(late, GroupSessionBuilder.CreateDistribution(own));

        Assert.Equal([2], GroupCipher.Decrypt(late, GroupCipher.Encrypt(own, [2])));
        Assert.Equal(SignalError.DuplicateMessage, Assert.Throws<SignalException>(() => GroupCipher.Decrypt(late, early)).Error);
    }

    [Fact]
    public void ManySenderKeys_KeepTheNewestFive()
    {
        var theirs = new SenderKeyRecord();
        var owns = Enumerable.Range(0, 7).Select(_ => new SenderKeyRecord()).ToList();
        foreach (var own in owns)
        {
            GroupSessionBuilder.Process(theirs, GroupSessionBuilder.CreateDistribution(own));
        }

        Assert.Equal(5, theirs.Data.States.Count);
        Assert.Equal(SignalError.NoSenderKey, Assert.Throws<SignalException>(() => GroupCipher.Decrypt(theirs, GroupCipher.Encrypt(owns[0], [1]))).Error);
        Assert.Equal([1], GroupCipher.Decrypt(theirs, GroupCipher.Encrypt(owns[2], [1])));
    }

    [Fact]
    public void Records_RoundTripThroughBytes()
    {
        var (own, theirs) = Distributed();
        GroupCipher.Encrypt(own, [0]);
        var message = GroupCipher.Encrypt(own, [1]);
        own = SenderKeyRecord.Deserialize(own.Serialize());
        theirs = SenderKeyRecord.Deserialize(theirs.Serialize());

        Assert.Equal([1], GroupCipher.Decrypt(theirs, message));
        theirs = SenderKeyRecord.Deserialize(theirs.Serialize());
        Assert.Single(theirs.Data.States[0].Skipped);
        Assert.Equal([2], GroupCipher.Decrypt(theirs, GroupCipher.Encrypt(own, [2])));
        Assert.True(new SenderKeyRecord().IsEmpty);
        Assert.False(own.IsEmpty);
    }

    /// <summary>Steps our chain as <paramref name="count"/> lost messages would (without paying for their signatures).</summary>
    private static void Advance(SenderKeyRecord own, int count)
    {
        var chain = own.Data.States[^1].Chain;
        var key = chain.Key.ToByteArray();
        for (int i = 0; i < count; i++)
        {
            key = SignalKdf.NextChainKey(key);
        }

        chain.Key = Google.Protobuf.ByteString.CopyFrom(key);
        chain.Index += (uint)count;
    }

    private static (SenderKeyRecord Own, SenderKeyRecord Theirs) Distributed()
    {
        var own = new SenderKeyRecord();
        var theirs = new SenderKeyRecord();
        GroupSessionBuilder.Process(theirs, GroupSessionBuilder.CreateDistribution(own));
        return (own, theirs);
    }
}
