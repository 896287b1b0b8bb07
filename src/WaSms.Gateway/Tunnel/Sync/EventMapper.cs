using WaSms.Gateway.Tunnel.Identity;
using WaSms.Gateway.Tunnel.Protocol;
using WaSms.Storage;
using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Store;

namespace WaSms.Gateway.Tunnel.Sync;

/// <summary>Turns entries of the messaging stream into <c>event</c> frames (docs/tunnel.md §5).</summary>
public static class EventMapper
{
    /// <summary>The frame for <paramref name="entry"/>, or null for entries the platform is not sent (a job's creation).</summary>
    /// <param name="optOut">What the message did to the opt-out list (GatewayStore.OptOuts.cs); None for status entries.</param>
    /// <param name="gatewayId">The enrollment whose job ids status events carry (<see cref="PlatformJobIds"/>); other sends get <c>jobId</c> null.</param>
    public static EventFrame? ToFrame(MessageEvent entry, OptOutEffect optOut = OptOutEffect.None, string? gatewayId = null)
    {
        if (entry.Message is { } m)
        {
            // WhatsApp may address a sender by LID and give the phone number beside it (sender_alt): the
            // platform gets +E164 whenever the gateway knows it, the @lid only when it does not (§5).
            var from = Address(m.SenderAlt is { } alt && IsPhone(alt) && !IsPhone(m.Sender) ? alt : m.Sender);
            var chat = m.Chat == m.Sender ? from : Address(m.Chat);
            return new EventFrame
            {
                Cursor = entry.Cursor,
                Kind = "message",
                Message = new MessageInfo
                {
                    Id = m.Id,
                    Chat = chat,
                    From = from,
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
                    JobId = PlatformJobIds.JobIdOf(s.CallerId, gatewayId),
                    MessageId = s.MessageId,
                    State = JobHandler.StatusName(s.Status),
                    At = FrameValidator.FormatTime(s.At),
                    Reason = s.Status == MessageStatus.Failed ? s.Reason ?? "undeliverable" : null,
                },
            };
        }
        return null;
    }

    /// <summary>
    /// The frames for a page of the stream, in order (null for entries the platform is not sent), with one
    /// opt-out lookup for the page's messages and one enrollment read, not one query per event.
    /// </summary>
    public static async Task<IReadOnlyList<(MessageEvent Entry, EventFrame? Frame)>> ToFramesAsync(IReadOnlyList<MessageEvent> entries, GatewayStore store,
        DeviceIdentity identity, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(identity);
        var ids = entries.Where(e => e.Message is not null).Select(e => e.Message!.Id).ToList();
        var effects = ids.Count == 0 ? new Dictionary<string, OptOutEffect>() : await store.GetOptOutEffectsAsync(ids, cancellationToken);
        var gatewayId = entries.Any(e => e.Status is not null) ? (await identity.GetEnrollmentAsync(cancellationToken))?.GatewayId : null;
        return entries.Select(e => (e, ToFrame(e, e.Message is { } m ? effects.GetValueOrDefault(m.Id) : OptOutEffect.None, gatewayId))).ToList();
    }

    /// <summary><c>+E164</c> for a phone number's JID (any device suffix dropped), the JID itself otherwise (groups, <c>@lid</c>).</summary>
    public static string Address(string jid) =>
        Jid.TryParse(jid, out var parsed) && IsPhone(parsed) ? "+" + parsed.User : jid;

    private static bool IsPhone(string jid) => Jid.TryParse(jid, out var parsed) && IsPhone(parsed);

    private static bool IsPhone(Jid jid) => jid.User.Length > 0 && jid.Agent == 0 && jid.Server is JidServer.WhatsApp or JidServer.LegacyUser;
}
