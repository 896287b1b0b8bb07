using System.Text.Json;
using WaSms.Core.Reset;
using Microsoft.Extensions.Logging;
using WaSms.Core.State;
using WaSms.Gateway.Tunnel.Protocol;
using WaSms.Storage;
using PacingGate = WaSms.Gateway.Messaging.Pacing.PacingGate;

namespace WaSms.Gateway.Tunnel.Sync;

/// <summary>What the link offers the platform's pairing commands (docs/tunnel.md §7.1).</summary>
public interface IPairingControl
{
    /// <summary>An 8-character pairing code for <paramref name="phone"/> (<c>+E164</c>).</summary>
    /// <exception cref="InvalidOperationException">Not possible now (the message says why).</exception>
    Task<string> RequestPairingCodeAsync(string phone, CancellationToken cancellationToken);
}

/// <summary>
/// A command's answer and what runs once it has been sent (a reset runs after its answer, §7.1; it is recorded
/// in the reset journal with the answer, so a crash in between still finishes it at the next start).
/// </summary>
public sealed record CommandOutcome(ResultFrame Result, bool SendStateNow = false, Func<CancellationToken, Task>? After = null);

/// <summary>
/// The platform's <c>command</c> frames (docs/tunnel.md §7.1), executed at most once: the result is stored
/// with the seq (and any setting the command changes) in one transaction, and a replayed seq or id is
/// answered with the stored result.
/// </summary>
public sealed class CommandHandler(GatewayStore store, IResetRequests reset, GatewayStateMachine machine, IPairingControl pairing, PacingGate pacingGate,
    TimeProvider time, ILogger<CommandHandler> log)
{
    /// <summary>The setting the pacing command (and welcome.pacing) is kept under, as the §6.1 JSON object; the pacing reads it.</summary>
    public const string PacingSetting = "pacing";

    /// <summary>
    /// The last <c>update-available</c> offer, as JSON; shown in status, on the screen and MQTT as an <see cref="UpdateNotice"/>
    /// (posted once recorded, restored at start-up by <see cref="Updates.UpdateOffers"/>).
    /// </summary>
    public const string UpdateSetting = "tunnel.update";

    public static readonly TimeSpan PairingCodeLifetime = TimeSpan.FromMinutes(3);

    /// <summary>The origin a platform reset is recorded under in the reset journal.</summary>
    public const string ResetOrigin = "the platform's reset command";

    /// <summary>
    /// The platform reset recorded with its answer but not run, when there is one: the connection can end between
    /// the commit and the reset (the answer's send failed, another loop ended the session), and the platform's
    /// replay is then only answered from the record. The tunnel runs it after every session, so it never waits
    /// for the next start.
    /// </summary>
    public async Task<Func<CancellationToken, Task>?> PendingResetAsync(CancellationToken cancellationToken)
    {
        if (machine.Current.State == GatewayState.Resetting ||
            await store.GetPendingResetAsync(cancellationToken) is not { Origin: ResetOrigin } intent)
        {
            return null;
        }
        return ct => RunResetAsync(intent.Kind, ResetOrigin, ct);
    }

    /// <exception cref="ProtocolException"><c>out-of-order</c>: a seq gap, or a replayed seq with no stored result.</exception>
    public async Task<CommandOutcome> HandleAsync(CommandFrame command, long lastSeq, CancellationToken cancellationToken)
    {
        var seq = command.Seq!.Value;
        if (seq > lastSeq + 1)
        {
            throw new ProtocolException(TunnelErrors.OutOfOrder, $"command.seq: {seq} follows {lastSeq} (a gap; resend in order)");
        }
        if (await store.GetPlatformCommandResultAsync(seq, command.Id!, cancellationToken) is { } stored)
        {
            var result = (ResultFrame)FrameCodec.Decode(System.Text.Encoding.UTF8.GetBytes(stored));
            if (seq > lastSeq)
            {
                // The same command id resent under a new seq: answered from the record, never run again, and
                // the seq moves on (else the next frame would look like a gap and the link would loop).
                await store.CommitPlatformCommandAsync(seq, command.Id!, stored, null, cancellationToken);
            }
            return new CommandOutcome(new ResultFrame { Id = result.Id, Seq = seq, Ok = result.Ok, Error = result.Error, Message = result.Message, Data = result.Data });
        }
        if (seq <= lastSeq)
        {
            throw new ProtocolException(TunnelErrors.OutOfOrder, $"command.seq: {seq} was already processed, and not as command {FrameCodec.Printable(command.Id!)}");
        }
        CommandOutcome outcome;
        (string, string)? setting = null;
        ResetIntent? decided = null;
        try
        {
            (outcome, setting, decided) = await ExecuteAsync(command, cancellationToken);
        }
        catch (CommandRefusedException refused)
        {
            outcome = new CommandOutcome(Fail(command, refused.Code, refused.Message));
        }
        // The reset goes into the journal with the answer: once the platform may hear "ok", a kill -9 can no
        // longer lose it (ResetCoordinator.FinishInterruptedAsync runs it at the next start), and the stored
        // result answers any replay without running it again.
        await store.CommitPlatformCommandAsync(seq, command.Id!, System.Text.Encoding.UTF8.GetString(FrameCodec.Encode(outcome.Result)), setting,
            cancellationToken, decided);
        if (setting is (UpdateSetting, var offerJson) && Updates.UpdateOffers.Parse(offerJson) is { } offer)
        {
            // Shown only once recorded: the screen, status and MQTT never show an offer a crash could lose.
            machine.Post(new UpdateNotice(offer.Version!));
            log.LogInformation("The platform offers firmware {Version}", offer.Version);
        }
        return outcome;
    }

    /// <summary>
    /// Keeps <c>welcome.pacing</c> (docs/tunnel.md §6.1) when the pacing accepts it; a refused object is logged and
    /// ignored, the settings in force stay.
    /// </summary>
    public async Task ApplyWelcomePacingAsync(PacingSettings? pacing, CancellationToken cancellationToken)
    {
        if (pacing is null)
        {
            return;
        }
        var json = JsonSerializer.Serialize(pacing, TunnelJson.Default.PacingSettings);
        if (pacingGate.CheckPlatformSettings(json) is { } problem)
        {
            log.LogWarning("The platform's pacing settings were ignored, the current ones stay: welcome.pacing: {Problem}", problem);
            return;
        }
        await store.SetSettingAsync(PacingSetting, json, cancellationToken);
    }

    private async Task<(CommandOutcome, (string, string)?, ResetIntent?)> ExecuteAsync(CommandFrame command, CancellationToken cancellationToken)
    {
        var args = command.Args is { ValueKind: JsonValueKind.Object } a ? a : JsonDocument.Parse("{}").RootElement;
        switch (command.Name)
        {
            case "reset":
                var mode = Read(args, TunnelJson.Default.ResetArgs).Mode;
                var kind = mode switch
                {
                    "relink" => ResetKind.Relink,
                    "unlink" => ResetKind.FactoryReset,
                    _ => throw new CommandRefusedException("bad-args", "args.mode must be relink or unlink"),
                };
                if (machine.Current.State == GatewayState.Resetting)
                {
                    throw new CommandRefusedException("busy", "a reset is running");
                }
                return (new CommandOutcome(Ok(command), After: ct => RunResetAsync(kind, ResetOrigin, ct)), null,
                    new ResetIntent(kind, DiscardConfirmed: true, ResetOrigin, time.GetUtcNow()));
            case "new-qr":
                RequireUnlinked();
                // WhatsApp hands out the QR refs on its own schedule; the current one goes out now.
                return (new CommandOutcome(Ok(command), SendStateNow: true), null, null);
            case "pair-code":
                RequireUnlinked();
                var phone = Read(args, TunnelJson.Default.PairCodeArgs).Phone ?? throw new CommandRefusedException("bad-args", "args.phone is missing");
                string code;
                try
                {
                    code = await pairing.RequestPairingCodeAsync(phone, cancellationToken);
                }
                catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or TimeoutException)
                {
                    throw new CommandRefusedException("bad-args", ex.Message);
                }
                var data = new PairCodeData { Code = code, ExpiresAt = FrameValidator.FormatTime(time.GetUtcNow() + PairingCodeLifetime) };
                return (new CommandOutcome(Ok(command, FrameCodec.ToElement(data, TunnelJson.Default.PairCodeData)), SendStateNow: true), null, null);
            case "status":
                return (new CommandOutcome(Ok(command), SendStateNow: true), null, null);
            case "update-available":
                var offer = Read(args, TunnelJson.Default.UpdateOffer);
                if (string.IsNullOrEmpty(offer.Version) || string.IsNullOrEmpty(offer.Url))
                {
                    throw new CommandRefusedException("bad-args", "args.version and args.url are required");
                }
                if (!Updates.FirmwareVersion.IsVersion(offer.Version))
                {
                    throw new CommandRefusedException("bad-args", "args.version must be 1-64 letters, digits and . + ~ -, as the bundle names itself");
                }
                if (!Uri.TryCreate(offer.Url, UriKind.Absolute, out var url) || url.Scheme != Uri.UriSchemeHttps || url.Host.Length == 0)
                {
                    throw new CommandRefusedException("bad-args", "args.url must be an https:// URL");
                }
                if (offer.Sha256 is null || !Updates.BundleDownloader.IsSha256(offer.Sha256))
                {
                    throw new CommandRefusedException("bad-args", "args.sha256 must be the bundle's SHA-256 as 64 hex digits");
                }
                return (new CommandOutcome(Ok(command), SendStateNow: true), (UpdateSetting, JsonSerializer.Serialize(offer, TunnelJson.Default.UpdateOffer)), null);
            case "pacing":
                // One validation, the pacing's own: the object merged over the configured settings must hold (§6.1).
                var json = JsonSerializer.Serialize(Read(args, TunnelJson.Default.PacingSettings), TunnelJson.Default.PacingSettings);
                if (pacingGate.CheckPlatformSettings(json) is { } problem)
                {
                    throw new CommandRefusedException("bad-args", $"args: {problem}");
                }
                return (new CommandOutcome(Ok(command)), (PacingSetting, json), null);
            default:
                throw new CommandRefusedException("unknown-command", $"unknown command '{FrameCodec.Printable(command.Name!)}'");
        }
    }

    /// <summary>The recorded reset, through the one reset path; an outcome other than done is logged (the journal keeps it for the next start).</summary>
    private async Task RunResetAsync(ResetKind kind, string origin, CancellationToken cancellationToken)
    {
        var outcome = await reset.ResetAsync(kind, origin, cancellationToken);
        if (!outcome.Completed)
        {
            log.LogWarning("The platform's reset did not run now ({Message}); it stays recorded and runs at the next start", outcome.Message);
        }
    }

    private void RequireUnlinked()
    {
        if (machine.Current.Account is not null)
        {
            throw new CommandRefusedException("already-linked", "a WhatsApp number is linked; reset first");
        }
    }

    private static T Read<T>(JsonElement args, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> info)
    {
        try
        {
            return FrameCodec.ReadObject(args, "args", info);
        }
        catch (ProtocolException ex)
        {
            throw new CommandRefusedException("bad-args", ex.Message);
        }
    }

    private static ResultFrame Ok(CommandFrame command, JsonElement? data = null) => new() { Id = command.Id, Seq = command.Seq, Ok = true, Data = data };

    private static ResultFrame Fail(CommandFrame command, string error, string message) =>
        new() { Id = command.Id, Seq = command.Seq, Ok = false, Error = error, Message = message };

    private sealed class CommandRefusedException(string code, string message) : Exception(message)
    {
        public string Code { get; } = code;
    }
}
