using Microsoft.Extensions.Logging.Abstractions;
using WaSms.Core.Requests;
using WaSms.Core.State;
using WaSms.Gateway.Configuration;
using WaSms.Gateway.Tunnel.Sync;
using WaSms.Gateway.Updates;
using WaSms.WhatsApp.Store;

namespace WaSms.Gateway.Tests.Updates;

/// <summary>
/// Installing the platform's <c>update-available</c> offer (docs/updates.md §5): downloaded at once over real HTTPS,
/// installed at a quiet moment (nothing queued, nothing received or sent for <c>Updates:QuietFor</c>), at once when
/// urgent or asked for; after the installation the offer is cleared, <c>update.installed</c> written and the reboot
/// requested — and after a failed one, none of them.
/// </summary>
public sealed class OfferInstallerTests : IAsyncLifetime
{
    private static readonly TimeSpan QuietFor = TimeSpan.FromMinutes(2);
    private readonly UserRequests _requests = new();
    private UpdateRig _rig = null!;
    private OfferInstaller _installer = null!;

    public async Task InitializeAsync()
    {
        _rig = await UpdateRig.CreateAsync();
        _rig.Rauc.Check = BundleCheck.Valid("2.0.0");
        _installer = new OfferInstaller(_rig.Updates, _rig.Store, _rig.State, new UpdatesOptions { QuietFor = QuietFor }, _rig.Time,
            NullLogger<OfferInstaller>.Instance, _requests, runningVersion: "1.5.0");
    }

    public async Task DisposeAsync()
    {
        _installer.Dispose();
        await _rig.DisposeAsync();
    }

    private async Task OfferAsync(string version = "2.0.0", bool? urgent = null)
    {
        var json = $"{{\"version\":\"{version}\",\"url\":\"{_rig.Server.UrlFor()}\",\"sha256\":\"{_rig.Server.Sha256}\",\"signature\":\"sig\"" +
                   (urgent is null ? "" : $",\"urgent\":{(urgent.Value ? "true" : "false")}") + "}";
        await _rig.Store.SetSettingAsync(CommandHandler.UpdateSetting, json, CancellationToken.None);
        _rig.State.Post(new UpdateNotice(version));
    }

    private async Task StepAsync(TimeSpan? after = null)
    {
        _rig.Time.Advance(after ?? TimeSpan.Zero);
        await _installer.StepAsync(CancellationToken.None);
    }

    private bool Installed => _rig.Rauc.Calls.Any(c => c.StartsWith("install", StringComparison.Ordinal));

