using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;

namespace WaSms.Gateway.Tests.Simulator;

/// <summary>
/// One browser tab over the Chrome DevTools Protocol: JSON commands <c>{id, method, params}</c> on
/// the tab's WebSocket, answered by <c>{id, result}</c> or <c>{id, error}</c>
/// (https://chromedevtools.github.io/devtools-protocol/). Events are ignored.
/// </summary>
public sealed class CdpPage : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonObject>> _pending = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly Task _receiver;
    private int _nextId;

    private CdpPage(ClientWebSocket socket)
    {
        _socket = socket;
        _receiver = ReceiveAsync();
    }

    public static async Task<CdpPage> ConnectAsync(Uri webSocketUrl, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        await socket.ConnectAsync(webSocketUrl, cancellationToken);
        return new CdpPage(socket);
    }

    public async Task<JsonObject> SendAsync(string method, JsonObject? parameters, CancellationToken cancellationToken)
    {
        var id = Interlocked.Increment(ref _nextId);
        var answer = new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = answer;
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? new JsonObject() };
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            await _socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, cancellationToken);
        }
        finally
        {
            _sendLock.Release();
        }
        var response = await answer.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        if (response["error"] is JsonNode error)
        {
            throw new InvalidOperationException($"{method}: {error.ToJsonString()}");
        }
        return response["result"]?.AsObject() ?? [];
    }

    /// <summary>Runtime.evaluate with the value returned as JSON (promises awaited).</summary>
    public async Task<JsonNode?> EvaluateAsync(string expression, CancellationToken cancellationToken)
    {
        var result = await SendAsync("Runtime.evaluate", new JsonObject
        {
            ["expression"] = expression,
            ["returnByValue"] = true,
            ["awaitPromise"] = true,
        }, cancellationToken);
        if (result["exceptionDetails"] is JsonNode exception)
        {
            throw new InvalidOperationException($"{expression}: {exception.ToJsonString()}");
        }
        return result["result"]?["value"];
    }

    /// <summary>Polls <paramref name="expression"/> until it is true; the page updates from its own event stream.</summary>
    public async Task WaitUntilAsync(string expression, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            while (!await IsTrueAsync(expression, deadline.Token))
            {
                await Task.Delay(100, deadline.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            var page = await EvaluateAsync("document.body.innerText", cancellationToken);
            throw new TimeoutException($"still not true after {timeout}: {expression}\npage text:\n{page}");
        }
    }

    /// <summary>False also while the expression throws (the page is still loading).</summary>
    private async Task<bool> IsTrueAsync(string expression, CancellationToken cancellationToken)
    {
        try
        {
            return await EvaluateAsync(expression, cancellationToken) is JsonValue value && value.TryGetValue<bool>(out var ok) && ok;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Page.captureScreenshot of the viewport, as PNG bytes.</summary>
    public async Task<byte[]> ScreenshotAsync(CancellationToken cancellationToken)
    {
        var result = await SendAsync("Page.captureScreenshot", new JsonObject { ["format"] = "png" }, cancellationToken);
        return Convert.FromBase64String((string)result["data"]!);
    }

    /// <summary>The centre of the element <paramref name="selector"/> in viewport pixels (for mouse events).</summary>
    public async Task<(double X, double Y)> CentreOfAsync(string selector, CancellationToken cancellationToken)
    {
        var box = await EvaluateAsync(
            $"(() => {{ const r = document.querySelector({JsonValue.Create(selector).ToJsonString()}).getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; }})()",
            cancellationToken);
        return ((double)box![0]!, (double)box[1]!);
    }

    /// <summary>Input.dispatchMouseEvent with the left button: <c>mousePressed</c> or <c>mouseReleased</c>, like a real mouse.</summary>
    public Task MouseAsync(string type, (double X, double Y) at, CancellationToken cancellationToken) =>
        SendAsync("Input.dispatchMouseEvent", new JsonObject
        {
            ["type"] = type,
            ["x"] = at.X,
            ["y"] = at.Y,
            ["button"] = "left",
            ["buttons"] = type == "mousePressed" ? 1 : 0,
            ["clickCount"] = 1,
        }, cancellationToken);

    public async Task ClickAsync(string selector, CancellationToken cancellationToken)
    {
        var at = await CentreOfAsync(selector, cancellationToken);
        await MouseAsync("mouseMoved", at, cancellationToken);
        await MouseAsync("mousePressed", at, cancellationToken);
        await MouseAsync("mouseReleased", at, cancellationToken);
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        try
        {
            while (true)
            {
                var read = await _socket.ReceiveAsync(buffer, _stop.Token);
                if (read.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }
                message.Write(buffer, 0, read.Count);
                if (!read.EndOfMessage)
                {
                    continue;
                }
                var json = JsonNode.Parse(message.GetBuffer().AsSpan(0, (int)message.Length))!.AsObject();
                message.SetLength(0);
                if (json["id"] is JsonNode id && _pending.TryRemove((int)id, out var answer))
                {
                    answer.TrySetResult(json);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
        }
        foreach (var answer in _pending.Values)
        {
            answer.TrySetException(new WebSocketException("DevTools connection closed"));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _receiver;
        _socket.Dispose();
        _stop.Dispose();
        _sendLock.Dispose();
    }
}
