namespace WaSms.Gateway.Control;

/// <summary>No gateway answers on the control socket (the CLI exits with code 3).</summary>
public sealed class ServiceNotRunningException(string socketPath, Exception? inner = null)
    : Exception($"the gateway is not running (nothing answers on {socketPath})", inner);
