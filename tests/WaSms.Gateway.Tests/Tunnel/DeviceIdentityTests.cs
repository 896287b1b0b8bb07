using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using WaSms.Gateway.Tunnel.Identity;
using WaSms.Storage;

namespace WaSms.Gateway.Tests.Tunnel;

/// <summary>The device key and the doc's signed strings (docs/tunnel.md §3–§4).</summary>
public sealed class DeviceIdentityTests
{
    [Fact]
    public void TheDocsEnrollAndHelloSignaturesVerifyAgainstItsPublicKey()
    {
        var examples = TunnelDoc.Examples();
        var nonce = Frame(examples, "challenge").GetProperty("nonce").GetString()!;
        var enroll = Frame(examples, "enroll");
        var hello = Frame(examples, "hello");
        var publicKey = enroll.GetProperty("publicKey").GetString()!;
        Assert.True(DeviceIdentity.Verify(publicKey, enroll.GetProperty("signature").GetString()!, "enroll", nonce, enroll.GetProperty("code").GetString()!));
        Assert.True(DeviceIdentity.Verify(publicKey, hello.GetProperty("signature").GetString()!, "hello", nonce, hello.GetProperty("gatewayId").GetString()!));
        Assert.False(DeviceIdentity.Verify(publicKey, hello.GetProperty("signature").GetString()!, "hello", "another-nonce", hello.GetProperty("gatewayId").GetString()!));
    }

    [Fact]
    public async Task TheKeyIsMadeOnceKeptInThePlatformScopeAndForgottenWithAFactoryReset()
    {
        using var dir = new TempDirectory();
        await using var store = await GatewayStore.OpenAsync(dir.Path, new FakeTimeProvider(), NullLogger.Instance, CancellationToken.None);
        var identity = new DeviceIdentity(store);
        using var first = await identity.GetOrCreateKeyAsync(CancellationToken.None);
        using var again = await identity.GetOrCreateKeyAsync(CancellationToken.None);
        Assert.Equal(DeviceIdentity.PublicKeyOf(first), DeviceIdentity.PublicKeyOf(again));
        Assert.Null(await identity.GetEnrollmentAsync(CancellationToken.None));

        await identity.SaveEnrollmentAsync(first, new Enrollment("gw_1", "acc"), null, CancellationToken.None);
        Assert.Equal(new Enrollment("gw_1", "acc"), await identity.GetEnrollmentAsync(CancellationToken.None));
        Assert.Contains(DeviceIdentity.KeySecret, (await store.GetSecretsAsync(SecretScopes.Platform, CancellationToken.None)).Keys);

        await store.WipeEverythingAsync(CancellationToken.None);
        Assert.Empty(await store.GetSecretsAsync(SecretScopes.Platform, CancellationToken.None));
    }

    private static JsonElement Frame(IReadOnlyList<string> examples, string type) =>
        JsonDocument.Parse(examples.First(e => e.StartsWith($"{{\"type\":\"{type}\"", StringComparison.Ordinal))).RootElement.Clone();
}
