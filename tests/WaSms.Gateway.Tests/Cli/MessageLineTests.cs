using WaSms.Gateway.Cli;
using WaSms.Gateway.Control;

namespace WaSms.Gateway.Tests.Cli;

/// <summary>
/// The plain <c>messages</c> line: a remote sender's text and push name cannot write escape sequences
/// or extra lines to the customer's terminal.
/// </summary>
public sealed class MessageLineTests
{
    [Fact]
    public void ControlCharactersInTextAndPushName_ShownEscaped_OnOneLine()
    {
        var e = new EventReport(1, "3EB0AA", "message", "15555550100@s.whatsapp.net", "15555550100@s.whatsapp.net",
            DateTimeOffset.UnixEpoch, "text", Text: "hi\u001b[2J\nfake line\r", PushName: "Al\u0007ice");

        var line = GatewayCli.FormatEvent(e);

        Assert.DoesNotContain(line, char.IsControl);
        Assert.EndsWith(@"15555550100@s.whatsapp.net (Al\u0007ice): hi\u001b[2J\nfake line\u000d", line);
    }

    [Fact]
    public void OrdinaryText_Unchanged()
    {
        Assert.Equal("héllo 👋 ok", GatewayCli.Printable("héllo 👋 ok"));
    }
}
