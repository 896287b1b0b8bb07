using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Events;
using WaSms.WhatsApp.Socket;

namespace WaSms.WhatsApp.Client;

/// <summary>What the owner asks of a logged-in connection: passive/active and logout (docs/whatsapp.md §6.1, §6.3).</summary>
internal sealed partial class Connection
{
    public async Task SetPassiveAsync(bool passive, CancellationToken cancellationToken)
    {
        if (!_loggedIn)
        {
            throw new InvalidOperationException("The client is not logged in.");
        }

        var reply = await SendIqAsync("passive", "set", [NodeHelpers.Make(passive ? "passive" : "active")], cancellationToken);
        if (reply.Attr("type") != "result")
        {
            throw new WaSocketException($"The server refused {(passive ? "passive" : "active")}: {ErrorText(reply)}.");
        }
    }

    public async Task LogoutAsync(CancellationToken cancellationToken)
    {
        if (!_loggedIn || Credentials.Jid is not { } jid)
        {
            throw new InvalidOperationException("The client is not logged in.");
        }

        var reply = await SendIqAsync("md", NodeHelpers.Make("remove-companion-device", ("jid", jid), ("reason", "user_initiated")), cancellationToken);
        if (reply.Attr("type") != "result")
        {
            throw new WaSocketException($"The server refused the logout: {ErrorText(reply)}.");
        }

        Outcome = ConnectionOutcome.Ended;
        _client.Raise(new LoggedOut(0, "user_initiated"));
        await _socket!.CloseAsync(CancellationToken.None);
    }
}
