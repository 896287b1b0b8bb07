using System.Collections;
using WaSms.Gateway.Cli;

namespace WaSms.Gateway.Tests.Support;

/// <summary>The CLI through the binary's own entry point, in this process, with an empty environment.</summary>
internal static class InProcessCli
{
    public static async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await GatewayCli.RunAsync(args, new Hashtable(), output, error, CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }
}
