using Google.Protobuf;
using WaSms.WhatsApp.Proto;

namespace WaSms.WhatsApp.Socket;

/// <summary>Encodes and decodes the HandshakeMessage protobuf, turning parse errors into typed handshake errors.</summary>
internal static class HandshakeMessages
{
    internal static HandshakeMessage Parse(ReadOnlySpan<byte> frame)
    {
        try
        {
            return HandshakeMessage.Parser.ParseFrom(frame);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new NoiseHandshakeException(NoiseHandshakeError.MalformedMessage, $"A handshake frame is not a HandshakeMessage: {ex.Message}", ex);
        }
    }

    internal static byte[] ClientHello(ReadOnlySpan<byte> ephemeral) =>
        new HandshakeMessage { ClientHello = new HandshakeMessage.Types.ClientHello { Ephemeral = ByteString.CopyFrom(ephemeral) } }.ToByteArray();

    internal static byte[] ServerHello(ReadOnlySpan<byte> ephemeral, byte[] staticCiphertext, byte[] payloadCiphertext) =>
        new HandshakeMessage
        {
            ServerHello = new HandshakeMessage.Types.ServerHello
            {
                Ephemeral = ByteString.CopyFrom(ephemeral),
                Static = ByteString.CopyFrom(staticCiphertext),
                Payload = ByteString.CopyFrom(payloadCiphertext),
            },
        }.ToByteArray();

    internal static byte[] ClientFinish(byte[] staticCiphertext, byte[] payloadCiphertext) =>
        new HandshakeMessage
        {
            ClientFinish = new HandshakeMessage.Types.ClientFinish
            {
                Static = ByteString.CopyFrom(staticCiphertext),
                Payload = ByteString.CopyFrom(payloadCiphertext),
            },
        }.ToByteArray();

    internal static NoiseHandshakeException Missing(string what) => new(NoiseHandshakeError.MissingField, $"The handshake message lacks {what}.");
}
