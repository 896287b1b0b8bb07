using System.Text.Json;

namespace WaSms.Gateway.Provisioning;

/// <summary>
/// What the service makes of <c>&lt;state-dir&gt;/provisioning.json</c> (written by <c>wasms-gateway provision</c>,
/// schema in docs/image.md): the refused setup file's key, line and message, shown on the screen
/// after start, in <c>status</c> and in the log.
/// </summary>
public sealed record SetupProblem(string File, string Key, int Line, string Message)
{
    public const string FileName = "provisioning.json";

    /// <summary>"line 9, mqtt_port: mqtt_port must be …" for status and logs.</summary>
    public override string ToString() => (Line > 0 ? $"line {Line}, " : "") + (Key.Length > 0 ? $"{Key}: " : "") + Message;

    /// <summary>The problem the last provisioning run reported, or null when it applied the file, found none, or wrote no report.</summary>
    public static SetupProblem? Read(string stateDirectory)
    {
        var path = Path.Combine(stateDirectory, FileName);
        try
        {
            using var document = JsonDocument.Parse(System.IO.File.ReadAllBytes(path));
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("ok", out var ok) || ok.ValueKind != JsonValueKind.False)
            {
                return null;
            }
            string Text(string name) => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "";
            var line = root.TryGetProperty("line", out var l) && l.TryGetInt32(out var n) ? n : 0;
            var message = Text("message");
            return new SetupProblem(Text("file"), Text("key"), line, message.Length > 0 ? message : "the setup file was refused");
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
        {
            return new SetupProblem(path, "", 0, $"the provisioning report cannot be read ({ex.Message})");
        }
    }
}
