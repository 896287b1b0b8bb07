namespace WaSms.Health.Tests.Mqtt;

/// <summary>The reporter against mosquitto with username/password and with TLS (a CA made by the test).</summary>
public sealed class BrokerSecurityTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Password_Correct_ConnectsAndPublishesBirth()
    {
        using var broker = await MosquittoBroker.StartAsync(BrokerMode.Password);
        await using var harness = new ReporterHarness(broker);
        var topics = await harness.StartAsync();
        await harness.Reporter.WaitConnectedAsync(Long);
        await using var late = await MqttRecorder.ConnectAsync(broker);
        var status = await late.WaitForAsync(m => m.Topic == topics.Status, Long);
        Assert.Equal(("online", true), (status.Payload, status.Retained));
    }

    [Fact]
    public async Task Password_Wrong_KeepsRetryingAndNeverPublishes()
    {
        using var broker = await MosquittoBroker.StartAsync(BrokerMode.Password);
        await using var harness = new ReporterHarness(broker, o => o.Password = "wrong-password");
        var topics = await harness.StartAsync();
        await harness.FailedAttemptsAsync(10);
        Assert.False(harness.Reporter.IsConnected);
        await using var late = await MqttRecorder.ConnectAsync(broker);
        await late.FlushAsync(); // a retained birth would have arrived before the marker
        Assert.Empty(late.On(topics.Status));
    }

    [Fact]
    public async Task Tls_WithTestCa_ConnectsAndPublishesStateAndTelemetry()
    {
        using var broker = await MosquittoBroker.StartAsync(BrokerMode.Tls);
        await using var harness = new ReporterHarness(broker);
        var topics = await harness.StartAsync();
        await harness.Reporter.WaitConnectedAsync(Long);
        await using var live = await MqttRecorder.ConnectAsync(broker);
        Assert.Equal("online", (await live.WaitForAsync(m => m.Topic == topics.Status, Long)).Payload);
        await live.WaitForAsync(m => m.Topic == topics.State, Long);
        harness.Time.Advance(TimeSpan.FromSeconds(60));
        await live.WaitForAsync(m => m.Topic == topics.Telemetry, Long);
    }

    [Fact]
    public async Task Tls_WithoutTheCa_DoesNotConnect_SaysUntrustedRootAndSystemTrust()
    {
        using var broker = await MosquittoBroker.StartAsync(BrokerMode.Tls);
        await using var harness = new ReporterHarness(broker, o => o.CaFile = ""); // system trust only
        await harness.StartAsync();
        var error = await harness.WaitForErrorAsync(e => e.Contains("untrusted root", StringComparison.Ordinal));
        Assert.Contains("system trust store", error, StringComparison.Ordinal);
        Assert.False(harness.Reporter.IsConnected);
    }

    [Fact]
    public async Task Password_Wrong_StatusAndLogSayNotAuthorised()
    {
        using var broker = await MosquittoBroker.StartAsync(BrokerMode.Password);
        await using var harness = new ReporterHarness(broker, o => o.Password = "wrong-password");
        await harness.StartAsync();
        var error = await harness.WaitForErrorAsync(e => e.Contains("broker refused the login", StringComparison.Ordinal));
        Assert.Contains("not authorised", error, StringComparison.Ordinal);
        Assert.Contains("NotAuthorized", error, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-password", error, StringComparison.Ordinal);
        var line = Assert.Single(harness.Log.Lines, l => l.Contains("cannot connect", StringComparison.Ordinal));
        Assert.Contains("not authorised", line, StringComparison.Ordinal);
        Assert.DoesNotContain("not connected", line, StringComparison.Ordinal);
        Assert.Contains("not authorised", broker.Log, StringComparison.Ordinal); // what the broker says, for comparison
        var status = harness.Reporter.Connection.Current!;
        Assert.False(status.Connected);
        Assert.Equal("127.0.0.1:" + broker.Port, status.Broker);
    }

    [Fact]
    public async Task Password_Missing_SaysNotAuthorised()
    {
        using var broker = await MosquittoBroker.StartAsync(BrokerMode.Password);
        await using var harness = new ReporterHarness(broker, o => (o.Username, o.Password) = ("", ""));
        await harness.StartAsync();
        var error = await harness.WaitForErrorAsync(e => e.Contains("broker refused the login", StringComparison.Ordinal));
        Assert.Contains("not authorised", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tls_CaThatDidNotSignTheBroker_SaysUntrustedRoot()
    {
        using var broker = await MosquittoBroker.StartAsync(BrokerMode.Tls);
        var other = TestCertificateAuthority.Create(broker.Directory, prefix: "other-");
        await using var harness = new ReporterHarness(broker, o => o.CaFile = other.CaFile);
        await harness.StartAsync();
        var error = await harness.WaitForErrorAsync(e => e.Contains("certificate was rejected", StringComparison.Ordinal));
        Assert.True(error.Contains($"untrusted root: no CA in {other.CaFile} signed it", StringComparison.Ordinal), error);
        Assert.DoesNotContain("expired", error, StringComparison.Ordinal);
        Assert.DoesNotContain("name mismatch", error, StringComparison.Ordinal);
        Assert.False(harness.Reporter.IsConnected);
    }

    [Fact]
    public async Task Tls_RegeneratedCaOfTheSameName_SaysUntrustedRoot()
    {
        using var broker = await MosquittoBroker.StartAsync(BrokerMode.Tls);
        var again = TestCertificateAuthority.Create(Directory.CreateDirectory(Path.Combine(broker.Directory, "again")).FullName); // same name, new key
        await using var harness = new ReporterHarness(broker, o => o.CaFile = again.CaFile);
        await harness.StartAsync();
        var error = await harness.WaitForErrorAsync(e => e.Contains("certificate was rejected", StringComparison.Ordinal));
        Assert.True(error.Contains("untrusted root", StringComparison.Ordinal), error);
    }

    [Fact]
    public async Task Tls_ExpiredBrokerCertificate_SaysExpired()
    {
        using var broker = await MosquittoBroker.StartAsync(BrokerMode.Tls, certificates: d => TestCertificateAuthority.Create(d, serverValidDays: (-30, -2)));
        await using var harness = new ReporterHarness(broker);
        await harness.StartAsync();
        var error = await harness.WaitForErrorAsync(e => e.Contains("certificate was rejected", StringComparison.Ordinal));
        Assert.Contains("the certificate expired on", error, StringComparison.Ordinal);
        Assert.DoesNotContain("untrusted root", error, StringComparison.Ordinal);
        Assert.False(harness.Reporter.IsConnected);
    }

    [Fact]
    public async Task Tls_NotYetValidBrokerCertificate_SaysNotYetValid()
    {
        using var broker = await MosquittoBroker.StartAsync(BrokerMode.Tls, certificates: d => TestCertificateAuthority.Create(d, serverValidDays: (2, 30)));
        await using var harness = new ReporterHarness(broker);
        await harness.StartAsync();
        var error = await harness.WaitForErrorAsync(e => e.Contains("certificate was rejected", StringComparison.Ordinal));
        Assert.Contains("not yet valid", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tls_WrongHostName_SaysNameMismatch()
    {
        using var broker = await MosquittoBroker.StartAsync(BrokerMode.Tls, certificates: d => TestCertificateAuthority.Create(d, names: ["broker.example"]));
        await using var harness = new ReporterHarness(broker); // connects to "localhost"
        await harness.StartAsync();
        var error = await harness.WaitForErrorAsync(e => e.Contains("certificate was rejected", StringComparison.Ordinal));
        Assert.Contains("name mismatch: the certificate (CN=broker.example) is not for localhost", error, StringComparison.Ordinal);
        Assert.DoesNotContain("untrusted root", error, StringComparison.Ordinal);
        Assert.False(harness.Reporter.IsConnected);
    }

    [Fact]
    public async Task PlainClient_ToTlsPort_SaysTheBrokerMayExpectTls()
    {
        using var broker = await MosquittoBroker.StartAsync(BrokerMode.Tls);
        await using var harness = new ReporterHarness(broker, o => (o.Tls, o.CaFile) = (false, ""));
        await harness.StartAsync();
        var error = await harness.WaitForErrorAsync(e => e.Length > 0);
        Assert.Contains("did not answer MQTT", error, StringComparison.Ordinal);
        Assert.Contains("Mqtt:Tls=true", error, StringComparison.Ordinal);
        Assert.DoesNotContain("authenticating", error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task TlsClient_ToPlainPort_SaysTheBrokerDidNotSpeakTls()
    {
        using var broker = await MosquittoBroker.StartAsync(BrokerMode.Plain);
        var certificates = TestCertificateAuthority.Create(broker.Directory);
        await using var harness = new ReporterHarness(broker, o => (o.Host, o.Tls, o.CaFile) = ("localhost", true, certificates.CaFile));
        await harness.StartAsync();
        var error = await harness.WaitForErrorAsync(e => e.Length > 0);
        Assert.Contains("the broker did not speak TLS", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Acl_DeniesDiscovery_WarnsNamingTheTopic_AndStatusShowsIt()
    {
        // Anonymous clients may write wasms/# only: discovery under homeassistant/ is denied.
        using var broker = await MosquittoBroker.StartAsync(BrokerMode.Plain, acl: "topic readwrite wasms/#\ntopic read homeassistant/#\ntopic readwrite homeassistant/status\n");
        await using var harness = new ReporterHarness(broker);
        var topics = await harness.StartAsync();
        await harness.Reporter.WaitConnectedAsync(Long);

        var warning = Assert.Single(harness.Log.Lines, l => l.Contains($"refused the publish on {topics.Discovery}", StringComparison.Ordinal));
        Assert.StartsWith("Warning", warning, StringComparison.Ordinal);
        Assert.Contains("NotAuthorized (PUBACK 0x87", warning, StringComparison.Ordinal); // mosquitto 2's answer to an ACL-denied QoS 1 publish on MQTT 5
        Assert.DoesNotContain(harness.Log.Lines, l => l.Contains("discovery, state and telemetry published", StringComparison.Ordinal));
        var status = harness.Reporter.Connection.Current!;
        Assert.True(status.Connected);
        Assert.Contains(topics.Discovery, status.LastError, StringComparison.Ordinal);

        // What the ACL allows still goes through; Home Assistant's birth retries discovery without a second warning.
        await using var late = await MqttRecorder.ConnectAsync(broker);
        await late.WaitForAsync(m => m.Topic == topics.State, Long);
        await late.PublishAsync("homeassistant/status", "online");
        await late.WaitForAsync(m => m.Topic == topics.State && !m.Retained, Long);
        Assert.Empty(late.On(topics.Discovery));
        Assert.Single(harness.Log.Lines, l => l.Contains($"refused the publish on {topics.Discovery}", StringComparison.Ordinal));
    }
}
