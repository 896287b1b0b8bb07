using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace WaSms.Health.Tests.Support;

/// <summary>
/// A real mosquitto (Debian package <c>mosquitto</c>) on a free loopback port with a generated config,
/// no persistence (a restart forgets every retained message). TLS uses a CA generated per broker.
/// </summary>
public sealed class MosquittoBroker : IDisposable
{
    public const string User = "gateway";
    public const string Password = "broker-pass-Zq81";
    private readonly string _config;
    private readonly StringBuilder _log = new();
    private Process? _process;

    private MosquittoBroker(BrokerMode mode, string directory, int port, TestCertificateAuthority? ca, string? acl)
    {
        Mode = mode;
        Directory = directory;
        Port = port;
        CaFile = ca?.CaFile ?? "";
        _config = Path.Combine(directory, "mosquitto.conf");
        var lines = new List<string>
        {
            $"listener {port} 127.0.0.1",
            "persistence false",
            "log_dest stderr",
            "log_type error",
            "log_type warning",
            "log_type notice",
        };
        if (Environment.UserName == "root")
        {
            lines.Add("user root"); // keep root so it can read the 0600 files the test wrote
        }
        if (mode == BrokerMode.Password)
        {
            var passwords = Path.Combine(directory, "passwords");
            using var passwd = Process.Start(new ProcessStartInfo("mosquitto_passwd", ["-b", "-c", passwords, User, Password])
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            })!;
            passwd.WaitForExit();
            Assert.Equal(0, passwd.ExitCode);
            lines.Add("allow_anonymous false");
            lines.Add($"password_file {passwords}");
        }
        else
        {
            lines.Add("allow_anonymous true");
        }
        if (acl is not null)
        {
            // mosquitto's acl_file: "topic" lines before any "user" line apply to anonymous clients.
            var aclFile = Path.Combine(directory, "acl");
            File.WriteAllText(aclFile, acl);
            lines.Add($"acl_file {aclFile}");
        }
        if (ca is not null)
        {
            lines.Add($"cafile {ca.CaFile}");
            lines.Add($"certfile {ca.ServerCertFile}");
            lines.Add($"keyfile {ca.ServerKeyFile}");
        }
        File.WriteAllLines(_config, lines);
    }

    public BrokerMode Mode { get; }

    public string Directory { get; }

    public int Port { get; }

    public string CaFile { get; }

    public string Log { get { lock (_log) { return _log.ToString(); } } }

    /// <param name="mode">How clients authenticate.</param>
    /// <param name="port">A fixed port (default: a free one).</param>
    /// <param name="acl">The content of an acl_file (default: none, everything allowed).</param>
    /// <param name="certificates">Makes the TLS CA and server certificate in the broker's directory (default: a valid pair for localhost).</param>
    public static async Task<MosquittoBroker> StartAsync(BrokerMode mode = BrokerMode.Plain, int? port = null, string? acl = null,
        Func<string, TestCertificateAuthority>? certificates = null)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("wasms-mosquitto-").FullName;
        var ca = mode == BrokerMode.Tls ? (certificates ?? (d => TestCertificateAuthority.Create(d)))(directory) : null;
        var broker = new MosquittoBroker(mode, directory, port ?? FreePort(), ca, acl);
        await broker.StartProcessAsync();
        return broker;
    }

    /// <summary>Kills the broker (SIGKILL: no clean shutdown) and starts it again on the same port.</summary>
    public async Task RestartAsync()
    {
        StopProcess();
        await StartProcessAsync();
    }

    public void Dispose()
    {
        StopProcess();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task StartProcessAsync()
    {
        var psi = new ProcessStartInfo("mosquitto", ["-c", _config]) { RedirectStandardError = true, RedirectStandardOutput = true };
        var process = Process.Start(psi)!;
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (_log) { _log.AppendLine(e.Data); } } };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (_log) { _log.AppendLine(e.Data); } } };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        _process = process;
        await Eventually.UntilAsync(async () =>
        {
            Assert.False(process.HasExited, $"mosquitto exited ({(process.HasExited ? process.ExitCode : 0)}):\n{Log}");
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, Port);
                return true;
            }
            catch (SocketException)
            {
                return false;
            }
        }, Eventually.DefaultTimeout, $"mosquitto listening on port {Port}", () => Log);
    }

    private void StopProcess()
    {
        if (_process is { } process)
        {
            if (!process.HasExited)
            {
                process.Kill();
                process.WaitForExit();
            }
            process.Dispose();
            _process = null;
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
