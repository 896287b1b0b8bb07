using Serilog.Events;
using Serilog.Formatting;
using Serilog.Parsing;

namespace WaSms.Gateway.Logging;

/// <summary>
/// One event per line, as journald wants it: <c>&lt;6&gt;[display] Message</c> on the console
/// (sd-daemon priority prefix; journald's SyslogLevelPrefix maps it to PRIORITY), or with an
/// ISO timestamp for the log file. Exceptions stay on the same line. Known secret values are
/// replaced by <c>***</c> whatever property carried them.
/// </summary>
public sealed class JournalFormatter(bool priorityPrefix, SecretRedactor redactor) : ITextFormatter
{
    public void Format(LogEvent logEvent, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        ArgumentNullException.ThrowIfNull(output);
        var line = new StringWriter();
        if (priorityPrefix)
        {
            line.Write('<');
            line.Write(Priority(logEvent.Level));
            line.Write('>');
        }
        else
        {
            line.Write(logEvent.Timestamp.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z' "));
            line.Write(logEvent.Level.ToString().ToUpperInvariant()[..4]);
            line.Write(' ');
        }
        if (logEvent.Properties.TryGetValue("SourceContext", out var source) && source is ScalarValue { Value: string context })
        {
            line.Write('[');
            line.Write(ShortName(context));
            line.Write("] ");
        }
        foreach (var token in logEvent.MessageTemplate.Tokens)
        {
            if (token is PropertyToken property && logEvent.Properties.TryGetValue(property.PropertyName, out var value)
                && value is ScalarValue { Value: string text })
            {
                line.Write(text); // plain strings without Serilog's quotes: this is for people
            }
            else
            {
                token.Render(logEvent.Properties, line);
            }
        }
        if (logEvent.Exception is { } exception)
        {
            line.Write(" | ");
            line.Write(exception.ToString());
        }
        var rendered = redactor.Redact(line.ToString()).ReplaceLineEndings(" | ");
        output.Write(rendered);
        output.Write('\n');
    }

    /// <summary>syslog priorities: 2 crit, 3 err, 4 warning, 6 info, 7 debug.</summary>
    public static int Priority(LogEventLevel level) => level switch
    {
        LogEventLevel.Fatal => 2,
        LogEventLevel.Error => 3,
        LogEventLevel.Warning => 4,
        LogEventLevel.Information => 6,
        _ => 7,
    };

    private static string ShortName(string context)
    {
        var dot = context.LastIndexOf('.');
        return dot >= 0 ? context[(dot + 1)..] : context;
    }
}
