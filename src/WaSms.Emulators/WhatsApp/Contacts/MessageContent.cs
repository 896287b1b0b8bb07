using System.Security.Cryptography;
using WaSms.WhatsApp.Proto.E2E;

namespace WaSms.Emulators.WhatsApp.Contacts;

/// <summary>Reading and making the <c>waE2E.Message</c> contents an emulated phone handles (docs/protocol/messaging.md §6.3, §7).</summary>
internal static class MessageContent
{
    /// <summary>A message id as both libraries make them: <c>3EB0</c> and 18 upper-case hex digits.</summary>
    public static string NewId() => "3EB0" + Convert.ToHexString(RandomNumberGenerator.GetBytes(9));

    /// <summary>The text of a message (conversation or extended text), through the device-sent, ephemeral and view-once wrappers; null for anything else.</summary>
    /// <param name="message">The decrypted message.</param>
    /// <param name="destination">The device-sent copy's destination chat, if the message was one.</param>
    public static string? TextOf(Message message, out string? destination)
    {
        destination = null;
        if (message.DeviceSentMessage is { } sent)
        {
            destination = sent.HasDestinationJid ? sent.DestinationJid : null;
            message = sent.Message ?? new Message();
        }

        for (var depth = 0; depth < 4; depth++)
        {
            var inner = message.EphemeralMessage?.Message ?? message.ViewOnceMessage?.Message ?? message.ViewOnceMessageV2?.Message;
            if (inner is null)
            {
                break;
            }

            message = inner;
        }

        if (message.HasConversation)
        {
            return message.Conversation;
        }

        return message.ExtendedTextMessage is { HasText: true } extended ? extended.Text : null;
    }

    /// <summary>The device-sent wrapper for the sender's own other devices (§6.3).</summary>
    public static Message DeviceSent(Message message, string destinationJid) =>
        new() { DeviceSentMessage = new DeviceSentMessage { DestinationJid = destinationJid, Message = message } };
}