    private async Task AssertInstalledAndRecordedAsync()
    {
        Assert.True(Installed, string.Join(", ", _rig.Rauc.Calls));
        Assert.Equal(("installed", UpdateReport.Rebooting), (_rig.Updates.Current!.Phase, _rig.Updates.Current.Step));
        Assert.Null(await _rig.SettingAsync(CommandHandler.UpdateSetting));
        Assert.Null(_rig.State.Current.OpenNotice<UpdateNotice>(_rig.Time.GetUtcNow()));
        var installed = System.Text.Json.JsonDocument.Parse((await _rig.SettingAsync(UpdateCoordinator.InstalledSetting))!).RootElement;
        Assert.Equal(["version", "at", "bootId"], installed.EnumerateObject().Select(p => p.Name));
        Assert.Equal(UpdateOutcomes.CurrentBootId(), installed.GetProperty("bootId").GetString());
        Assert.Equal("2.0.0", installed.GetProperty("version").GetString());
        Assert.Equal(_rig.Time.GetUtcNow(), DateTimeOffset.Parse(installed.GetProperty("at").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(File.Exists(_rig.RebootFile));
    }

    [Fact]
    public async Task Offer_IsDownloadedAtOnce_ButInstalledOnlyWhenTheQueueIsEmptyAndQuiet()
    {
        var job = await _rig.Store.EnqueueOutboundAsync(null, "15551234567@s.whatsapp.net", "hello", CancellationToken.None);
        await OfferAsync();

        await StepAsync();
        Assert.Single(_rig.Server.Requests); // downloaded in the background…
        Assert.False(Installed);             // …but a send is waiting

        await StepAsync(QuietFor * 3);
        Assert.False(Installed);

        // The send goes out: the queue is empty, but something just happened: the quiet starts now.
        Assert.True(await _rig.Store.UpdateOutboundStatusAsync(job.MessageId, MessageStatus.Sent, _rig.Time.GetUtcNow(), null, CancellationToken.None));
        await StepAsync(TimeSpan.FromSeconds(30));
        Assert.False(Installed);
        await StepAsync(QuietFor - TimeSpan.FromSeconds(1));
        Assert.False(Installed);

        await StepAsync(TimeSpan.FromSeconds(1));
        await AssertInstalledAndRecordedAsync();
        Assert.Single(_rig.Server.Requests); // the bundle downloaded first was the one installed
        Assert.Equal(GatewayState.Updating, _rig.State.Current.State);
    }

    [Fact]
    public async Task UrgentOffer_SkipsTheWait()
    {
        await _rig.Store.EnqueueOutboundAsync(null, "15551234567@s.whatsapp.net", "hello", CancellationToken.None);
        await OfferAsync(urgent: true);

        await StepAsync();

        await AssertInstalledAndRecordedAsync();
    }

    [Fact]
    public async Task AnOfferOfAVersionThatWasRolledBack_IsNotInstalledAgainByItself_OnlyWhenAskedFor()
    {
        // After the rollback the offer of that version is still stored; a restart (a new installer) must not loop on it.
        await _rig.Store.SetSettingAsync(UpdateOutcomes.RolledBackSetting, """{"version":"2.0.0","reason":"B: not marked good","at":"2026-12-01T00:00:00+00:00"}""", CancellationToken.None);
        await OfferAsync(urgent: true);

        await StepAsync();
        await StepAsync(QuietFor * 2);
        Assert.False(Installed);
        Assert.Empty(_rig.Server.Requests);

        Assert.Equal("2.0.0", await _installer.InstallNowAsync(CancellationToken.None));
        await StepAsync();
        await AssertInstalledAndRecordedAsync();
    }

    [Fact]
    public async Task AskedFor_InstallsWithoutWaiting()
    {
        await _rig.Store.EnqueueOutboundAsync(null, "15551234567@s.whatsapp.net", "hello", CancellationToken.None);
        await OfferAsync();
        await StepAsync();
        Assert.False(Installed);

        Assert.Equal("2.0.0", await _installer.InstallNowAsync(CancellationToken.None));
        await StepAsync();

        await AssertInstalledAndRecordedAsync();
    }

    [Fact]
    public async Task ShortPressWhileTheOfferIsShown_InstallsWithoutWaiting()
    {
        await _rig.Store.EnqueueOutboundAsync(null, "15551234567@s.whatsapp.net", "hello", CancellationToken.None);
        await OfferAsync();
        await StepAsync();
        Assert.False(Installed);

        _requests.RequestRetry(); // what ButtonController does for a press released before the relink hold
        await StepAsync();

        await AssertInstalledAndRecordedAsync();
    }

    [Fact]
    public async Task ShortPressWithoutAnOfferShown_InstallsNothing()
    {
        await _rig.Store.EnqueueOutboundAsync(null, "15551234567@s.whatsapp.net", "hello", CancellationToken.None);
        await OfferAsync();
        _rig.State.Withdraw<UpdateNotice>(); // not on screen (e.g. taken off while another screen shows)

        _requests.RequestRetry();
        await StepAsync();

        Assert.False(Installed);
    }

    [Fact]
    public async Task FailedInstallation_RecordsNothing_AndIsNotRetried()
    {
        _rig.Rauc.DuringInstall = _ => throw new UpdateFailedException("Installation error: Failed updating slot rootfs.1");
        await OfferAsync(urgent: true);

        await StepAsync();
        await StepAsync(QuietFor * 2);

        Assert.Single(_rig.Rauc.Calls, c => c.StartsWith("install", StringComparison.Ordinal));
        Assert.Equal("failed", _rig.Updates.Current!.Phase);
        Assert.NotNull(await _rig.SettingAsync(CommandHandler.UpdateSetting)); // still offered, still shown
        Assert.Equal("2.0.0", _rig.State.Current.OpenNotice<UpdateNotice>(_rig.Time.GetUtcNow())?.Version);
        Assert.Null(await _rig.SettingAsync(UpdateCoordinator.InstalledSetting));
        Assert.False(File.Exists(_rig.RebootFile));
        Assert.Equal(GatewayState.Online, _rig.State.Current.State);
    }

    [Fact]
    public async Task BundleOfAnotherVersionThanOffered_StillClearsTheOffer()
    {
        await OfferAsync(version: "2.0.1", urgent: true); // the bundle says 2.0.0

        await StepAsync();

        Assert.Equal("installed", _rig.Updates.Current!.Phase);
        Assert.Null(await _rig.SettingAsync(CommandHandler.UpdateSetting)); // else installed again after the reboot, and again
        Assert.Contains("\"version\":\"2.0.0\"", await _rig.SettingAsync(UpdateCoordinator.InstalledSetting));
    }

    [Fact]
    public async Task Start_RemovesARebootRequestLeftFromBefore()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_rig.RebootFile)!);
        await File.WriteAllTextAsync(_rig.RebootFile, "2.0.0\n");

        await _installer.StartAsync(CancellationToken.None);
        await _installer.StopAsync(CancellationToken.None);

        Assert.False(File.Exists(_rig.RebootFile));
    }

    [Fact]
    public async Task OfferOfTheRunningVersion_IsNeitherDownloadedNorInstalled()
    {
        await OfferAsync(version: "1.5.0", urgent: true);

        await StepAsync();

        Assert.Empty(_rig.Server.Requests);
        Assert.Empty(_rig.Rauc.Calls);
    }

    [Fact]
    public async Task WhileUnlinked_OnlyAnUrgentOfferInstalls()
    {
        await using var rig = await UpdateRig.CreateAsync(online: false);
        Assert.True(rig.State.TryFire(new StateChange(GatewayTrigger.NeedsPairing, "Not linked")));
        rig.Rauc.Check = BundleCheck.Valid("2.0.0");
        using var installer = new OfferInstaller(rig.Updates, rig.Store, rig.State, new UpdatesOptions { QuietFor = QuietFor }, rig.Time,
            NullLogger<OfferInstaller>.Instance, runningVersion: "1.5.0");
        rig.Rauc.Check = BundleCheck.Valid("2.0.0");
        var offer = $"{{\"version\":\"2.0.0\",\"url\":\"{rig.Server.UrlFor()}\"}}";
        await rig.Store.SetSettingAsync(CommandHandler.UpdateSetting, offer, CancellationToken.None);

        await installer.StepAsync(CancellationToken.None);
        rig.Time.Advance(QuietFor * 3);
        await installer.StepAsync(CancellationToken.None);
        Assert.Empty(rig.Rauc.Calls); // a QR may be on screen

        await rig.Store.SetSettingAsync(CommandHandler.UpdateSetting, offer.Replace("}", ",\"urgent\":true}", StringComparison.Ordinal), CancellationToken.None);
        await installer.StepAsync(CancellationToken.None);
        Assert.Contains(rig.Rauc.Calls, c => c.StartsWith("install", StringComparison.Ordinal));
    }
}
