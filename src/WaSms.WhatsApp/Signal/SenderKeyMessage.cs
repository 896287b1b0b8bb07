using Google.Protobuf;
using WaSms.WhatsApp.Crypto;
using WaSms.WhatsApp.Proto;

namespace WaSms.WhatsApp.Signal;

/// <summary>
/// A group message (<c>&lt;enc type="skmsg"&gt;</c>): <c>0x33 ‖ protobuf{id, iteration, ciphertext} ‖
/// signature(64)</c>, the signature an XEdDSA by the sender's signing key over everything before it
/// (docs/protocol/signal.md §7).
/// </summary>
internal sealed class SenderKeyMessage
{
    private const string What = "SenderKeyMessage";

    private readonly byte[] _bytes;

    private SenderKeyMessage(byte[] bytes, uint keyId, uint iteration, byte[] ciphertext)
    {
        _bytes = bytes;
        KeyId = keyId;
        Iteration = iteration;
        Ciphertext = ciphertext;
    }

    public uint KeyId { get; }

    public uint Iteration { get; }

    public byte[] Ciphertext { get; }

    public static SenderKeyMessage Parse(ReadOnlySpan<byte> data)
    {
        SignalWire.CheckEnvelope(data, 1 + XEdDsa.SignatureSize, What);
        var proto = SignalWire.Parse(SenderKeyMessageProto.Parser, data[1..^XEdDsa.SignatureSize], What);
        SignalWire.Require(proto.HasCiphertext, "ciphertext", What);
        return new SenderKeyMessage(data.ToArray(), proto.Id, proto.Iteration, proto.Ciphertext.ToByteArray());
    }

    public static byte[] Build(uint keyId, uint iteration, byte[] ciphertext, ReadOnlySpan<byte> signingPrivateKey)
    {
        var proto = new SenderKeyMessageProto { Id = keyId, Iteration = iteration, Ciphertext = ByteString.CopyFrom(ciphertext) };
        var bytes = SignalWire.Serialize(proto, XEdDsa.SignatureSize);
        int signed = bytes.Length - XEdDsa.SignatureSize;
        XEdDsa.Sign(signingPrivateKey, bytes.AsSpan(0, signed)).CopyTo(bytes, signed);
        return bytes;
    }

    /// <summary>True when the signature verifies under the sender's signing key (32 bytes).</summary>
    public bool SignatureMatches(ReadOnlySpan<byte> signingPublicKey) =>
        XEdDsa.Verify(signingPublicKey, _bytes.AsSpan(0, _bytes.Length - XEdDsa.SignatureSize), _bytes.AsSpan(_bytes.Length - XEdDsa.SignatureSize));
}

/// <summary>
/// A SenderKeyDistributionMessage (the bytes inside <c>Message.senderKeyDistributionMessage</c>):
/// <c>0x33 ‖ protobuf{id, iteration, chainKey, signingKey}</c>, no signature (docs/protocol/signal.md §7).
/// </summary>
internal sealed record SenderKeyDistribution(uint KeyId, uint Iteration, byte[] ChainKey, byte[] SigningKey)
{
    private const string What = "SenderKeyDistributionMessage";

    public static SenderKeyDistribution Parse(ReadOnlySpan<byte> data)
    {
        SignalWire.CheckEnvelope(data, 2, What);
        var proto = SignalWire.Parse(SenderKeyDistributionMessageProto.Parser, data[1..], What);
        SignalWire.Require(proto.HasChainKey, "chain key", What);
        SignalWire.Require(proto.HasSigningKey, "signing key", What);
        if (proto.ChainKey.Length != SignalKdf.KeySize)
        {
            throw new SignalException(SignalError.InvalidKey, $"The {What}'s chain key is {proto.ChainKey.Length} bytes, not {SignalKdf.KeySize}.");
        }

        return new SenderKeyDistribution(proto.Id, proto.Iteration, proto.ChainKey.ToByteArray(), SignalKeys.Decode(proto.SigningKey.Span, "signing key"));
    }

    public byte[] Serialize() => SignalWire.Serialize(
        new SenderKeyDistributionMessageProto
        {
            Id = KeyId,
            Iteration = Iteration,
            ChainKey = ByteString.CopyFrom(ChainKey),
            SigningKey = ByteString.CopyFrom(SignalKeys.Encode(SigningKey)),
        },
        0);
}
