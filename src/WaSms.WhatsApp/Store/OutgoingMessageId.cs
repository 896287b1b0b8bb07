using System.Security.Cryptography;

namespace WaSms.WhatsApp.Store;

/// <summary>
/// Ids for messages we send, in the form WhatsApp Web and Baileys use: <c>3EB0</c> and 18 upper-case
/// hex digits, 22 characters (docs/protocol/messaging.md). Random, so two gateways never collide.
/// </summary>
public static class OutgoingMessageId
{
    /// <summary>The prefix of every id we make.</summary>
    public const string Prefix = "3EB0";

    /// <summary>A new id.</summary>
    public static string New() => Prefix + Convert.ToHexString(RandomNumberGenerator.GetBytes(9));
}
