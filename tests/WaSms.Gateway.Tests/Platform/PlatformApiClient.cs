using System.Text.Json.Nodes;

namespace WaSms.Gateway.Tests.Platform;

/// <summary>The emulator's HTTP API as a curl user calls it: <c>secret</c> in every call, the <c>{"status","message","data"}</c> envelope.</summary>
internal sealed class PlatformApiClient(Uri apiUrl, string secret) : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(15) };

    /// <summary>GET <paramref name="path"/> (e.g. <c>get/wa.sent</c>) with the secret and <paramref name="query"/>; returns the envelope.</summary>
    public async Task<JsonObject> GetAsync(string path, params (string Name, string Value)[] query)
    {
        var text = string.Join("&", query.Prepend(("secret", secret)).Select(p => $"{p.Item1}={Uri.EscapeDataString(p.Item2)}"));
        return await ReadAsync(await _http.GetAsync(new Uri($"{apiUrl}/{path}?{text}")));
    }

    /// <summary>POST a form (as <c>curl -d</c>) with the secret; returns the envelope.</summary>
    public async Task<JsonObject> PostFormAsync(string path, params (string Name, string Value)[] form)
    {
        using var content = new FormUrlEncodedContent(form.Prepend(("secret", secret)).Select(p => new KeyValuePair<string, string>(p.Item1, p.Item2)));
        return await ReadAsync(await _http.PostAsync(new Uri($"{apiUrl}/{path}"), content));
    }

    /// <summary>POST multipart/form-data (as <c>curl -F</c>, or PHP's cURL given an array) with the secret; <paramref name="file"/> adds a file field.</summary>
    public async Task<JsonObject> PostMultipartAsync(string path, (string Name, string Value)[] fields, (string Name, string FileName)? file = null)
    {
        using var content = new MultipartFormDataContent();
        foreach (var (name, value) in fields.Prepend(("secret", secret)))
        {
            content.Add(new StringContent(value), name);
        }
        if (file is { } f)
        {
            content.Add(new ByteArrayContent("GIF89a"u8.ToArray()), f.Name, f.FileName);
        }
        return await ReadAsync(await _http.PostAsync(new Uri($"{apiUrl}/{path}"), content));
    }

    /// <summary>The <c>data</c> array of a list call, asserting status 200.</summary>
    public async Task<JsonArray> ListAsync(string path, params (string Name, string Value)[] query)
    {
        var envelope = await GetAsync(path, query);
        Assert.True((int?)envelope["status"] == 200, envelope.ToJsonString());
        return envelope["data"]!.AsArray();
    }

    public void Dispose() => _http.Dispose();

    private static async Task<JsonObject> ReadAsync(HttpResponseMessage response)
    {
        using (response)
        {
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
            Assert.Equal((int)response.StatusCode, (int?)body["status"]);
            Assert.NotNull(body["message"]);
            Assert.True(body.ContainsKey("data"));
            return body;
        }
    }
}
