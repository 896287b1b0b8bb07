using System.Globalization;
using System.Text;
using System.Text.Json;
using WaSms.Gateway.Configuration;
using WaSms.Gateway.Control;
using WaSms.Gateway.Messaging;

namespace WaSms.Gateway.Cli;

/// <summary>The messaging commands: <c>send</c>, <c>messages</c>, <c>groups</c> and dev mode's contacts.</summary>
public static partial class GatewayCli
{
    /// <summary>How long <c>send</c> waits for <c>sent</c> unless <c>--timeout</c> says otherwise.</summary>
    private static readonly TimeSpan DefaultSendWait = TimeSpan.FromSeconds(30);

    /// <summary>How long one <c>messages --follow</c> request waits for a new event before asking again.</summary>
    private static readonly TimeSpan FollowPoll = TimeSpan.FromSeconds(25);

    /// <summary>Time the socket answer may take beyond the gateway's own wait.</summary>
    private static readonly TimeSpan AnswerMargin = TimeSpan.FromSeconds(15);

    /// <summary><c>send TO TEXT [--id ID] [--no-wait]</c>: prints the message id; waits for <c>sent</c> unless <c>--no-wait</c>.</summary>
    private static async Task<int> SendAsync(GatewaySettings settings, CommandLine commandLine, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (commandLine.Arguments.Count < 2)
        {
            throw new UsageException("usage: wasms-gateway send <+E164|group-jid> <text> [--id ID] [--no-wait]");
        }
        var to = commandLine.Arguments[0];
        var text = string.Join(' ', commandLine.Arguments.Skip(1));
        try
        {
            Recipient.ToChatJid(to); // a typo is a usage error (64), found before the gateway is asked
        }
        catch (ArgumentException ex)
        {
            throw new UsageException($"send: {ex.Message.Split(" (Parameter", 2)[0]}");
        }
        var wait = commandLine.Has("--no-wait") ? TimeSpan.Zero : Timeout(commandLine, DefaultSendWait);
        var response = await ControlClient.SendAsync(settings.Gateway.ControlSocketPath,
            new ControlRequest("send", To: to, Text: text, Id: commandLine.Flags.GetValueOrDefault("--id"), WaitSeconds: wait.TotalSeconds),
            wait + AnswerMargin, cancellationToken);
        if (response.Send is { } send)
        {
            await output.WriteLineAsync(send.Id); // also on failure or timeout: the job exists, scripts can follow it
        }
        return response.Ok ? ExitCodes.Ok : await FailAsync(response, error);
    }

    /// <summary><c>messages [--json] [--follow]</c>: the stream from the start, in stored order; with <c>--follow</c>, then new events as they come.</summary>
    private static async Task<int> MessagesAsync(GatewaySettings settings, CommandLine commandLine, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (commandLine.Arguments.Count != 0)
        {
            throw new UsageException("usage: wasms-gateway messages [--json] [--follow]");
        }
        var json = commandLine.Has("--json");
        var follow = commandLine.Has("--follow");
        long cursor = 0;
        var caughtUp = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            var wait = caughtUp ? FollowPoll : TimeSpan.Zero;
            ControlResponse response;
            try
            {
                response = await ControlClient.SendAsync(settings.Gateway.ControlSocketPath,
                    new ControlRequest("messages", Cursor: cursor, WaitSeconds: wait.TotalSeconds), wait + AnswerMargin, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break; // --follow ends when the caller stops it
            }
            if (!response.Ok)
            {
                return await FailAsync(response, error);
            }
            var events = response.Events ?? [];
            foreach (var e in events)
            {
                await output.WriteLineAsync(json ? JsonSerializer.Serialize(e, ControlJson.Readable.EventReport) : FormatEvent(e));
                cursor = e.Cursor;
            }
            await output.FlushAsync(cancellationToken);
            if (events.Count == 0)
            {
                if (!follow)
                {
                    break;
                }
                caughtUp = true;
            }
        }
        return ExitCodes.Ok;
    }

    /// <summary><c>groups</c>: the groups the linked number is in, one per line: JID, participants, subject.</summary>
    private static async Task<int> GroupsAsync(GatewaySettings settings, CommandLine commandLine, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var response = await ControlClient.SendAsync(settings.Gateway.ControlSocketPath, new ControlRequest("groups"),
            Timeout(commandLine, TimeSpan.FromSeconds(30)), cancellationToken);
        if (!response.Ok)
        {
            return await FailAsync(response, error);
        }
        foreach (var group in response.Groups ?? [])
        {
            await output.WriteLineAsync($"{group.Jid}\t{group.Participants} participants\t{group.Subject}");
        }
        return ExitCodes.Ok;
    }

    /// <summary><c>optouts</c>: the opt-out list, one per line (number, keyword, when, message id); <c>optouts remove +E164</c> takes one off.</summary>
    private static async Task<int> OptOutsAsync(GatewaySettings settings, CommandLine commandLine, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var request = commandLine.Arguments switch
        {
            [] => new ControlRequest("optouts"),
            ["remove", var phone] => new ControlRequest("optouts-remove", To: phone),
            _ => throw new UsageException("usage: wasms-gateway optouts | optouts remove <+E164>"),
        };
        var response = await ControlClient.SendAsync(settings.Gateway.ControlSocketPath, request, Timeout(commandLine, TimeSpan.FromSeconds(30)), cancellationToken);
        if (!response.Ok)
        {
            return await FailAsync(response, error);
        }
        foreach (var o in response.OptOuts ?? [])
        {
            await output.WriteLineAsync($"{o.Phone}\t{Printable(o.Keyword)}\t{o.At.ToLocalTime():yyyy-MM-dd HH:mm:ss}\t{o.MessageId ?? "-"}");
        }
        if (response.Message is { } message)
        {
            await output.WriteLineAsync(message);
        }
        return ExitCodes.Ok;
    }

    /// <summary><c>dev say FROM TEXT</c>, <c>dev group-say GROUP FROM TEXT</c>, <c>dev inbox CONTACT</c>: dev mode's emulated contacts.</summary>
    private static async Task<int> DevContactAsync(GatewaySettings settings, CommandLine commandLine, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var a = commandLine.Arguments;
        var request = a switch
        {
            ["say", var from, .. var words] when words.Count > 0 => new ControlRequest("dev-say", From: from, Text: string.Join(' ', words)),
            ["group-say", var group, var from, .. var words] when words.Count > 0 => new ControlRequest("dev-group-say", From: from, Group: group, Text: string.Join(' ', words)),
            ["inbox", var contact] => new ControlRequest("dev-inbox", From: contact),
            _ => throw new UsageException("usage: wasms-gateway dev say <from> <text> | dev group-say <group> <from> <text> | dev inbox <contact>"),
        };
        var response = await ControlClient.SendAsync(settings.Gateway.ControlSocketPath, request, Timeout(commandLine, TimeSpan.FromSeconds(30)), cancellationToken);
        if (response.Ok && response.Inbox is { } inbox)
        {
            foreach (var m in inbox)
            {
                await output.WriteLineAsync($"{m.At.ToLocalTime():yyyy-MM-dd HH:mm:ss}  {m.Chat}  {m.From}: {m.Text}");
            }
            return ExitCodes.Ok;
        }
        return response.Ok ? await ReportAsync(response, output, error) : await FailAsync(response, error);
    }

    private static async Task<int> FailAsync(ControlResponse response, TextWriter error)
    {
        await error.WriteLineAsync($"wasms-gateway: {response.Error}");
        return MessagingExitCode(response);
    }

    /// <summary>The exit code of a failed messaging answer (README "Exit codes").</summary>
    private static int MessagingExitCode(ControlResponse response) => response.Code switch
    {
        "usage" => ExitCodes.Usage,
        "not-linked" => ExitCodes.NotLinked,
        "timeout" => ExitCodes.NotSentInTime,
        _ => ExitCodes.Failure,
    };

    /// <summary>One line of plain <c>messages</c>: time, chat, then who said what, or which send reached which state.</summary>
    internal static string FormatEvent(EventReport e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var at = e.Timestamp.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        if (e.Kind == "status")
        {
            return $"{at}  {e.Chat}  {e.Id} {e.Status}{(e.Reason is null ? "" : $": {e.Reason}")}";
        }
        var who = e.FromMe == true ? "me" : e.PushName is null ? e.From : $"{e.From} ({Printable(e.PushName)})";
        var body = e.Text is null ? (e.Reason is null ? $"[{e.Type}]" : $"[{e.Type}: {Printable(e.Reason)}]") : Printable(e.Text);
        return $"{at}  {e.Chat}  {who}: {body}";
    }

    /// <summary>
    /// A remote sender's text as one terminal line: control characters (escape sequences that could
    /// recolour or rewrite the terminal, newlines that could forge a line) shown as <c>\uXXXX</c>,
    /// a newline as <c>\n</c>. <c>--json</c> output is escaped by the serializer already.
    /// </summary>
    internal static string Printable(string text)
    {
        if (!text.Any(char.IsControl))
        {
            return text;
        }
        var builder = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            builder.Append(c switch
            {
                '\n' => "\\n",
                _ when char.IsControl(c) => string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
                _ => c.ToString(),
            });
        }
        return builder.ToString();
    }
}
