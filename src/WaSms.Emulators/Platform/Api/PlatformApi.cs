using System.Globalization;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using WaSms.Emulators.Platform.Protocol;
using WaSms.Emulators.Platform.Store;
using WaSms.Emulators.Platform.Tunnel;
using WaSms.Emulators.Shared;

namespace WaSms.Emulators.Platform.Api;

/// <summary>
/// A small HTTP API shaped like WaSMS's public one (a Zender deployment:
/// https://wasms.net/clientarea/knowledgebase/20/WhatsApp.html): every call takes the <c>secret</c>
/// API key and answers <c>{"status","message","data"}</c>. Jobs and resets go to the gateway over the
/// tunnel; <c>account</c>/<c>unique</c> is the gateway's WhatsApp account id. Plain HTTP on loopback.
/// </summary>
public sealed partial class PlatformApi : IAsyncDisposable
{
    private readonly LoopbackAcceptor _acceptor;
    private readonly PlatformStore _store;
    private readonly TunnelHub _hub;
    private readonly string _secret;

    public PlatformApi(PlatformStore store, TunnelHub hub, string secret, int port = 0)
    {
        _store = store;
        _hub = hub;
        _secret = secret;
        _acceptor = new LoopbackAcceptor(HandleClientAsync, port);
    }

    /// <summary>The base URL the endpoints follow (<c>…/api</c>), valid after <see cref="Start"/>.</summary>
    public Uri BaseUri => new($"http://127.0.0.1:{_acceptor.Port}/api");

    public void Start() => _acceptor.Start();

    public ValueTask DisposeAsync() => _acceptor.DisposeAsync();

