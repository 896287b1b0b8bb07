namespace WaSms.Health.Mqtt;

/// <summary>One reading of the platform's health; null where the platform does not expose a value.</summary>
public sealed record SystemSample(
    double? SystemUptimeSeconds,
    double? CpuTemperatureCelsius,
    double? Load1,
    double? Load5,
    double? Load15,
    double? MemoryUsedPercent,
    long? MemoryAvailableMegabytes,
    long? RootFreeMegabytes,
    long? DataFreeMegabytes,
    ThrottleFlags? Throttle);
