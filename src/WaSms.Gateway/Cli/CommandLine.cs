namespace WaSms.Gateway.Cli;

/// <summary>
/// The parsed command line: a verb, its arguments and flags, and configuration overrides
/// (<c>--state-dir</c>, <c>--simulate</c>, <c>--Section:Key=value</c>).
/// </summary>
public sealed class CommandLine
{
    public static readonly string[] Verbs = ["run", "status", "qr", "pair-code", "enroll", "update", "press", "reset", "send", "messages", "groups", "optouts", "wa", "dev", "provision", "version", "help"];

    private static readonly string[] FlagsWithValue = ["--hold", "--port", "--root", "--file", "--timeout", "--id", "--api-port", "--codes", "--data", "--sha256", "--version"];
    private static readonly string[] BareFlags = ["--json", "--factory", "--no-wait", "--follow", "--reboot", "--offer", "--dismiss", "--when-quiet", "--urgent", "--help", "-h"];

    public string Verb { get; private init; } = "run";

    public List<string> Arguments { get; } = [];

    public Dictionary<string, string?> Flags { get; } = new(StringComparer.Ordinal);

    /// <summary>Configuration keys set on the command line, with the option that set them.</summary>
    public List<(string Key, string Value, string Option)> Settings { get; } = [];

    public string? ConfigFile { get; private set; }

    public bool Has(string flag) => Flags.ContainsKey(flag);

    /// <exception cref="UsageException">The arguments make no sense.</exception>
    public static CommandLine Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var verb = args.Count > 0 && !args[0].StartsWith('-') ? args[0] : "run";
        if (!Verbs.Contains(verb))
        {
            throw new UsageException($"unknown command \"{verb}\"");
        }
        var result = new CommandLine { Verb = verb };
        for (var i = verb == "run" && (args.Count == 0 || args[0].StartsWith('-')) ? 0 : 1; i < args.Count; i++)
        {
            var arg = args[i];
            string Value()
            {
                if (i + 1 >= args.Count)
                {
                    throw new UsageException($"{arg} needs a value");
                }
                return args[++i];
            }

            if (arg == "--state-dir")
            {
                result.Settings.Add(("Gateway:StateDirectory", Value(), "--state-dir"));
            }
            else if (arg.StartsWith("--state-dir=", StringComparison.Ordinal))
            {
                result.Settings.Add(("Gateway:StateDirectory", arg["--state-dir=".Length..], "--state-dir"));
            }
            else if (arg == "--simulate")
            {
                result.Settings.Add(("Board:Kind", "Simulated", "--simulate"));
            }
            else if (arg == "--config")
            {
                result.ConfigFile = Value();
            }
            else if (FlagsWithValue.Contains(arg))
            {
                result.Flags[arg] = Value();
            }
            else if (BareFlags.Contains(arg))
            {
                result.Flags[arg] = null;
            }
            else if (arg.StartsWith("--", StringComparison.Ordinal) && arg.Contains(':', StringComparison.Ordinal))
            {
                // --Section:Key=value or --Section:Key value
                var body = arg[2..];
                var eq = body.IndexOf('=', StringComparison.Ordinal);
                var option = eq >= 0 ? arg[..(eq + 2)] : arg;
                result.Settings.Add(eq >= 0 ? (body[..eq], body[(eq + 1)..], option) : (body, Value(), option));
            }
            else if (arg.StartsWith('-') && arg != "-")
            {
                throw new UsageException($"unknown option {arg}");
            }
            else
            {
                result.Arguments.Add(arg);
            }
        }
        return result;
    }

    public const string Usage = """
        Usage: wasms-gateway [command] [options]

        Commands:
          run                      run the gateway (default)
          status [--json]          state, reason and queue depths of the running gateway
          qr                       print the current pairing QR in the terminal
          pair-code +NUMBER        link by phone number: prints (and shows) an 8-character code
          enroll CODE              link to the WaSMS platform with the dashboard's one-time code
          update BUNDLE|URL [--sha256 HEX] [--reboot] [--no-wait]
                                   install a signed update bundle into the other slot: a file, or
                                   an https URL the gateway downloads (resumable; --sha256 checked);
                                   checked before anything is written; follows it (docs/updates.md);
                                   reboot to run it (--reboot: the board reboots by itself)
          update URL --sha256 HEX --version V --when-quiet [--urgent]
                                   offer an update as the platform does: shown on the screen, in
                                   status and MQTT, downloaded now, installed at a quiet moment
                                   (nothing queued, sent or received for 2 min) or at once with
                                   --urgent, update --offer or a short press of the button
          update --offer           install the offered update now (no waiting for a quiet
                                   moment); the board reboots into it
          update --dismiss         stop showing an update that was rolled back
          press [--hold SECONDS]   press the button (hold 5 s = relink, 15 s = factory reset)
          reset [--factory]        relink (as a 5 s hold), or factory reset
          send TO TEXT [--id ID] [--no-wait]
                                   send a text to +E164 or a group JID; prints the message id and
                                   waits for "sent" (--timeout, default 30 s); --id makes it idempotent
          messages [--json] [--follow]
                                   received messages and status changes of sends, in stored order;
                                   --json: one object per line; --follow: keep printing new ones
          groups                   the groups the linked number is in (JID, participants, subject)
          optouts                  the opt-out list (number, keyword, when, message id)
          optouts remove +NUMBER   take a number off the opt-out list (sends to it go out again)
          wa decode HEX|-          a WhatsApp frame payload (flags byte + node) as JSON
          wa encode JSON|-         a node in that JSON shape as frame payload hex
          dev scan [QR]            dev mode: the emulated phone scans the QR on screen and links
          dev code [CODE]          dev mode: the emulated phone enters the pairing code on screen
          dev wa-server [--port N] the WhatsApp emulator on its own; QR strings on stdin get scanned
          dev platform [--port N] [--api-port N] [--codes N] [--data DIR] [--json]
                                   the WaSMS platform emulator on its own: prints its tunnel URL,
                                   API URL and secret, fresh enrollment codes and its CA file
          dev say FROM TEXT        dev mode: emulated contact FROM (+1555…) sends TEXT to the gateway
          dev group-say GROUP FROM TEXT
                                   dev mode: FROM sends TEXT to GROUP (JID or subject)
          dev inbox CONTACT        dev mode: what emulated contact CONTACT has received
          provision [--root DIR] [--file PATH]
                                   apply the boot partition's wasms-gateway.txt (run at boot as root)
          version                  print the version

        Options:
          --state-dir DIR          where all state lives (default /var/lib/wasms-gateway)
          --simulate               simulated board (dev mode: emulators on loopback)
          --config FILE            settings file (default /etc/wasms-gateway/gateway.json)
          --Section:Key=VALUE      any setting, e.g. --Log:Level=Debug (secrets here are visible
                                   to every local user through ps: use the config file)
          --timeout SECONDS        how long to wait for the gateway's answer (status: 10)

        Exit codes: 0 ok, 1 failure (also: the gateway did not answer in time; a send that failed),
        2 reset needs confirmation (undelivered data), 3 not running, 4 not linked (send), 5 not sent
        in time (send; it stays queued), 64 usage (also: a bad recipient or text, a bad URL), 65 bad
        data (a database from a newer firmware; wa decode: input that does not decode; update: a
        bundle refused or with another sha256), 78 invalid configuration.
        """;
}
