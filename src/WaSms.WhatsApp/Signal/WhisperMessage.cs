using System.Security.Cryptography;
using WaSms.WhatsApp.Proto;

namespace WaSms.WhatsApp.Signal;

/// <summary>
/// A WhisperMessage (<c>&lt;enc type="msg"&gt;</c>): <c>0x33 ‖ protobuf ‖ mac[0..8)</c> with the MAC over
/// both identities, the version byte and the protobuf (docs/protocol/signal.md §5).
/// </summary>
internal sealed class WhisperMessage
{
    public const int MacSize = 8;
    private const string What = "WhisperMessage";

    private readonly byte[] _bytes;

    private WhisperMessage(byte[] bytes, byte[] ratchetKey, uint counter, uint previousCounter, byte[] ciphertext)
    {
        _bytes = bytes;
        RatchetKey = ratchetKey;
        Counter = counter;
        PreviousCounter = previousCounter;
        Ciphertext = ciphertext;
    }

    /// <summary>The sender's ratchet public key (32 bytes).</summary>
    public byte[] RatchetKey { get; }

    public uint Counter { get; }

    public uint PreviousCounter { get; }

    public byte[] Ciphertext { get; }

    /// <summary>The whole message as sent.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    public static WhisperMessage Parse(ReadOnlySpan<byte> data)
    {
        SignalWire.CheckEnvelope(data, 1 + MacSize, What);
        var proto = SignalWire.Parse(WhisperMessageProto.Parser, data[1..^MacSize], What);
        SignalWire.Require(proto.HasEphemeralKey, "ratchet key", What);
        SignalWire.Require(proto.HasCiphertext, "ciphertext", What);
        return new WhisperMessage(
            data.ToArray(),
            SignalKeys.Decode(proto.EphemeralKey.Span, "ratchet key"),
            proto.Counter,
            proto.PreviousCounter,
            proto.Ciphertext.ToByteArray());
    }

    /// <summary>Builds and MACs a message from us (<paramref name="senderIdentity"/>) to <paramref name="receiverIdentity"/>.</summary>
    public static byte[] Build(ReadOnlySpan<byte> ratchetKey, uint counter, uint previousCounter, byte[] ciphertext,
        ReadOnlySpan<byte> macKey, ReadOnlySpan<byte> senderIdentity, ReadOnlySpan<byte> receiverIdentity)
    {
        var proto = new WhisperMessageProto
        {
            EphemeralKey = Google.Protobuf.ByteString.CopyFrom(SignalKeys.Encode(ratchetKey)),
            Counter = counter,
            PreviousCounter = previousCounter,
            Ciphertext = Google.Protobuf.ByteString.CopyFrom(ciphertext),
        };
        var bytes = SignalWire.Serialize(proto, MacSize);
        ComputeMac(macKey, senderIdentity, receiverIdentity, bytes.AsSpan(0, bytes.Length - MacSize)).CopyTo(bytes.AsSpan(bytes.Length - MacSize));
        return bytes;
    }

    /// <summary>True when the MAC matches, the message coming from <paramref name="senderIdentity"/> to us.</summary>
    public bool MacMatches(ReadOnlySpan<byte> macKey, ReadOnlySpan<byte> senderIdentity, ReadOnlySpan<byte> receiverIdentity)
    {
        var expected = ComputeMac(macKey, senderIdentity, receiverIdentity, _bytes.AsSpan(0, _bytes.Length - MacSize));
        return CryptographicOperations.FixedTimeEquals(expected, _bytes.AsSpan(_bytes.Length - MacSize));
    }

    private static byte[] ComputeMac(ReadOnlySpan<byte> macKey, ReadOnlySpan<byte> senderIdentity, ReadOnlySpan<byte> receiverIdentity, ReadOnlySpan<byte> versionAndBody)
    {
        var input = new byte[2 * SignalKeys.EncodedSize + versionAndBody.Length];
        SignalKeys.Encode(senderIdentity).CopyTo(input, 0);
        SignalKeys.Encode(receiverIdentity).CopyTo(input, SignalKeys.EncodedSize);
        versionAndBody.CopyTo(input.AsSpan(2 * SignalKeys.EncodedSize));
        return HMACSHA256.HashData(macKey, input)[..MacSize];
    }
}
