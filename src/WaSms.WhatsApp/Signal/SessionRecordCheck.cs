using Google.Protobuf;
using WaSms.WhatsApp.Proto;

namespace WaSms.WhatsApp.Signal;

/// <summary>
/// Checks a stored record before use, so a damaged store gives one <see cref="SignalException"/>
/// instead of failures deep inside the cipher: key lengths, at most one open session, the limits.
/// </summary>
internal static class SessionRecordCheck
{
    public static void Validate(SessionRecordData data)
    {
        Check(data.Sessions.Count <= SignalLimits.MaxSessions, "too many sessions");
        Check(data.Sessions.Count(s => !s.Closed) <= 1, "more than one open session");
        foreach (var s in data.Sessions)
        {
            Key(s.BaseKey, "base key");
            Key(s.RemoteIdentity, "remote identity");
            Key(s.RootKey, "root key");
            Key(s.RatchetPublic, "ratchet public key");
            Key(s.RatchetPrivate, "ratchet private key");
            Key(s.LastRemoteRatchet, "remote ratchet key");
            if (s.Sending is { } sending)
            {
                Key(sending.Key, "sending chain key");
            }

            Check(s.Receiving.Count <= SignalLimits.MaxReceiverChains, "too many receiving chains");
            foreach (var chain in s.Receiving)
            {
                Key(chain.RatchetKey, "receiving ratchet key");
                Check(chain.Chain is not null, "a receiving chain without chain key");
                OptionalKey(chain.Chain!.Key, "receiving chain key");
                Skipped(chain.Skipped);
            }

            if (s.PendingPreKey is { } pending)
            {
                Key(pending.BaseKey, "pending base key");
            }
        }
    }

    public static void Skipped(IReadOnlyCollection<SkippedKeyData> skipped)
    {
        Check(skipped.Count <= SignalLimits.MaxSkippedKeys, "too many skipped message keys");
        foreach (var key in skipped)
        {
            Key(key.Seed, "message key");
        }
    }

    public static void Key(ByteString key, string what) => Check(key.Length == SignalKdf.KeySize, $"a {what} of {key.Length} bytes");

    public static void OptionalKey(ByteString key, string what) => Check(key.Length is 0 or SignalKdf.KeySize, $"a {what} of {key.Length} bytes");

    public static void Check(bool ok, string problem)
    {
        if (!ok)
        {
            throw new SignalException(SignalError.InvalidMessage, $"The stored record is invalid: {problem}.");
        }
    }
}
