using System.Globalization;
using System.Text;
using System.Text.Json;

namespace WaSms.Gateway.Provisioning;

/// <summary>
/// <c>/var/lib/wasms-gateway/provisioning.json</c>: the outcome of the last provisioning run, for the
/// screen and for support. Never holds a secret value. Schema in docs/image.md.
/// </summary>
internal static class ProvisioningReport
{
    public const string Target = ProvisioningApplier.StateDirectory + "/provisioning.json";

    public static string Success(string file, DateTimeOffset at, IReadOnlyList<string> applied, IReadOnlyList<string> scrubbed) =>
        Render(writer =>
        {
            writer.WriteBoolean("ok", true);
            writer.WriteString("file", file);
            writer.WriteString("at", at.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
            WriteArray(writer, "applied", applied);
            WriteArray(writer, "scrubbed", scrubbed);
        });

    public static string Failure(string file, DateTimeOffset at, string key, int line, string message) =>
        Render(writer =>
        {
            writer.WriteBoolean("ok", false);
            writer.WriteString("file", file);
            writer.WriteString("at", at.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
            writer.WriteString("key", key);
            writer.WriteNumber("line", line);
            writer.WriteString("message", message);
        });

    private static void WriteArray(Utf8JsonWriter writer, string name, IReadOnlyList<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }
        writer.WriteEndArray();
    }

    private static string Render(Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }
}
