using WaSms.WhatsApp.Binary;

namespace WaSms.WhatsApp.Client;

/// <summary>Notifications (whatsmeow notification.go): every one is acked, then routed by its type.</summary>
internal sealed partial class Connection
{
    /// <summary>docs/whatsapp.md §4.5, §6.2, §9.3: ack, then the prekey count, the pair-code hello or the ADV refresh.</summary>
    private async Task HandleNotificationAsync(Node notification, CancellationToken cancellationToken)
    {
        var type = notification.Attr("type");
        var attributes = new List<(string Key, AttrValue Value)> { ("class", "notification"), ("id", notification.Attr("id") ?? string.Empty) };
        if (notification.JidAttr("from") is { } from)
        {
            attributes.Add(("to", from));
        }

        if (type is not null)
        {
            attributes.Add(("type", type));
        }

        await SendAsync(NodeHelpers.Make("ack", [.. attributes]), cancellationToken);
        if (type == "encrypt" && Credentials.IsPaired && notification.TryGetChild("count", out var countNode) && countNode.TryIntAttr("value", out var serverCount))
        {
            // Low-prekey push (docs/whatsapp.md §6.2), off the receive loop like the login steps.
            _background.Run("prekey-top-up", () => RunLoginStepAsync("prekeys", () => UploadPreKeysIfLowAsync(serverCount, Closing)));
            return;
        }

        if (type == "link_code_companion_reg" && !Credentials.IsPaired
            && notification.TryGetChild("link_code_companion_reg", out var reg) && reg.Attr("stage") == "primary_hello")
        {
            // Off the receive loop: the companion_finish result arrives through it.
            _background.Run("companion-finish", () => CompanionFinishAsync(reg, Closing));
            return;
        }

        if (type == "companion_reg_refresh" && !Credentials.IsPaired
            && (notification.TryGetChild("companion_reg_refresh", out _) || notification.TryGetChild("pair-device-rotate-qr", out _)))
        {
            await HandleCompanionRegRefreshAsync(cancellationToken);
            return;
        }

        await HandleMessagingNotificationAsync(notification, cancellationToken);
    }
}
