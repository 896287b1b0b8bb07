namespace WaSms.Health.Tests.Support;

/// <summary>A Raspberry Pi's /proc and /sys as far as telemetry reads them.</summary>
public static class FakeProcSys
{
    public const string Serial = "10000000b2c4d6e8";

    public static void Write(string root, bool withSerial = false)
    {
        void Put(string relative, string text)
        {
            var path = Path.Combine(root, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text);
        }
        Put("proc/uptime", "12345.67 40000.12\n");
        Put("proc/loadavg", "0.52 0.40 0.30 1/123 4567\n");
        Put("proc/meminfo", "MemTotal:        1000000 kB\nMemFree:          100000 kB\nMemAvailable:     750000 kB\n");
        Put("sys/class/thermal/thermal_zone0/type", "cpu-thermal\n");
        Put("sys/class/thermal/thermal_zone0/temp", "48312\n");
        Put("sys/devices/platform/soc/soc:firmware/get_throttled", "50005\n");
        if (withSerial)
        {
            Put("proc/device-tree/serial-number", Serial + "\0");
        }
    }
}