    private async Task HandleClientAsync(TcpClient client, CancellationToken cancellationToken)
    {
        using var owned = client;
        var stream = client.GetStream();
        try
        {
            ApiRequest? request;
            try
            {
                request = await ApiRequest.ReadAsync(stream, cancellationToken);
            }
            catch (FormatException ex)
            {
                await ApiRequest.RespondAsync(stream, 400, Envelope(400, ex.Message), cancellationToken);
                return;
            }

            if (request is not null)
            {
                var (status, body) = await RouteAsync(request, cancellationToken);
                await ApiRequest.RespondAsync(stream, status, body, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The client went away.
        }
    }

    private async Task<(int Status, JsonObject Body)> RouteAsync(ApiRequest request, CancellationToken cancellationToken)
    {
        if (request["secret"] is not { } secret || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(_secret)))
        {
            return (401, Envelope(401, "Invalid API secret supplied!"));
        }

        try
        {
            return (request.Method, request.Path) switch
            {
                ("POST", "/api/send/whatsapp") => await SendAsync(request, cancellationToken),
                ("GET", "/api/get/wa.accounts") => await AccountsAsync(cancellationToken),
                ("GET", "/api/get/wa.received") => await ReceivedAsync(request, cancellationToken),
                ("GET", "/api/get/wa.sent") => await SentAsync(request, cancellationToken),
                ("GET", "/api/get/wa.commands") => await CommandsAsync(request, cancellationToken),
                ("GET", "/api/create/wa.relink") => await CommandAsync(request, "reset", new JsonObject { ["mode"] = "relink" }, cancellationToken),
                ("GET", "/api/delete/wa.account") => await DeleteAsync(request, cancellationToken),
                ("POST", "/api/dev/command") => await DevCommandAsync(request, cancellationToken),
                ("POST", "/api/dev/refuse") => Refuse(request),
                ("GET" or "POST", "/api/dev/code") => Ok("Enrollment code created!", new JsonObject { ["code"] = await _store.IssueCodeAsync(cancellationToken) }),
                (_, "/api/send/whatsapp" or "/api/dev/command" or "/api/dev/refuse") => (405, Envelope(405, $"use POST for {request.Path}")),
                _ => (404, Envelope(404, $"no endpoint {request.Method} {request.Path}")),
            };
        }
        catch (ApiException ex)
        {
            return (ex.Status, Envelope(ex.Status, ex.Message));
        }
        catch (Microsoft.Data.Sqlite.SqliteException)
        {
            return (500, Envelope(500, "the platform's database failed"));
        }
    }

    private async Task<(int, JsonObject)> SendAsync(ApiRequest request, CancellationToken cancellationToken)
    {
        var gateway = await AccountAsync(request, "account", cancellationToken);
        if ((request["type"] ?? "text") != "text")
        {
            throw new ApiException(400, "Only type=text is supported (protocol v1 sends texts)");
        }

        var recipient = Required(request, "recipient");
        if (!RecipientPattern().IsMatch(recipient))
        {
            throw new ApiException(400, "Invalid recipient: +E164 number or group address (…@g.us)");
        }

        var message = Required(request, "message");
        if (message.Length > 65536)
        {
            throw new ApiException(400, "Message is over 65,536 characters");
        }

        var priority = request["priority"] switch { null or "" or "2" => 2, "1" => 1, _ => throw new ApiException(400, "priority is 1 (send now) or 2 (queue)") };
        var (jobId, _) = await _store.EnqueueJobAsync(gateway.Id, recipient, message, priority, cancellationToken);
        _hub.Notify(gateway.Id);
        return Ok("WhatsApp chat has been queued for sending!", new JsonObject { ["id"] = jobId, ["messageId"] = jobId });
    }

    private async Task<(int, JsonObject)> AccountsAsync(CancellationToken cancellationToken)
    {
        var list = new JsonArray();
        foreach (var gateway in await _store.ListGatewaysAsync(cancellationToken))
        {
            var state = gateway.State is null ? null : JsonNode.Parse(gateway.State);
            list.Add((JsonNode)new JsonObject
            {
                ["id"] = gateway.Id,
                ["unique"] = gateway.Unique,
                ["phone"] = (string?)state?["account"]?["phone"],
                ["status"] = AccountStatus(gateway, (string?)state?["state"]),
                ["state"] = state,
                ["pairing"] = gateway.Pairing is null ? null : JsonNode.Parse(gateway.Pairing),
                ["revoked"] = gateway.Revoked,
                ["created"] = PlatformTime.Format(gateway.Created),
            });
        }

        return Ok("WhatsApp Accounts", list);
    }

    /// <summary>Zender's account statuses from the tunnel and the gateway's latest state.</summary>
    private string AccountStatus(PlatformGateway gateway, string? state) =>
        gateway.Revoked || !_hub.IsConnected(gateway.Id) ? "disconnected" : state switch
        {
            null => "unknown",
            "online" or "degraded" => "connected",
            "resetting" => "disconnecting",
            "booting" or "connecting" or "pairing" or "updating" => "connecting",
            _ => "disconnected",
        };

    private async Task<(int, JsonObject)> DeleteAsync(ApiRequest request, CancellationToken cancellationToken)
    {
        var gateway = await AccountAsync(request, "unique", cancellationToken);
        // Revoked at once (its next hello is refused); a connected gateway also gets reset/unlink first.
        await _store.RevokeAsync(gateway.Id, cancellationToken);
        await _store.EnqueueCommandAsync(gateway.Id, "reset", new JsonObject { ["mode"] = "unlink" }, cancellationToken);
        _hub.Notify(gateway.Id);
        return Ok("WhatsApp account has been deleted!", null);
    }

    /// <summary>
    /// The platform's refusals, for trying a gateway against them (docs/tunnel.md §8, §11): from now on
    /// every <c>enroll</c>/<c>hello</c> is answered <c>forbidden</c>, <c>rate-limited</c> (with
    /// <c>retryAfter</c>, default 30 s) or <c>unavailable</c>; <c>code=none</c> lifts it.
    /// </summary>
    private (int, JsonObject) Refuse(ApiRequest request)
    {
        var code = Required(request, "code");
        int? retryAfter = null;
        if (request["retryAfter"] is { Length: > 0 } text)
        {
            retryAfter = int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds is >= 1 and <= 86400
                ? seconds : throw new ApiException(400, "retryAfter is whole seconds, 1-86400");
        }

        _hub.Refusal = code switch
        {
            "none" => null,
            "forbidden" or "unavailable" => new HandshakeRefusal(code, null, request["message"]),
            "rate-limited" => new HandshakeRefusal(code, retryAfter ?? 30, request["message"]),
            _ => throw new ApiException(400, "code is forbidden, rate-limited, unavailable or none"),
        };
        return Ok(code == "none" ? "Handshakes are accepted again" : $"Every handshake is now answered {code}",
            _hub.Refusal is { } r ? new JsonObject { ["code"] = r.Code, ["retryAfter"] = r.RetryAfter } : null);
    }

    private async Task<(int, JsonObject)> DevCommandAsync(ApiRequest request, CancellationToken cancellationToken)
    {
        var name = Required(request, "name");
        JsonObject args;
        try
        {
            args = JsonNode.Parse(request["args"] is { Length: > 0 } text ? text : "{}") as JsonObject ?? throw new ApiException(400, "args is a JSON object");
        }
        catch (System.Text.Json.JsonException)
        {
            throw new ApiException(400, "args is a JSON object");
        }

        return await CommandAsync(request, name, args, cancellationToken);
    }

    private async Task<(int, JsonObject)> CommandAsync(ApiRequest request, string name, JsonObject args, CancellationToken cancellationToken)
    {
        var gateway = await AccountAsync(request, "unique", cancellationToken);
        var (id, _) = await _store.EnqueueCommandAsync(gateway.Id, name, args, cancellationToken);
        _hub.Notify(gateway.Id);
        return Ok($"Command {name} queued for the gateway", new JsonObject { ["commandId"] = id });
    }

    private async Task<PlatformGateway> AccountAsync(ApiRequest request, string parameter, CancellationToken cancellationToken)
    {
        var unique = Required(request, parameter);
        var gateway = await _store.GetGatewayByUniqueAsync(unique, cancellationToken);
        return gateway is { Revoked: false } ? gateway : throw new ApiException(404, "WhatsApp account doesn't exist!");
    }

    private async Task<string?> OptionalAccountAsync(ApiRequest request, CancellationToken cancellationToken) =>
        request["unique"] is { Length: > 0 } ? (await _store.GetGatewayByUniqueAsync(request["unique"]!, cancellationToken))?.Id ?? "none" : null;

    private static string Required(ApiRequest request, string name) =>
        request[name] is { Length: > 0 } value ? value : throw new ApiException(400, $"Missing parameter: {name}");

    private static (int Limit, int Offset) Page(ApiRequest request)
    {
        var limit = int.TryParse(request["limit"], NumberStyles.None, CultureInfo.InvariantCulture, out var l) && l is > 0 and <= 1000 ? l : 10;
        var page = int.TryParse(request["page"], NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p > 0 ? p : 1;
        return (limit, (page - 1) * limit);
    }

    private static (int, JsonObject) Ok(string message, JsonNode? data) => (200, Envelope(200, message, data));

    private static JsonObject Envelope(int status, string message, JsonNode? data = null) =>
        new() { ["status"] = status, ["message"] = message, ["data"] = data ?? JsonValue.Create(false) };

    [GeneratedRegex(@"^(\+[1-9][0-9]{6,15}|[0-9]{5,20}(-[0-9]{5,20})?@g\.us)$", RegexOptions.CultureInvariant)]
    private static partial Regex RecipientPattern();

    private sealed class ApiException(int status, string message) : Exception(message)
    {
        public int Status { get; } = status;
    }
}
