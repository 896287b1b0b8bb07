using Google.Protobuf;
using WaSms.WhatsApp.Proto;

namespace WaSms.WhatsApp.Signal;

/// <summary>
/// A PreKeyWhisperMessage (<c>&lt;enc type="pkmsg"&gt;</c>): <c>0x33 ‖ protobuf</c> wrapping the X3DH
/// parameters and a complete WhisperMessage (docs/protocol/signal.md §5).
/// </summary>
public static class PreKeyWhisperMessage
{
    private const string What = "PreKeyWhisperMessage";

    /// <summary>
    /// Reads the X3DH parameters without decrypting, so the caller can load the prekeys the message
    /// names. Keys are returned raw (32 bytes).
    /// </summary>
    /// <exception cref="SignalException">The bytes are not a valid pkmsg.</exception>
    public static (uint? PreKeyId, uint SignedPreKeyId, uint RegistrationId, ReadOnlyMemory<byte> IdentityKey, ReadOnlyMemory<byte> BaseKey) Peek(ReadOnlySpan<byte> pkmsg)
    {
        var content = Parse(pkmsg);
        return (content.PreKeyId, content.SignedPreKeyId, content.RegistrationId, content.IdentityKey, content.BaseKey);
    }

    internal static PreKeyWhisperContent Parse(ReadOnlySpan<byte> data)
    {
        SignalWire.CheckEnvelope(data, 2, What);
        var proto = SignalWire.Parse(PreKeyWhisperMessageProto.Parser, data[1..], What);
        SignalWire.Require(proto.HasBaseKey, "base key", What);
        SignalWire.Require(proto.HasIdentityKey, "identity key", What);
        SignalWire.Require(proto.HasMessage, "inner message", What);
        return new PreKeyWhisperContent(
            proto.HasPreKeyId ? proto.PreKeyId : null,
            proto.SignedPreKeyId,
            proto.RegistrationId,
            SignalKeys.Decode(proto.IdentityKey.Span, "identity key"),
            SignalKeys.Decode(proto.BaseKey.Span, "base key"),
            proto.Message.ToByteArray());
    }

    internal static byte[] Build(PreKeyWhisperContent content)
    {
        var proto = new PreKeyWhisperMessageProto
        {
            RegistrationId = content.RegistrationId,
            SignedPreKeyId = content.SignedPreKeyId,
            BaseKey = ByteString.CopyFrom(SignalKeys.Encode(content.BaseKey)),
            IdentityKey = ByteString.CopyFrom(SignalKeys.Encode(content.IdentityKey)),
            Message = ByteString.CopyFrom(content.Message),
        };
        if (content.PreKeyId is { } preKeyId)
        {
            proto.PreKeyId = preKeyId;
        }

        return SignalWire.Serialize(proto, 0);
    }
}

/// <summary>The fields of a PreKeyWhisperMessage; keys raw (32 bytes), <see cref="Message"/> a whole WhisperMessage.</summary>
internal sealed record PreKeyWhisperContent(uint? PreKeyId, uint SignedPreKeyId, uint RegistrationId, byte[] IdentityKey, byte[] BaseKey, byte[] Message);
