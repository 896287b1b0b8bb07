// TEMPORARY: the group part of the Signal API r1 is writing (brief common11.md), declared here only so this branch
#pragma warning disable CA1822 // placeholder members mirror instance members of the real types
// builds before `git merge r1`; deleted in that merge. Every operation fails as on bad input.
namespace WaSms.WhatsApp.Signal;

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
