using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using WaSms.Emulators.WhatsApp;
using WaSms.Gateway.Tests.Platform;

namespace WaSms.Gateway.Tests.Tunnel.EndToEnd;

/// <summary>
/// The whole chain on loopback, each part real: the WhatsApp emulator in this process (it outlives
/// every kill), the platform emulator as a child process (<c>dev platform --json --data DIR</c> on
/// fixed ports, so a restart after kill -9 is found at the same URL and resumes from its SQLite
/// store) and the built gateway as a child process (<c>run --simulate</c> on a temp state directory)
/// pointed at the platform with <c>Tunnel:Url</c>, <c>Tunnel:CaFile</c> (the emulator's test CA) and
/// <c>Tunnel:EnrollmentCode</c>. Each process's log is kept for the failure report.
/// </summary>
internal sealed class TunnelEndToEnd : IAsyncDisposable
{
    public const string Account = "+15557650000";
    public const string Alice = "+15555550100";
    public const string Bob = "+15555550101";

    private readonly ITestOutputHelper _output;
    private readonly TempDirectory _dir = new();
    private readonly List<string> _logs = [];
    private readonly int _tunnelPort = FreePort();
    private readonly int _apiPort = FreePort();
    private NotifyListener? _notify;

    private TunnelEndToEnd(ITestOutputHelper output)
    {
        _output = output;
        WhatsApp.Start();
        WhatsApp.Contacts.AddDevDefaults(Account);
        Team = WhatsApp.Contacts.Groups.Single(g => g.Subject == "Team").Jid;
    }

    public WaEmulator WhatsApp { get; } = new();

    /// <summary>The group "Team" (Alice, Bob and the account).</summary>
    public string Team { get; }

    public GatewayProcess? Gateway { get; private set; }

    public GatewayProcess? Platform { get; private set; }

    public PlatformApiClient Api { get; private set; } = null!;

    /// <summary>What <c>dev platform --json</c> printed: tunnelUrl, apiUrl, secret, enrollmentCode, caFile.</summary>
    public JsonObject Info { get; private set; } = null!;

    /// <summary>The platform's <c>unique</c> of the gateway's account (the <c>account</c> of a send).</summary>
    public string Unique { get; private set; } = "";

    /// <summary>How many gateway processes ran (each may deliver a send whose server ack a kill cut off once more).</summary>
    public int GatewayRuns { get; private set; }

    public string StateDirectory => _dir.File("state");

    private string PlatformData => _dir.File("platform");

    /// <summary>Starts the platform, then a gateway that enrolls with its code, links to WhatsApp and connects the tunnel.</summary>
    public static async Task<TunnelEndToEnd> StartAsync(ITestOutputHelper output, Action<List<string>>? gatewayArgs = null)
    {
        var bed = new TunnelEndToEnd(output);
        try
        {
            await bed.StartPlatformAsync();
            bed.StartGateway(gatewayArgs);
            await bed.LinkAsync();
            bed.Unique = await bed.WaitConnectedAsync();
            await bed.NoPacingAsync();
            return bed;
        }
        catch
        {
            await bed.DisposeAsync();
            throw;
        }
    }

    public async Task StartPlatformAsync()
    {
        Platform = GatewayProcess.Start(["dev", "platform", "--json", "--port", Port(_tunnelPort), "--api-port", Port(_apiPort), "--data", PlatformData]);
        var platform = Platform;
        var line = await Eventually.ValueAsync(
            () => platform.Output.Split('\n').FirstOrDefault(l => l.StartsWith('{') && l.TrimEnd().EndsWith('}')),
            Eventually.DefaultTimeout, "dev platform --json prints its connection info", () => platform.Output + platform.Error);
        Info = JsonNode.Parse(line)!.AsObject();
        Api?.Dispose();
        Api = new PlatformApiClient(new Uri((string)Info["apiUrl"]!), (string)Info["secret"]!);
    }

    public void KillPlatform()
    {
        var platform = Platform!;
        platform.Signal("KILL");
        platform.Dispose();
        _logs.Add($"--- platform run: stderr\n{platform.Error}");
        Platform = null;
    }

    public void StartGateway(Action<List<string>>? more = null)
    {
        _notify = new NotifyListener();
        List<string> args =
        [
            "run", "--simulate", "--state-dir", StateDirectory, $"--WhatsApp:ServerUrl={WhatsApp.Uri}", $"--WhatsApp:TrustedRootKey={WhatsApp.TrustedRootKeyHex}",
            "--Pacing:MinGap=00:00:00", "--Pacing:MaxGap=00:00:00", // no acceptable-use gap: these tests are about the link, not pacing
            $"--Tunnel:Url={Info["tunnelUrl"]}", $"--Tunnel:CaFile={Info["caFile"]}", $"--Tunnel:EnrollmentCode={Info["enrollmentCode"]}",
        ];
        more?.Invoke(args);
        Gateway = GatewayProcess.Start(args, new Dictionary<string, string> { ["NOTIFY_SOCKET"] = _notify.Path });
        GatewayRuns++;
    }

