using System.Security.Cryptography;
using WaSms.WhatsApp.Crypto;
using WaSms.WhatsApp.Proto;

namespace WaSms.WhatsApp.Signal;

/// <summary>Sender keys for groups (docs/protocol/signal.md §7): making ours and taking in others'.</summary>
public static class GroupSessionBuilder
{
    /// <summary>
    /// Makes our sender key in <paramref name="own"/> when it is empty (random 31-bit id, random chain
    /// key, fresh signing key, iteration 0, as Baileys does) and returns the distribution message for
    /// it at its current iteration: <c>0x33 ‖ protobuf</c>.
    /// </summary>
    public static byte[] CreateDistribution(SenderKeyRecord own)
    {
        ArgumentNullException.ThrowIfNull(own);
        if (own.IsEmpty)
        {
            var signing = Curve25519KeyPair.Generate();
            own.Add(new SenderKeyStateData
            {
                KeyId = (uint)RandomNumberGenerator.GetInt32(int.MaxValue),
                Chain = new ChainData { Key = SignalWire.Bytes(RandomNumberGenerator.GetBytes(SignalKdf.KeySize)), Index = 0 },
                SigningPublic = SignalWire.Bytes(signing.PublicKey.Span),
                SigningPrivate = SignalWire.Bytes(signing.PrivateKey.Span),
            });
        }

        var state = own.Latest!;
        return new SenderKeyDistribution(state.KeyId, state.Chain.Index, state.Chain.Key.ToByteArray(), state.SigningPublic.ToByteArray()).Serialize();
    }

    /// <summary>
    /// Takes in a sender's distribution message. The same key again (same id and signing key) is
    /// ignored, so a repeated SKDM cannot wind the chain back and replay messages; otherwise the state
    /// becomes the newest, at most 5 kept.
    /// </summary>
    /// <exception cref="SignalException">The bytes are not a valid SKDM; the record is unchanged.</exception>
    public static void Process(SenderKeyRecord record, ReadOnlySpan<byte> distributionMessage)
    {
        ArgumentNullException.ThrowIfNull(record);
        var skdm = SenderKeyDistribution.Parse(distributionMessage);
        int existing = record.IndexOf(skdm.KeyId);
        if (existing >= 0 && record.Data.States[existing].SigningPublic.Span.SequenceEqual(skdm.SigningKey))
        {
            return;
        }

        record.Add(new SenderKeyStateData
        {
            KeyId = skdm.KeyId,
            Chain = new ChainData { Key = SignalWire.Bytes(skdm.ChainKey), Index = skdm.Iteration },
            SigningPublic = SignalWire.Bytes(skdm.SigningKey),
        });
    }
}
