using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace WaSms.Gateway.Updates;

/// <summary>How much of a bundle has arrived; <paramref name="Total"/> null while the server has not said.</summary>
public sealed record DownloadProgress(long Bytes, long? Total);

/// <summary>
/// Downloads an update bundle into the updates directory (docs/updates.md §5): https with the handler's
/// certificate validation (the system's trust store in the service), resumable — the bytes so far stay in
/// <c>NAME.part</c>, and the next attempt, also after a restart, asks for the rest with <c>Range</c> and
/// <c>If-Range</c> (the server's strong ETag or Last-Modified), starting over when the server answers 200 —
/// bounded retries with a doubling wait, a size limit, and the sha256 checked when it is known.
/// </summary>
public sealed partial class BundleDownloader(
    string directory, long maxBundleBytes, int attempts, TimeSpan retryDelay, HttpMessageHandler handler, TimeProvider time, ILogger<BundleDownloader> log) : IDisposable
{
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromMinutes(10);

    /// <summary>A read that brings nothing for this long counts as a broken connection (and is resumed).</summary>
    private static readonly TimeSpan ReadStall = TimeSpan.FromSeconds(60);

    private readonly HttpClient _http = new(handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>Disposes the client; the handler was given and stays the giver's.</summary>
    public void Dispose() => _http.Dispose();

    /// <summary>Where bundles and partial downloads are kept.</summary>
    public string Directory { get; } = directory;

    /// <summary>Why <paramref name="text"/> is no bundle URL this gateway downloads, or null when it is one (then <paramref name="url"/> is set).</summary>
    public static string? CheckUrl(string text, bool allowHttp, out Uri? url)
    {
        url = null;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var parsed) || parsed.Host.Length == 0 || parsed.Scheme is not ("https" or "http"))
        {
            return $"\"{text}\" is not an https:// URL or the path of a bundle file";
        }
        if (parsed.Scheme == "http" && !allowHttp)
        {
            return $"{parsed.GetLeftPart(UriPartial.Path)}: http:// is refused, bundles are downloaded over https only (Updates:AllowHttp is for tests)";
        }
        url = parsed;
        return null;
    }

    /// <summary>True when <paramref name="text"/> is a sha256 as hex (64 digits).</summary>
    public static bool IsSha256(string text) => text.Length == 64 && text.All(char.IsAsciiHexDigit);

    /// <summary>
    /// Downloads <paramref name="url"/> (or finishes a partial download of it) and returns the bundle's path, its sha256
    /// checked when <paramref name="sha256"/> is given. Other bundles and partial downloads in the directory are deleted first.
    /// </summary>
    /// <exception cref="BundleDownloadException">The server or the network failed it after the retries, or the bundle is refused.</exception>
    public async Task<string> DownloadAsync(Uri url, string? sha256, IProgress<DownloadProgress> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(progress);
        var final = Path.Combine(PrepareDirectory(), FileNameFor(url));
        var part = final + ".part";
        DeleteBundles(keep: final);
        var shown = Shown(url);
        if (!File.Exists(final))
        {
            var delay = retryDelay;
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await AttemptAsync(url, part, progress, cancellationToken);
                    break;
                }
                catch (Exception ex) when (IsTransient(ex, cancellationToken))
                {
                    var reason = Reason(ex);
                    if (attempt >= attempts)
                    {
                        throw new BundleDownloadException($"downloading {shown} failed after {attempt} attempts: {reason}", refused: false, ex);
                    }
                    log.LogWarning("Downloading {Url} broke off at {Bytes} bytes ({Reason}); attempt {Next} of {Attempts} in {Delay}",
                        shown, Length(part), reason, attempt + 1, attempts, delay);
                    await Task.Delay(delay, time, cancellationToken);
                    delay = delay * 2 < MaxRetryDelay ? delay * 2 : MaxRetryDelay;
                }
            }
            File.Move(part, final, overwrite: true);
            File.Delete(part + ".source");
            log.LogInformation("Downloaded {Url}: {Bytes} bytes", shown, Length(final));
        }
        if (sha256 is not null)
        {
            string actual;
            await using (var file = File.OpenRead(final))
            {
                actual = Convert.ToHexStringLower(await SHA256.HashDataAsync(file, cancellationToken));
            }
            if (!actual.Equals(sha256, StringComparison.OrdinalIgnoreCase))
            {
                File.Delete(final);
                throw new BundleDownloadException($"{shown} has sha256 {actual}, not the expected {sha256.ToLowerInvariant()}", refused: true);
            }
        }
        return final;
    }

    /// <summary>Deletes every bundle and partial download in the directory but <paramref name="keep"/> (a bundle path) and its partial download.</summary>
    public void DeleteBundles(string? keep = null)
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            return;
        }
        foreach (var file in System.IO.Directory.EnumerateFiles(Directory))
        {
            var isBundle = file.EndsWith(".raucb", StringComparison.Ordinal) || file.EndsWith(".raucb.part", StringComparison.Ordinal)
                           || file.EndsWith(".raucb.part.source", StringComparison.Ordinal);
            if (isBundle && (keep is null || !file.StartsWith(keep, StringComparison.Ordinal)))
            {
                File.Delete(file);
            }
        }
    }

    /// <summary>One request: the rest of the partial download, or all of it; returns when the body is complete.</summary>
    private async Task AttemptAsync(Uri url, string part, IProgress<DownloadProgress> progress, CancellationToken cancellationToken)
    {
        var source = part + ".source";
        var known = ReadSource(source);
        var have = known is not null && known.Value.Url == url.AbsoluteUri && File.Exists(part) ? Length(part) : 0;
        if (have == 0)
        {
            File.Delete(part);
            File.Delete(source);
        }
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (have > 0)
        {
            request.Headers.Range = new RangeHeaderValue(have, null);
            // If-Range: the server sends the rest only if the file is still the one we have the start of, else all of it (RFC 9110 §13.1.5).
            if (known!.Value.Validator is { } validator)
            {
                request.Headers.IfRange = validator.StartsWith('"')
                    ? new RangeConditionHeaderValue(new EntityTagHeaderValue(validator))
                    : new RangeConditionHeaderValue(DateTimeOffset.Parse(validator, CultureInfo.InvariantCulture));
            }
        }
        HttpResponseMessage response;
        using (var stall = new CancellationTokenSource(ReadStall, time))
        using (var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stall.Token))
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, waiting.Token);
        }
        using var disposeResponse = response;
        long? total;
        switch (response.StatusCode)
        {
            case HttpStatusCode.PartialContent when have > 0:
                if (response.Content.Headers.ContentRange is not { From: { } from } range || from != have)
                {
                    File.Delete(part);
                    throw new IOException($"the server resumed at {response.Content.Headers.ContentRange}, not at byte {have}; starting over");
                }
                total = range.Length ?? (response.Content.Headers.ContentLength is { } rest ? have + rest : null);
                log.LogInformation("Resuming {Url} at byte {Bytes}", Shown(url), have);
                break;
            case HttpStatusCode.OK:
                // No Range support, or the file changed (If-Range): everything from the start.
                have = 0;
                total = response.Content.Headers.ContentLength;
                WriteSource(source, url, response);
                break;
            case HttpStatusCode.RequestedRangeNotSatisfiable when have > 0 && known!.Value.Total == have:
                return; // the broken connection had brought the last byte already
            case HttpStatusCode.RequestedRangeNotSatisfiable when have > 0:
                File.Delete(part);
                throw new IOException("the server cannot resume the partial download; starting over");
            case >= HttpStatusCode.InternalServerError or HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests:
                throw new HttpRequestException($"the server answered {(int)response.StatusCode} {response.ReasonPhrase}", null, response.StatusCode);
            default:
                throw new BundleDownloadException($"downloading {Shown(url)} failed: the server answered {(int)response.StatusCode} {response.ReasonPhrase}", refused: false);
        }
        if (total > maxBundleBytes)
        {
            DeleteBundles();
            throw new BundleDownloadException($"{Shown(url)} is {total} bytes, more than Updates:MaxBundleBytes ({maxBundleBytes})", refused: true);
        }
        progress.Report(new DownloadProgress(have, total));
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        await using var file = new FileStream(part, have == 0 ? FileMode.Create : FileMode.Append, FileAccess.Write, FileShare.Read, 1 << 16, useAsync: true);
        var buffer = new byte[1 << 16];
        while (true)
        {
            int read;
            using (var stall = new CancellationTokenSource(ReadStall, time))
            using (var reading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stall.Token))
            {
                read = await body.ReadAsync(buffer, reading.Token);
            }
            if (read == 0)
            {
                break;
            }
            have += read;
            if (have > maxBundleBytes)
            {
                await file.DisposeAsync();
                DeleteBundles();
                throw new BundleDownloadException($"{Shown(url)} grew past Updates:MaxBundleBytes ({maxBundleBytes} bytes); stopped", refused: true);
            }
            await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            progress.Report(new DownloadProgress(have, total));
        }
        await file.FlushAsync(cancellationToken);
        if (total is { } expected && have != expected)
        {
            throw new IOException($"the connection closed after {have} of {expected} bytes");
        }
    }

    private string PrepareDirectory()
    {
        // Only the service user reads what is about to be installed.
        System.IO.Directory.CreateDirectory(Directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.SetUnixFileMode(Directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return Directory;
    }

    /// <summary>A file name per URL: a hash of it, then its last path segment when that is a plain bundle name.</summary>
    internal static string FileNameFor(Uri url)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(url.AbsoluteUri)))[..12];
        var last = Uri.UnescapeDataString(url.Segments[^1]);
        return PlainName().IsMatch(last) ? $"{hash}-{last}" : $"{hash}-bundle.raucb";
    }

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,100}\.raucb$")]
    private static partial Regex PlainName();

    /// <summary>The URL as logs and reasons show it: without its query, which may carry a token.</summary>
    private static string Shown(Uri url) => url.GetLeftPart(UriPartial.Path);

    private static long Length(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;

    private static bool IsTransient(Exception ex, CancellationToken cancellationToken) => ex switch
    {
        BundleDownloadException => false,
        OperationCanceledException => !cancellationToken.IsCancellationRequested, // a stalled read
        HttpRequestException { StatusCode: null } => true, // connection refused, TLS, reset
        HttpRequestException { StatusCode: { } code } => code >= HttpStatusCode.InternalServerError || code is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests,
        IOException => true,
        _ => false,
    };

    private static string Reason(Exception ex) => ex switch
    {
        OperationCanceledException => $"nothing arrived for {ReadStall.TotalSeconds:0} s",
        HttpRequestException { InnerException: { } inner } http when http.StatusCode is null => $"{http.Message} ({inner.Message})",
        _ => ex.Message,
    };

    /// <summary>The partial download's origin: URL, the server's validator for If-Range, and the full length.</summary>
    private static void WriteSource(string path, Uri url, HttpResponseMessage response)
    {
        // A weak ETag may not be used in If-Range (RFC 9110 §13.1.5); Last-Modified then.
        var validator = response.Headers.ETag is { IsWeak: false } tag ? tag.Tag
            : response.Content.Headers.LastModified is { } modified ? modified.ToString("R", CultureInfo.InvariantCulture) : "";
        var total = response.Content.Headers.ContentLength?.ToString(CultureInfo.InvariantCulture) ?? "";
        File.WriteAllText(path, $"{url.AbsoluteUri}\n{validator}\n{total}\n");
    }

    private static (string Url, string? Validator, long? Total)? ReadSource(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }
        var lines = File.ReadAllLines(path);
        if (lines.Length < 3)
        {
            return null;
        }
        return (lines[0], lines[1].Length > 0 ? lines[1] : null,
            long.TryParse(lines[2], NumberStyles.None, CultureInfo.InvariantCulture, out var total) ? total : null);
    }
}
