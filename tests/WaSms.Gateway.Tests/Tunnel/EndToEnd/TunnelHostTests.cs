namespace WaSms.Gateway.Tests.Tunnel.EndToEnd;

/// <summary>
/// The real gateway host, configured only through <c>Tunnel:Url</c>, <c>Tunnel:CaFile</c> and
/// <c>Tunnel:EnrollmentCode</c>, against the platform emulator: it enrolls, <c>status --json</c> says
/// connected, and the README's curl walk-through works — a POST to <c>/send/whatsapp</c> reaches the
/// emulated phone, and its reply shows in <c>/get/wa.received</c>.
/// </summary>
public sealed class TunnelHostTests(ITestOutputHelper output)
{
    [Fact]
    public async Task AHostPointedAtThePlatformEnrollsShowsConnectedAndRelaysBothWays()
    {
        await using var bed = await TunnelEndToEnd.StartAsync(output);

        var status = await bed.StatusAsync();
        Assert.True(status.TryGetProperty("tunnel", out var tunnel), status.ToString());
        Assert.Equal("connected", tunnel.GetProperty("state").GetString());
        Assert.Single(await bed.Api.ListAsync("get/wa.accounts"));

        var sent = await bed.Api.PostFormAsync("send/whatsapp", ("account", bed.Unique), ("recipient", TunnelEndToEnd.Alice), ("type", "text"),
            ("message", "Your order is ready"), ("priority", "2"));
        Assert.True((int?)sent["status"] == 200, sent.ToJsonString());
        var jobId = (string)sent["data"]!["id"]!;
        await Eventually.UntilAsync(() => bed.WhatsApp.Contacts.Inbox(TunnelEndToEnd.Alice).Any(m => m.Text == "Your order is ready"),
            TimeSpan.FromSeconds(60), "Alice's phone gets the platform's text", bed.Logs);
        var arrived = bed.WhatsApp.Contacts.Inbox(TunnelEndToEnd.Alice).Single(m => m.Text == "Your order is ready");

        // The job's states come back: wa.sent shows it sent (or later) under WhatsApp's message id.
        await Eventually.UntilAsync(async () => (await bed.Api.ListAsync("get/wa.sent")).Any(j => (string?)j!["id"] == jobId && (string?)j["status"] is "sent" or "delivered" or "read"),
            TimeSpan.FromSeconds(30), "wa.sent shows the job sent", bed.Logs);
        var job = (await bed.Api.ListAsync("get/wa.sent")).Single(j => (string?)j!["id"] == jobId)!;
        Assert.Equal(arrived.Id, (string?)job["messageId"]);
        Assert.Equal(TunnelEndToEnd.Alice, (string?)job["recipient"]);

        var reply = await bed.WhatsApp.Contacts.SayAsync(TunnelEndToEnd.Alice, "Thanks, on my way", CancellationToken.None);
        await Eventually.UntilAsync(async () => (await bed.Api.ListAsync("get/wa.received")).Any(r => (string?)r!["id"] == reply),
            TimeSpan.FromSeconds(30), "the reply shows in wa.received", bed.Logs);
        var received = (await bed.Api.ListAsync("get/wa.received")).Single(r => (string?)r!["id"] == reply)!;
        Assert.Equal("Thanks, on my way", (string?)received["message"]);
        Assert.Equal(TunnelEndToEnd.Alice, (string?)received["from"]);
        Assert.Equal(bed.Unique, (string?)received["account"]);
    }
}
