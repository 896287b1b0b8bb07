using System.Text.Json.Nodes;
using WaSms.Emulators.Platform.Api;
using WaSms.Emulators.Platform.Store;
using WaSms.Emulators.Platform.Tls;
using WaSms.Emulators.Platform.Tunnel;

namespace WaSms.Emulators.Platform;

/// <summary>
/// The WaSMS platform emulator: the platform side of docs/tunnel.md (enrollment codes, device
/// credentials, revocation, events, jobs, commands) over TLS under its own test CA, plus the small
/// HTTP API. Everything it keeps lives in its data directory (SQLite, the CA, the API secret), so a
/// restart, or a kill -9, resumes where it was.
/// </summary>
public sealed class PlatformEmulator : IAsyncDisposable
{
    private readonly PlatformCertificates _certificates;
    private readonly TunnelServer _tunnel;
    private readonly PlatformApi _api;

    private PlatformEmulator(PlatformStore store, PlatformCertificates certificates, TunnelServer tunnel, PlatformApi api, string secret)
    {
        Store = store;
        _certificates = certificates;
        _tunnel = tunnel;
        _api = api;
        Secret = secret;
    }

    /// <summary>The database (tests read it directly).</summary>
    public PlatformStore Store { get; }

    /// <summary>The tunnel URL for <c>Tunnel:Url</c>.</summary>
    public Uri TunnelUri => _tunnel.Uri;

    /// <summary>The API base URL (<c>http://127.0.0.1:N/api</c>).</summary>
    public Uri ApiUri => _api.BaseUri;

    /// <summary>The API <c>secret</c> of this data directory.</summary>
    public string Secret { get; }

    /// <summary>The test CA certificate (PEM) for <c>Tunnel:CaFile</c>.</summary>
    public string CaFile => _certificates.CaFile;

    /// <summary>The live tunnel connections.</summary>
    public TunnelHub Hub => _tunnel.Hub;

    /// <summary>Opens the data directory (created owner-only when missing) and starts both listeners.</summary>
    /// <param name="log">Receives one line per connection event (no secrets).</param>
    public static async Task<PlatformEmulator> StartAsync(string dataDirectory, int tunnelPort, int apiPort, TimeProvider time, Action<string>? log,
        TunnelSettings? settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(time);
        Directory.CreateDirectory(dataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var store = await PlatformStore.OpenAsync(dataDirectory, time, cancellationToken);
        var certificates = PlatformCertificates.LoadOrCreate(dataDirectory, time.GetUtcNow());
        var secret = await store.GetOrCreateSecretAsync(cancellationToken);
        var tunnel = new TunnelServer(certificates.Server, store, new TunnelHub(), settings ?? new TunnelSettings(), time, log ?? (_ => { }), tunnelPort);
        var api = new PlatformApi(store, tunnel.Hub, secret, apiPort);
        var emulator = new PlatformEmulator(store, certificates, tunnel, api, secret);
        try
        {
            tunnel.Start();
            api.Start();
        }
        catch
        {
            await emulator.DisposeAsync();
            throw;
        }

        return emulator;
    }

    /// <summary>Issues a one-time enrollment code.</summary>
    public Task<string> IssueCodeAsync(CancellationToken cancellationToken) => Store.IssueCodeAsync(cancellationToken);

    /// <summary>
    /// What a gateway and a curl user need, as <c>dev platform --json</c> prints it: <c>tunnelUrl</c>,
    /// <c>apiUrl</c>, <c>secret</c>, <c>enrollmentCode</c> (the first code), <c>enrollmentCodes</c>
    /// (all, when more than one) and <c>caFile</c>.
    /// </summary>
    public JsonObject ConnectionInfo(IReadOnlyList<string> codes)
    {
        ArgumentNullException.ThrowIfNull(codes);
        var info = new JsonObject
        {
            ["tunnelUrl"] = TunnelUri.ToString(),
            ["apiUrl"] = ApiUri.ToString(),
            ["secret"] = Secret,
            ["enrollmentCode"] = codes.Count > 0 ? codes[0] : null,
            ["caFile"] = CaFile,
        };
        if (codes.Count > 1)
        {
            info["enrollmentCodes"] = new JsonArray([.. codes.Select(c => (JsonNode)JsonValue.Create(c))]);
        }

        return info;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _api.DisposeAsync();
        await _tunnel.DisposeAsync();
        await Store.DisposeAsync();
        _certificates.Dispose();
    }
}
