using Serilog;
using Serilog.Core;
using Serilog.Events;
using WaSms.Gateway.Logging;
using Xunit.Abstractions;

namespace WaSms.Gateway.Tests.Support;

/// <summary>
/// The product's logger (same levels, same journal lines as <see cref="Hosting.RunCommand.CreateLogger"/>)
/// for an in-process gateway host, written to the test's own output instead of the console: the
/// runner shows it beside a failing test and keeps a passing run's output to its summary.
/// </summary>
internal static class TestLog
{
    /// <param name="output">The test's output.</param>
    /// <param name="capture">Also collects every formatted line here, for tests about the log itself.</param>
    public static Logger Create(ITestOutputHelper output, ICollection<string>? capture = null) => new LoggerConfiguration()
        .MinimumLevel.Information()
        .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
        .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
        .WriteTo.Sink(new OutputSink(output, new JournalFormatter(priorityPrefix: true, new SecretRedactor()), capture))
        .CreateLogger();

    private sealed class OutputSink(ITestOutputHelper output, JournalFormatter formatter, ICollection<string>? capture) : ILogEventSink
    {
        public void Emit(LogEvent logEvent)
        {
            using var writer = new StringWriter();
            formatter.Format(logEvent, writer);
            var text = writer.ToString().TrimEnd('\n');
            if (capture is not null)
            {
                lock (capture)
                {
                    capture.Add(text);
                }
            }
            try
            {
                output.WriteLine(text);
            }
            catch (InvalidOperationException)
            {
                // A background loop logging after its test finished: there is no test to attach it to.
            }
        }
    }
}
