using WaSms.Gateway.Tunnel.Protocol;
using WaSms.Storage;
using WaSms.WhatsApp.Store;

namespace WaSms.Gateway.Tunnel.Sync;

/// <summary>Turns entries of the messaging stream into <c>event</c> frames (docs/tunnel.md §5).</summary>
public static class EventMapper
{
    /// <summary>The frame for <paramref name="entry"/>, or null for entries the platform is not sent (a job's creation).</summary>
    /// <param name="optOut">What the message did to the opt-out list (GatewayStore.OptOuts.cs); None for status entries.</param>
    public static EventFrame? ToFrame(MessageEvent entry, OptOutEffect optOut = OptOutEffect.None)
    {
        if (entry.Message is { } m)
        {
            return new EventFrame
            {
                Cursor = entry.Cursor,
                Kind = "message",
                Message = new MessageInfo
                {
                    Id = m.Id,
                    Chat = Address(m.Chat),
                    From = Address(m.Sender),
                    FromMe = m.FromMe,
                    PushName = m.PushName,
                    Timestamp = FrameValidator.FormatTime(m.Timestamp),
                    MessageType = m.Type,
                    Text = m.Text,
                    OptOut = optOut == OptOutEffect.OptedOut,
                    OptIn = optOut == OptOutEffect.OptedIn ? true : null,
                },
            };
        }
        if (entry.Status is { } s && s.Status != MessageStatus.Pending)
        {
            return new EventFrame
            {
                Cursor = entry.Cursor,
                Kind = "status",
                Status = new StatusInfo
                {
                    JobId = s.CallerId,
                    MessageId = s.MessageId,
                    State = JobHandler.StatusName(s.Status),
                    At = FrameValidator.FormatTime(s.At),
                    Reason = s.Status == MessageStatus.Failed ? s.Reason ?? "undeliverable" : null,
                },
            };
        }
        return null;
    }

    /// <summary><c>+E164</c> for a phone number's JID (any device suffix dropped), the JID itself otherwise (groups, <c>@lid</c>).</summary>
    public static string Address(string jid)
    {
        var at = jid.IndexOf('@');
        if (at > 0 && jid.AsSpan(at) is "@s.whatsapp.net" or "@c.us")
        {
            var user = jid[..at];
            var colon = user.IndexOf(':');
            return "+" + (colon > 0 ? user[..colon] : user);
        }
        return jid;
    }
}
