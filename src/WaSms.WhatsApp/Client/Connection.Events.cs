using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Events;
using WaSms.WhatsApp.Socket;

namespace WaSms.WhatsApp.Client;

/// <summary>The connection's own stanzas (whatsmeow connectionevents.go): success and the steps after it, failure, stream errors.</summary>
internal sealed partial class Connection
{
    private async Task HandleSuccessAsync(Node success, CancellationToken cancellationToken)
    {
        var lid = success.JidAttr("lid");
        if (lid is not null && lid != Credentials.Lid)
        {
            Credentials = Credentials with { Lid = lid };
            await _client.Store.SaveAsync(Credentials, cancellationToken);
        }

        _loggedIn = true;
        var keepAlive = new CancellationTokenSource();
        _keepAlive = keepAlive;
        _background.Run("keepalive", () => KeepAliveAsync(keepAlive.Token));

        // Off the receive loop: the answers to these iqs arrive through it.
        _background.Run("after-login", () => AfterLoginAsync(Closing));
    }

    /// <summary>
    /// docs/whatsapp.md §6.1, in the order whatsmeow and Baileys use: prekey count (and upload
    /// when low), then <c>active</c>, then <see cref="Connected"/>. A failed step is reported and
    /// the link stays up, as in both.
    /// </summary>
    private async Task AfterLoginAsync(CancellationToken cancellationToken)
    {
        if (await RunLoginStepAsync("prekeys", () => CountAndUploadPreKeysAsync(cancellationToken))
            && await RunLoginStepAsync("passive", () => SetPassiveAsync(false, cancellationToken))
            && await RunLoginStepAsync("presence", () => SendPresenceAvailableAsync(cancellationToken))
            && Outcome == ConnectionOutcome.None)
        {
            _client.Raise(new Connected(Credentials.Jid!, Credentials.Lid));
            StartOutbox();
        }
    }

    /// <summary>Runs one step after login; a failure becomes <see cref="LoginStepFailed"/> and the link stays up.</summary>
    /// <returns>False when the connection ended meanwhile (its outcome says why).</returns>
    private async Task<bool> RunLoginStepAsync(string step, Func<Task> work)
    {
        try
        {
            await work();
        }
        catch (Exception ex) when (ex is WaProtocolException or TimeoutException || ex is WaSocketException && Outcome == ConnectionOutcome.None)
        {
            _client.Raise(new LoginStepFailed(step, ex.Message));
        }
        catch (Exception ex) when (ex is OperationCanceledException or WaSocketException)
        {
            return false;
        }

        return true;
    }

    private Task HandleFailureAsync(Node failure, CancellationToken cancellationToken)
    {
        failure.TryIntAttr("reason", out var reason);
        WaEvent e = reason switch
        {
            405 => new ClientOutdated(failure.Attr("location")),
            401 or 403 or 406 => new LoggedOut(reason, failure.Attr("logout_message_header") ?? failure.Attr("message")),
            _ => new ConnectFailure(reason, failure.Attr("message")),
        };
        _client.Raise(e);
        Outcome = ConnectionOutcome.Ended;
        return Task.CompletedTask;
    }

    private Task HandleStreamErrorAsync(Node error, CancellationToken cancellationToken)
    {
        error.TryIntAttr("code", out var code);
        var conflict = error.TryGetChild("conflict", out var conflictNode) ? conflictNode.Attr("type") ?? "conflict" : null;
        if (code == 515)
        {
            Outcome = ConnectionOutcome.Restart;
        }
        else
        {
            _client.Raise(code == 401 || conflict == "device_removed" ? new LoggedOut(401, conflict) : new StreamError(code, conflict));
            Outcome = ConnectionOutcome.Ended;
        }

        return Task.CompletedTask;
    }
}
