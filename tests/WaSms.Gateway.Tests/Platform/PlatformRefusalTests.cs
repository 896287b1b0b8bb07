using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using WaSms.Emulators.Platform;
using WaSms.Emulators.Platform.Tunnel;

namespace WaSms.Gateway.Tests.Platform;

/// <summary>
/// The emulator's refusals of docs/tunnel.md §3 and §8 (expired codes, and forbidden, rate-limited
/// and unavailable through <c>/api/dev/refuse</c>), against a client written from the doc, on real TLS.
/// </summary>
public sealed class PlatformRefusalTests
{
    [Fact]
    public async Task An_enrollment_code_expires_after_its_lifetime_with_a_clear_terminal_error()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var bed = await PlatformTestBed.StartAsync(time);
        var fresh = await bed.IssueCodeAsync();
        var stale = await bed.IssueCodeAsync();
        time.Advance(new TunnelSettings().CodeLifetime - TimeSpan.FromSeconds(1));

        await using (var inTime = await bed.ConnectAsync())
        {
            await inTime.EnrollAsync(fresh); // one second left: still good
        }

        time.Advance(TimeSpan.FromSeconds(1));
        await using var late = await bed.ConnectAsync();
        await late.SendAsync(late.EnrollFrame(stale));
        var error = await late.ExpectErrorAsync("invalid-code", WebSocketCloseStatus.PolicyViolation);
        Assert.True((bool)error["terminal"]!);
        Assert.Equal("the enrollment code expired: codes are valid for 24 h after they are issued; create a new one in the dashboard", (string?)error["message"]);
    }

    [Fact]
    public async Task Forbidden_refuses_every_handshake_terminally_until_lifted()
    {
        await using var bed = await PlatformTestBed.StartAsync();
        var (client, gatewayId, _) = await bed.EnrolledAsync();
        await client.DisposeAsync();
        var set = await bed.Api.PostFormAsync("dev/refuse", ("code", "forbidden"));
        Assert.Equal("forbidden", (string?)set["data"]!["code"]);

        await using (var refused = await bed.ConnectAsync())
        {
            await refused.SendAsync(refused.HelloFrame(gatewayId, 0));
            var error = await refused.ExpectErrorAsync("forbidden", WebSocketCloseStatus.PolicyViolation);
            Assert.True((bool)error["terminal"]!);
            Assert.Equal("this account may not use gateways (plan or suspension)", (string?)error["message"]);
            Assert.Null(error["retryAfter"]);
        }
        await using (var enrolling = await bed.ConnectAsync(System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256)))
        {
            await enrolling.SendAsync(enrolling.EnrollFrame(await bed.IssueCodeAsync()));
            Assert.Equal("this account may not add a gateway (plan or suspension)",
                (string?)(await enrolling.ExpectErrorAsync("forbidden", WebSocketCloseStatus.PolicyViolation))["message"]);
        }

        await bed.Api.PostFormAsync("dev/refuse", ("code", "none"));
        await using var again = await bed.ConnectAsync();
        Assert.Equal("welcome", (string?)(await again.HelloAsync(gatewayId))["type"]);
    }

    [Fact]
    public async Task Rate_limited_is_retryable_and_carries_retry_after()
    {
        await using var bed = await PlatformTestBed.StartAsync();
        var (client, gatewayId, _) = await bed.EnrolledAsync();
        await client.DisposeAsync();
        await bed.Api.PostFormAsync("dev/refuse", ("code", "rate-limited"), ("retryAfter", "45"));

        await using var refused = await bed.ConnectAsync();
        await refused.SendAsync(refused.HelloFrame(gatewayId, 0));
        var error = await refused.ExpectErrorAsync("rate-limited", WebSocketCloseStatus.PolicyViolation);
        Assert.False((bool)error["terminal"]!);
        Assert.Equal(45, (int)error["retryAfter"]!);
    }

    [Theory]
    [InlineData("teapot", "", "code is forbidden, rate-limited, unavailable or none")]
    [InlineData("rate-limited", "0", "retryAfter is whole seconds, 1-86400")]
    [InlineData("rate-limited", "soon", "retryAfter is whole seconds, 1-86400")]
    public async Task A_bad_refusal_request_is_answered_400_with_one_clear_line(string code, string retryAfter, string message)
    {
        await using var bed = await PlatformTestBed.StartAsync();
        var answer = await bed.Api.PostFormAsync("dev/refuse", ("code", code), ("retryAfter", retryAfter));
        Assert.Equal(400, (int?)answer["status"]);
        Assert.Equal(message, (string?)answer["message"]);
        Assert.Null(bed.Platform.Hub.Refusal);
    }
}
