// TEMPORARY: the Signal API r1 is writing (brief common11.md), declared here only so this branch
#pragma warning disable CA1822 // placeholder members mirror instance members of the real types
// builds before `git merge r1`; deleted in that merge. Every operation fails as on bad input.
namespace WaSms.WhatsApp.Signal;

public sealed class SessionRecord
{
    public bool HasOpenSession => false;

    public uint? RemoteRegistrationId => null;

    public ReadOnlyMemory<byte> RemoteIdentityKey => default;

    public static SessionRecord Deserialize(ReadOnlySpan<byte> b) => new();

    public byte[] Serialize() => [];
}

public sealed record SignalDecryptResult(byte[] Plaintext, uint? UsedPreKeyId, ReadOnlyMemory<byte> RemoteIdentityKey);

public static class SessionBuilder
{
    public static void InitFromBundle(SessionRecord record, SignalIdentity local, PreKeyBundle bundle) =>
        throw new SignalException(SignalError.InvalidKey, "placeholder");
}

public static class SessionCipher
{
    public static (string EncType, byte[] Ciphertext) Encrypt(SessionRecord record, SignalIdentity local, ReadOnlySpan<byte> plaintext) =>
        throw new SignalException(SignalError.NoSession, "placeholder");

    public static SignalDecryptResult Decrypt(SessionRecord record, SignalIdentity local, ILocalPreKeys keys, string encType, ReadOnlySpan<byte> ciphertext) =>
        throw new SignalException(SignalError.InvalidMessage, "placeholder");
}

public static class PreKeyWhisperMessage
{
    public static (uint? PreKeyId, uint SignedPreKeyId, uint RegistrationId, ReadOnlyMemory<byte> IdentityKey, ReadOnlyMemory<byte> BaseKey) Peek(ReadOnlySpan<byte> pkmsg) =>
        throw new SignalException(SignalError.InvalidMessage, "placeholder");
}

public sealed class SenderKeyRecord
{
    public bool IsEmpty => true;

    public static SenderKeyRecord Deserialize(ReadOnlySpan<byte> b) => new();

    public byte[] Serialize() => [];
}

public static class GroupSessionBuilder
{
    public static byte[] CreateDistribution(SenderKeyRecord own) =>
        throw new SignalException(SignalError.NoSenderKey, "placeholder");

    public static void Process(SenderKeyRecord record, ReadOnlySpan<byte> distributionMessage) =>
        throw new SignalException(SignalError.InvalidMessage, "placeholder");
}

public static class GroupCipher
{
    public static byte[] Encrypt(SenderKeyRecord own, ReadOnlySpan<byte> paddedPlaintext) =>
        throw new SignalException(SignalError.NoSenderKey, "placeholder");

    public static byte[] Decrypt(SenderKeyRecord record, ReadOnlySpan<byte> skmsg) =>
        throw new SignalException(SignalError.NoSenderKey, "placeholder");
}

public static class MessagePadding
{
    public static byte[] Pad(ReadOnlySpan<byte> m) => [.. m, 1];

    public static byte[] Unpad(ReadOnlySpan<byte> m) =>
        throw new SignalException(SignalError.InvalidPadding, "placeholder");
}
