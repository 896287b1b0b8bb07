using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Events;

namespace WaSms.WhatsApp.Client;

/// <summary>One-time prekeys on the server (whatsmeow prekeys.go; docs/whatsapp.md §6.2).</summary>
internal sealed partial class Connection
{
    private readonly SemaphoreSlim _preKeyUpload = new(1, 1);

    /// <summary>docs/whatsapp.md §6.2: <c>&lt;count/&gt;</c>, then an upload when the server is low.</summary>
    private async Task CountAndUploadPreKeysAsync(CancellationToken cancellationToken)
    {
        var count = await SendIqAsync("encrypt", "get", [NodeHelpers.Make("count")], cancellationToken);
        if (count.Attr("type") != "result" || !count.TryGetChild("count", out var value) || !value.TryIntAttr("value", out var serverCount))
        {
            throw new WaProtocolException($"The prekey count query got no <count value>: {ErrorText(count)}.");
        }

        await UploadPreKeysIfLowAsync(serverCount, cancellationToken);
    }

    /// <summary>
    /// docs/whatsapp.md §6.2: below 5 on the server, upload 812 keys for a new device or 50 more.
    /// Keys are saved before sending and marked uploaded after the result.
    /// </summary>
    private async Task UploadPreKeysIfLowAsync(int serverCount, CancellationToken cancellationToken)
    {
        if (serverCount >= PreKeyUpload.MinServerCount)
        {
            return;
        }

        await _preKeyUpload.WaitAsync(cancellationToken);
        try
        {
            var store = _client.PreKeys;
            var wanted = serverCount == 0 && await store.CountUploadedAsync(cancellationToken) == 0
                ? PreKeyUpload.InitialCount
                : PreKeyUpload.TopUpCount;
            var keys = await store.GetOrCreateUnuploadedAsync(wanted, cancellationToken);
            var reply = await SendIqAsync("encrypt", "set", PreKeyUpload.For(Credentials, keys).ToNodes(), cancellationToken);
            if (reply.Attr("type") != "result")
            {
                throw new WaProtocolException($"The server refused the prekey upload: {ErrorText(reply)}.");
            }

            await store.MarkUploadedAsync([.. keys.Select(k => k.Id)], cancellationToken);
            _client.Raise(new PreKeysUploaded(keys.Count, serverCount));
        }
        finally
        {
            _preKeyUpload.Release();
        }
    }
}
