using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Client;
using WaSms.WhatsApp.Crypto;
using WaSms.Emulators.WhatsApp;
using WaSms.WhatsApp.Events;
using WaSms.WhatsApp.Socket;
using WaSms.WhatsApp.Store;

using WaSms.Testing;
using WaSms.WhatsApp.Tests.Support;

namespace WaSms.WhatsApp.Tests.Client;

/// <summary>
/// After login: prekey count, upload when low, passive/active, then Connected (docs/whatsapp.md §6.1–6.3),
/// against the emulator, which checks uploads as the server must.
/// </summary>
public sealed class PreKeyTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task FirstLogin_Uploads812_GoesActive_BeforeConnected_SecondLoginUploadsNothing()
    {
        await using var harness = EmulatorHarness.Start();
        var emulator = harness.Emulator;
        var (first, device) = await PairAsync(harness);
        var (events, credentials, preKeys) = (first.Events, first.Credentials, first.PreKeys);

        var uploaded = Assert.Single(events.All.OfType<PreKeysUploaded>());
        Assert.Equal(new PreKeysUploaded(PreKeyUpload.InitialCount, 0), uploaded);
        // Order as in whatsmeow and Baileys: upload, active, then Connected.
        var all = events.All.ToList();
        Assert.True(all.IndexOf(uploaded) < all.FindIndex(e => e is Connected));
        Assert.Equal(PreKeyUpload.InitialCount, emulator.PreKeyCount(device.Jid));
        Assert.Equal(PreKeyUpload.InitialCount, await preKeys.CountUploadedAsync(first.Token));
        Assert.True(emulator.IsActive(device.Jid));
        Assert.DoesNotContain(all, e => e is LoginStepFailed);

        await first.Client.SetPassiveAsync(true, first.Token);
        Assert.False(emulator.IsActive(device.Jid));
        await first.StopAsync();

        var second = harness.NewClient(credentials, preKeys).Start();
        await second.Events.WaitForAsync<Connected>();
        Assert.DoesNotContain(second.Events.All, e => e is PreKeysUploaded);
        Assert.Equal(PreKeyUpload.InitialCount, emulator.PreKeyCount(device.Jid));
        Assert.True(emulator.IsActive(device.Jid));
        await second.StopAsync();
    }

    [Fact]
    public async Task LowPrekeyPush_UploadsFiftyFreshIds()
    {
        await using var harness = EmulatorHarness.Start();
        var emulator = harness.Emulator;
        var (client, device) = await PairAsync(harness);
        var events = client.Events;

        emulator.TakePreKeys(device.Jid, PreKeyUpload.InitialCount - 3); // the lowest ids go first
        Assert.Equal(3, emulator.PreKeyCount(device.Jid));
        Assert.Equal(1, await emulator.SendPreKeyCountAsync(client.Token));

        var topUp = await WaitForAsync(events, e => e is PreKeysUploaded { ServerHad: 3 });
        Assert.Equal(new PreKeysUploaded(PreKeyUpload.TopUpCount, 3), topUp);
        Assert.Equal(3 + PreKeyUpload.TopUpCount, emulator.PreKeyCount(device.Jid));
        Assert.Contains("notification/encrypt", emulator.Acks);
        // New keys get new ids (813…862 after 810…812 left): a contact holding an old id never meets another key under it.
        var onServer = emulator.TakePreKeys(device.Jid, int.MaxValue);
        Assert.Equal(Enumerable.Range(PreKeyUpload.InitialCount - 2, 3 + PreKeyUpload.TopUpCount).Select(i => (uint)i), onServer);
        await client.StopAsync();
    }

    [Fact]
    public async Task KeysSavedButNeverConfirmed_AreSentAgainWithTheSameIds()
    {
        await using var harness = EmulatorHarness.Start();
        var preKeys = new InMemoryPreKeyStore();
        // A previous run saved keys and lost power before the server's result.
        var saved = await preKeys.GetOrCreateUnuploadedAsync(PreKeyUpload.InitialCount, CancellationToken.None);

        var (client, device) = await PairAsync(harness, preKeys);

        var onServer = harness.Emulator.TakePreKeys(device.Jid, int.MaxValue);
        Assert.Equal(saved.Select(k => k.Id).Order(), onServer.Order());
        await client.StopAsync();
    }

    [Fact]
    public async Task UploadRefused_ReportedAndStillConnected()
    {
        await using var harness = EmulatorHarness.Start();
        var emulator = harness.Emulator;
        var (first, device) = await PairAsync(harness);
        await first.StopAsync();
        emulator.TakePreKeys(device.Jid, int.MaxValue);

        // A signed prekey whose signature no longer matches: the server must refuse the upload.
        var broken = first.Credentials.Current! with { SignedPreKey = Curve25519KeyPair.Generate() };
        var client = harness.NewClient(new InMemoryCredentialStore(broken)).Start();
        var events = client.Events;

        await events.WaitForAsync<Connected>();
        var failed = Assert.Single(events.All.OfType<LoginStepFailed>());
        Assert.Equal("prekeys", failed.Step);
        Assert.Contains("signature", failed.Message, StringComparison.Ordinal);
        Assert.Equal(0, emulator.PreKeyCount(device.Jid));
        Assert.True(emulator.IsActive(device.Jid));
        await client.StopAsync();
    }

    [Fact]
    public void Upload_RoundTripsThroughTheNodeCodec()
    {
        var credentials = WaCredentials.Generate();
        var keys = new[] { new PreKey(1, Curve25519KeyPair.Generate()), new PreKey(PreKey.MaxId, Curve25519KeyPair.Generate()) };
        var iq = NodeHelpers.Make("iq", [("xmlns", "encrypt"), ("type", "set")], PreKeyUpload.For(credentials, keys).ToNodes());

        var decoded = NodeDecoder.DecodeFrame(NodeEncoder.EncodeFrame(iq));

        Assert.True(PreKeyUpload.TryParse(decoded, out var upload, out var problem), problem);
        Assert.Equal(credentials.RegistrationId, upload.RegistrationId);
        Assert.Equal([1u, PreKey.MaxId], upload.PreKeys.Select(k => k.Id));
        Assert.Equal(keys[1].KeyPair.PublicKey.ToArray(), upload.PreKeys[1].PublicKey.ToArray());
        Assert.Equal(credentials.SignedPreKeyId, upload.SignedPreKeyId);
    }

    [Theory]
    [InlineData("registration", "<registration> is not 4 bytes")]
    [InlineData("type", "<type> is not 05")]
    [InlineData("identity", "<identity> is not a 32-byte key")]
    [InlineData("list", "<list> missing")]
    [InlineData("skey", "<skey> lacks")]
    public void Upload_MissingPart_NamesIt(string dropped, string expected)
    {
        var nodes = PreKeyUpload.For(WaCredentials.Generate(), [new PreKey(7, Curve25519KeyPair.Generate())]).ToNodes();
        var iq = NodeHelpers.Make("iq", [("xmlns", "encrypt")], [.. nodes.Where(n => n.Tag != dropped)]);

        Assert.False(PreKeyUpload.TryParse(iq, out _, out var problem));
        Assert.StartsWith(expected, problem, StringComparison.Ordinal);
    }

    /// <summary>A client of <paramref name="harness"/> linked by the phone +15550002222, with <paramref name="preKeys"/> (or a fresh store).</summary>
    private static async Task<(HarnessClient Client, EmulatedDevice Device)> PairAsync(EmulatorHarness harness, InMemoryPreKeyStore? preKeys = null)
    {
        var client = harness.NewClient(preKeys: preKeys).Start();
        var device = await client.LinkAsync(harness.Phone("15550002222"));
        return (client, device);
    }

    private static Task<WaEvent> WaitForAsync(EventCollector events, Func<WaEvent, bool> match) =>
        Eventually.ValueAsync(() => events.All.FirstOrDefault(match), Timeout, "a matching event",
            () => "got: " + string.Join(", ", events.All.Select(e => e.GetType().Name)));
}
