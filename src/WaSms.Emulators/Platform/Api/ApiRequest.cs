using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using WaSms.Emulators.Shared;

namespace WaSms.Emulators.Platform.Api;

/// <summary>
/// One HTTP/1.1 request to the emulated API, read by hand (no Kestrel in the emulators): method, path,
/// and the parameters of the query string, an <c>application/x-www-form-urlencoded</c> body or a JSON
/// object body, merged (the body wins), as PHP's <c>$_REQUEST</c> would give Zender.
/// </summary>
public sealed class ApiRequest
{
    private const int MaxBodyBytes = 1024 * 1024;

    // A JSON API read by curl users: texts in any script stay readable (nothing here is put into HTML).
    private static readonly JsonSerializerOptions Readable = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private ApiRequest(string method, string path, Dictionary<string, string> parameters)
    {
        Method = method;
        Path = path;
        Parameters = parameters;
    }

    public string Method { get; }

    public string Path { get; }

    public IReadOnlyDictionary<string, string> Parameters { get; }

    /// <summary>A parameter, or null when absent.</summary>
    public string? this[string name] => Parameters.GetValueOrDefault(name);

    /// <summary>Reads a request; null when the client closed first. Throws <see cref="FormatException"/> naming what was wrong.</summary>
    public static async Task<ApiRequest?> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var head = await WebSocketUpgrade.ReadRequestAsync(stream, cancellationToken);
        if (head is null)
        {
            return null;
        }

        var parts = head.RequestLine.Split(' ');
        if (parts.Length != 3)
        {
            throw new FormatException("bad request line");
        }

        var target = parts[1];
        var question = target.IndexOf('?', StringComparison.Ordinal);
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        if (question >= 0)
        {
            AddForm(parameters, target[(question + 1)..]);
        }

        var length = 0;
        if (head.Headers.TryGetValue("Content-Length", out var lengthText) && !int.TryParse(lengthText, NumberStyles.None, CultureInfo.InvariantCulture, out length))
        {
            throw new FormatException("Content-Length is not a number");
        }

        if (length > MaxBodyBytes)
        {
            throw new FormatException($"the body is over {MaxBodyBytes} bytes");
        }

        if (length > 0)
        {
            if (head.Headers.TryGetValue("Expect", out var expect) && expect.Equals("100-continue", StringComparison.OrdinalIgnoreCase))
            {
                await stream.WriteAsync("HTTP/1.1 100 Continue\r\n\r\n"u8.ToArray(), cancellationToken);
            }

            var body = new byte[length];
            await stream.ReadExactlyAsync(body, cancellationToken);
            AddBody(parameters, head.Headers.GetValueOrDefault("Content-Type", ""), body);
        }

        return new ApiRequest(parts[0], question >= 0 ? target[..question] : target, parameters);
    }

    /// <summary>Writes the response: the status line, JSON body, and <c>Connection: close</c>.</summary>
    public static async Task RespondAsync(Stream stream, int status, JsonObject body, CancellationToken cancellationToken)
    {
        var json = Encoding.UTF8.GetBytes(body.ToJsonString(Readable));
        var reason = status switch { 200 => "OK", 400 => "Bad Request", 401 => "Unauthorized", 404 => "Not Found", 405 => "Method Not Allowed", _ => "Error" };
        var head = $"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {json.Length}\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), cancellationToken);
        await stream.WriteAsync(json, cancellationToken);
    }

    private static void AddBody(Dictionary<string, string> parameters, string contentType, byte[] body)
    {
        if (contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            JsonNode? node;
            try
            {
                node = JsonNode.Parse(body);
            }
            catch (JsonException)
            {
                throw new FormatException("the body is not JSON");
            }

            foreach (var (name, value) in node as JsonObject ?? throw new FormatException("the JSON body is not an object"))
            {
                parameters[name] = value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : value?.ToJsonString() ?? "";
            }
        }
        else if (contentType.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) || contentType.Length == 0)
        {
            AddForm(parameters, Encoding.UTF8.GetString(body));
        }
        else if (contentType.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            AddMultipart(parameters, contentType, body);
        }
        else
        {
            throw new FormatException("send the parameters as application/x-www-form-urlencoded (curl -d/--data-urlencode), multipart/form-data (curl -F) or a JSON object");
        }
    }

    /// <summary>
    /// multipart/form-data (RFC 7578) text fields: what <c>curl -F</c> and PHP's cURL with an array for
    /// <c>CURLOPT_POSTFIELDS</c> (WaSMS's own samples) send. A file field is refused: the emulator carries texts only.
    /// </summary>
    private static void AddMultipart(Dictionary<string, string> parameters, string contentType, byte[] body)
    {
        var boundary = contentType.Split(';').Select(p => p.Trim())
            .FirstOrDefault(p => p.StartsWith("boundary=", StringComparison.OrdinalIgnoreCase))?["boundary=".Length..].Trim('"');
        if (string.IsNullOrEmpty(boundary) || boundary.Length > 70)
        {
            throw new FormatException("multipart/form-data without a boundary");
        }
        // Latin-1 keeps one char per byte, so offsets found in the text are byte offsets of the body.
        var text = Encoding.Latin1.GetString(body);
        var delimiter = "--" + boundary;
        var at = text.IndexOf(delimiter, StringComparison.Ordinal);
        if (at < 0)
        {
            throw new FormatException("multipart/form-data body without its boundary");
        }
        while (true)
        {
            at += delimiter.Length;
            if (string.CompareOrdinal(text, at, "--", 0, 2) == 0)
            {
                return; // the closing delimiter
            }
            var headersEnd = text.IndexOf("\r\n\r\n", at, StringComparison.Ordinal);
            var next = text.IndexOf("\r\n" + delimiter, at, StringComparison.Ordinal);
            if (headersEnd < 0 || next < 0 || headersEnd > next)
            {
                throw new FormatException("multipart/form-data part without headers or an end");
            }
            var disposition = text[at..headersEnd].Split("\r\n")
                .FirstOrDefault(h => h.StartsWith("Content-Disposition:", StringComparison.OrdinalIgnoreCase)) ?? "";
            var name = DispositionParameter(disposition, "name")
                ?? throw new FormatException("multipart/form-data part without Content-Disposition: form-data; name=");
            if (DispositionParameter(disposition, "filename") is not null)
            {
                throw new FormatException($"multipart/form-data field '{name}' is a file; the emulator sends texts only");
            }
            parameters[Encoding.UTF8.GetString(Encoding.Latin1.GetBytes(name))] =
                Encoding.UTF8.GetString(body, headersEnd + 4, next - (headersEnd + 4));
            at = next + 2;
        }
    }

    private static string? DispositionParameter(string disposition, string parameter)
    {
        foreach (var part in disposition.Split(';').Skip(1).Select(p => p.Trim()))
        {
            if (part.StartsWith(parameter + "=", StringComparison.OrdinalIgnoreCase))
            {
                return part[(parameter.Length + 1)..].Trim('"');
            }
        }
        return null;
    }

    private static void AddForm(Dictionary<string, string> parameters, string form)
    {
        foreach (var pair in form.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Decode(equals < 0 ? pair : pair[..equals]);
            parameters[name] = equals < 0 ? "" : Decode(pair[(equals + 1)..]);
        }
    }

    private static string Decode(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));
}