    /// <summary>kill -9 of the gateway; its log is kept.</summary>
    public async Task KillGatewayAsync()
    {
        var gateway = Gateway!;
        gateway.Signal("KILL");
        await gateway.WaitForExitAsync(TimeSpan.FromSeconds(30));
        RetireGateway();
    }

    public void RetireGateway()
    {
        var gateway = Gateway!;
        gateway.Dispose();
        _notify?.Dispose();
        _logs.Add($"--- gateway run {GatewayRuns}:\n{gateway.Output}{gateway.Error}");
        Gateway = null;
    }

    /// <summary>Every process log so far (the failure report).</summary>
    public string Logs() => string.Join('\n', _logs) + (Gateway is { } g ? $"\n--- gateway (running):\n{g.Output}{g.Error}" : "") +
        (Platform is { } p ? $"\n--- platform (running):\n{p.Error}" : "");

    public string GatewayLogs() => string.Join('\n', _logs.Where(l => l.StartsWith("--- gateway", StringComparison.Ordinal))) + (Gateway is { } g ? g.Output + g.Error : "");

    private async Task LinkAsync()
    {
        await _notify!.WaitForAsync(m => m == "STATUS=unpaired: Scan the QR code with WhatsApp", TimeSpan.FromSeconds(30));
        var status = await StatusAsync();
        var qr = status.GetProperty("pairing").GetProperty("qr").GetString()!;
        await new PhoneSimulator(WhatsApp, Account[1..]).ScanAsync(qr, CancellationToken.None);
        await WaitOnlineAsync();
        var gateway = Gateway!;
        await Eventually.UntilAsync(() => gateway.Output.Contains("Uploaded 812 prekeys", StringComparison.Ordinal), TimeSpan.FromSeconds(30),
            "the prekey upload", () => gateway.Output + gateway.Error);
    }

    public async Task WaitOnlineAsync()
    {
        try
        {
            await _notify!.WaitForAsync(m => m == "STATUS=online: Online", TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"gateway not online\n{Logs()}", ex);
        }
    }

    /// <summary>Waits until the platform lists the gateway as connected; returns its <c>unique</c>.</summary>
    public async Task<string> WaitConnectedAsync()
    {
        string? unique = null;
        await Eventually.UntilAsync(async () =>
        {
            var accounts = await Api.ListAsync("get/wa.accounts");
            unique = accounts.Select(a => a!.AsObject()).Where(a => (string?)a["status"] == "connected").Select(a => (string?)a["unique"]).FirstOrDefault();
            return unique is not null;
        }, TimeSpan.FromSeconds(60), "the platform lists the gateway as connected", Logs);
        return unique!;
    }

    /// <summary>
    /// The platform's <c>pacing</c> command with no gap (its welcome carries 1–5 s by default, which outranks
    /// the gateway's own <c>Pacing:*</c>): these tests are about the link, not acceptable-use pacing.
    /// </summary>
    private async Task NoPacingAsync()
    {
        var answer = await Api.PostFormAsync("dev/command", ("unique", Unique), ("name", "pacing"),
            ("args", """{"minGap":0,"maxGap":0,"hourlyCap":0,"dailyCap":0,"cooldown":0}"""));
        Assert.True((int?)answer["status"] == 200, answer.ToJsonString());
        await Eventually.UntilAsync(async () => (await Api.ListAsync("get/wa.commands")).Any(c => (string?)c!["name"] == "pacing" && (bool?)c["ok"] == true),
            Eventually.DefaultTimeout, "the gateway applies the platform's pacing command", Logs);
    }

    public async Task<JsonElement> StatusAsync()
    {
        var (code, output, error) = await CliAsync("status", "--json");
        Assert.True(code == 0, $"status --json: exit {code}: {error}");
        return JsonDocument.Parse(output).RootElement.Clone();
    }

    public Task<(int Code, string Output, string Error)> CliAsync(params string[] args) => InProcessCli.RunAsync([.. args, "--state-dir", StateDirectory]);

    /// <summary>Every row of a paged list call (<c>get/wa.received</c>, <c>get/wa.sent</c>).</summary>
    public async Task<List<JsonObject>> ListAllAsync(string path)
    {
        var all = new List<JsonObject>();
        for (var page = 1; ; page++)
        {
            var rows = await Api.ListAsync(path, ("limit", "1000"), ("page", page.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            all.AddRange(rows.Select(r => r!.AsObject()));
            if (rows.Count < 1000)
            {
                return all;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Gateway is not null)
        {
            RetireGateway();
        }
        if (Platform is not null)
        {
            Platform.Dispose();
            _logs.Add($"--- platform run: stderr\n{Platform.Error}");
        }
        Api?.Dispose();
        await WhatsApp.DisposeAsync();
        _dir.Dispose();
        _output.WriteLine($"{_logs.Count} process logs kept; {GatewayRuns} gateway runs");
    }

    private static string Port(int port) => port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
