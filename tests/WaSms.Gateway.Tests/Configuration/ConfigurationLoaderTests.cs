using System.Collections;
using WaSms.Gateway.Configuration;
using WaSms.Hardware.Board;

namespace WaSms.Gateway.Tests.Configuration;

public sealed class ConfigurationLoaderTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string WriteConfig(string json)
    {
        var path = _dir.File("gateway.json");
        File.WriteAllText(path, json);
        return path;
    }

    private static GatewaySettings Load(string? file, IDictionary? env = null, params (string, string, string)[] cli) =>
        ConfigurationLoader.Load(cli, file, env ?? new Hashtable());

    [Fact]
    public void Defaults_WithoutAnySource()
    {
        var settings = Load(null);

        Assert.Equal("/var/lib/wasms-gateway", settings.Gateway.StateDirectory);
        Assert.Equal("wss://web.whatsapp.com/ws/chat", settings.WhatsApp.ServerUrl);
        Assert.Equal(WhatsAppOptions.DefaultTrustedRootKey, settings.WhatsApp.TrustedRootKey);
        Assert.Equal(BoardKind.Auto, settings.Board.Kind);
        Assert.False(settings.WhatsAppServerUrlGiven);
    }

    [Fact]
    public void Layers_CommandLineBeatsPrefixedEnvBeatsPlainEnvBeatsFile()
    {
        var file = WriteConfig("""{ "Mqtt": { "Host": "file", "Port": 1001, "ClientId": "file", "Username": "file" } }""");
        var env = new Hashtable
        {
            ["Mqtt__Port"] = "1002", ["Mqtt__ClientId"] = "plain", ["Mqtt__Username"] = "plain",
            ["WASMS_Mqtt__ClientId"] = "prefixed", ["WASMS_MQTT__USERNAME"] = "prefixed",
            ["PATH"] = "/usr/bin", ["HOME"] = "/root",
        };

        var settings = Load(file, env, ("Mqtt:Username", "cli", "--Mqtt:Username=cli"));

        Assert.Equal("file", settings.Mqtt.Host);
        Assert.Equal(1002, settings.Mqtt.Port);
        Assert.Equal("prefixed", settings.Mqtt.ClientId);
        Assert.Equal("cli", settings.Mqtt.Username);
        Assert.Empty(settings.Warnings); // PATH and HOME are not ours and not warned about
    }

    [Fact]
    public void StateDir_And_Simulate_FromTheCommandLine()
    {
        var settings = Load(null, null, ("Gateway:StateDirectory", _dir.Path, "--state-dir"), ("Board:Kind", "Simulated", "--simulate"));

        Assert.Equal(_dir.Path, settings.Gateway.StateDirectory);
        Assert.Equal(BoardKind.Simulated, settings.Board.Kind);
    }

    [Fact]
    public void BadValueInFile_NamesKeyValueAndFile()
    {
        var file = WriteConfig("""{ "Mqtt": { "Port": "eighty" } }""");

        var error = Assert.Throws<ConfigurationException>(() => Load(file));

        var line = Assert.Single(error.Problems);
        Assert.Contains("Mqtt:Port", line, StringComparison.Ordinal);
        Assert.Contains("\"eighty\"", line, StringComparison.Ordinal);
        Assert.Contains(file, line, StringComparison.Ordinal);
        Assert.Contains("whole number", line, StringComparison.Ordinal);
    }

    [Fact]
    public void BadValueInEnvironment_NamesTheVariable()
    {
        var env = new Hashtable { ["WASMS_WHATSAPP__SERVERURL"] = "http://example.com" };

        var error = Assert.Throws<ConfigurationException>(() => Load(null, env));

        Assert.Contains("environment variable WASMS_WHATSAPP__SERVERURL", Assert.Single(error.Problems), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Board:Kind", "Raspberry", "one of Auto, Pi, Simulated, Headless")]
    [InlineData("Log:Level", "Loud", "one of Verbose")]
    [InlineData("Board:ButtonDebounce", "fast", "a duration")]
    [InlineData("Mqtt:Tls", "yes", "true or false")]
    [InlineData("WhatsApp:TrustedRootKey", "abcd", "64 hexadecimal")]
    [InlineData("WhatsApp:ClientVersion", "latest", "2.3000")]
    [InlineData("Board:FactoryResetHold", "00:00:02", "longer than Board:RelinkHold")]
    [InlineData("Board:ButtonStuckAfter", "00:00:15", "Board:ButtonStuckAfter must be longer than Board:FactoryResetHold")]
    [InlineData("Board:FactoryResetHold", "00:02:00", "Board:ButtonStuckAfter must be longer than Board:FactoryResetHold")]
    [InlineData("Tunnel:Url", "http://platform.example", "https://")]
    [InlineData("WhatsApp:ClientVersion", "2.3000.2200000000", "at most 2147483647")] // overflowed at start-up (exit 1) before
    [InlineData("Gateway:StateDirectory", "", "must not be empty")] // was an ArgumentException (exit 134)
    [InlineData("Messaging:RetentionDays", "0", "between 1 and 3650 days")]
    [InlineData("Messaging:UndecryptableAfterMinutes", "0", "between 1 and 1440 minutes")]
    [InlineData("Updates:FailureFile", "run/last-failure", "must be an absolute path")]
    public void BadValueOnCommandLine_IsRejectedWithAReason(string key, string value, string expected)
    {
        var error = Assert.Throws<ConfigurationException>(() => Load(null, null, (key, value, $"--{key}={value}")));

        var line = Assert.Single(error.Problems);
        Assert.Contains(key, line, StringComparison.Ordinal);
        Assert.Contains($"--{key}={value}", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
    }

    [Fact]
    public void RuleBetweenTwoKeys_NamesBoth_WithValuesAndSources_LeadingWithTheOneThatWasSet()
    {
        var error = Assert.Throws<ConfigurationException>(() => Load(null, null, ("Board:RelinkHold", "00:00:20", "--Board:RelinkHold=")));

        Assert.Equal("invalid configuration: Board:RelinkHold = \"00:00:20\" (from the command line (--Board:RelinkHold=)) conflicts with " +
                     "Board:FactoryResetHold = \"00:00:15\" (from the built-in defaults): Board:FactoryResetHold must be longer than Board:RelinkHold",
            Assert.Single(error.Problems));
    }

    [Fact]
    public void JsonNull_IsReported_NotSilentlyTheDefault()
    {
        var file = WriteConfig("""{ "Mqtt": { "Port": null }, "Simulator": null }""");

        var error = Assert.Throws<ConfigurationException>(() => Load(file));

        Assert.Equal(
            [
                $"invalid configuration: Mqtt:Port = null (from file {file}): null is not a whole number; leave the key out to use the default",
                $"invalid configuration: Simulator = null (from file {file}): must be an object holding Simulator settings (leave the section out for the defaults)",
            ],
            error.Problems.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ObjectOrArrayWhereAValueBelongs_IsReportedAsSuch()
    {
        var file = WriteConfig("""{ "Mqtt": { "Port": { "value": 1883 } }, "Log": { "Level": ["Debug"] }, "Board": 5 }""");

        var error = Assert.Throws<ConfigurationException>(() => Load(file));

        Assert.Equal(
            [
                $"invalid configuration: Board = \"5\" (from file {file}): must be an object holding Board settings",
                $"invalid configuration: Log:Level = […] (from file {file}): an array where one of Verbose, Debug, Information, Warning, Error, Fatal belongs",
                $"invalid configuration: Mqtt:Port = {{…}} (from file {file}): an object where a whole number belongs",
            ],
            error.Problems.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void SecretOnTheCommandLine_IsWarnedAboutByName()
    {
        var settings = Load(null, null, ("Mqtt:Password", "hunter2-on-the-cli", "--Mqtt:Password="));

        var warning = Assert.Single(settings.Warnings);
        Assert.StartsWith("Mqtt:Password was given on the command line (--Mqtt:Password=): every local user can read it with ps", warning, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void SecretValue_IsNeverEchoedInTheError()
    {
        var file = WriteConfig("""{ "Mqtt": { "Password": "hunter2-secret" }, "Tunnel": { "Token": "tok-very-secret" } }""");
        var settings = Load(file);
        Assert.Equal(["tok-very-secret", "hunter2-secret"], settings.SecretValues);
        Assert.DoesNotContain(settings.Describe(), l => l.Contains("secret", StringComparison.Ordinal));
    }

    [Fact]
    public void UnknownKeys_AreWarnedAboutWithTheirSource()
    {
        var file = WriteConfig("""{ "Mqtt": { "Hots": "typo" }, "Whatsap": { "ServerUrl": "x" } }""");

        var settings = Load(file, new Hashtable { ["WASMS_Board__Colour"] = "red" });

        Assert.Contains(settings.Warnings, w => w.Contains("Mqtt:Hots", StringComparison.Ordinal) && w.Contains(file, StringComparison.Ordinal));
        Assert.Contains(settings.Warnings, w => w.Contains("Whatsap:ServerUrl", StringComparison.Ordinal));
        Assert.Contains(settings.Warnings, w => w.Contains("WASMS_Board__Colour", StringComparison.Ordinal));
    }

    [Fact]
    public void BrokenJson_NamesTheFile()
    {
        var file = WriteConfig("""{ "Mqtt": { "Port": 1883, } ,,, """);

        var error = Assert.Throws<ConfigurationException>(() => Load(file));

        Assert.Contains(file, Assert.Single(error.Problems), StringComparison.Ordinal);
    }

    [Fact]
    public void ExplicitMissingFile_IsAnError()
    {
        var error = Assert.Throws<ConfigurationException>(() => Load(_dir.File("nope.json")));

        Assert.Contains("does not exist", Assert.Single(error.Problems), StringComparison.Ordinal);
    }

    [Fact]
    public void ServerUrlGiven_IsTrackedForDevMode()
    {
        var settings = Load(null, new Hashtable { ["WhatsApp__ServerUrl"] = "ws://127.0.0.1:9/ws/chat" });

        Assert.True(settings.WhatsAppServerUrlGiven);
        Assert.Equal("ws://127.0.0.1:9/ws/chat", settings.WhatsApp.ServerUrl);
    }
}

