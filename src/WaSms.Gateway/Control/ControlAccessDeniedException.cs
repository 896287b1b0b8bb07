namespace WaSms.Gateway.Control;

/// <summary>This user may not connect to the control socket (the CLI exits with code 1); whether the gateway runs is unknown.</summary>
public sealed class ControlAccessDeniedException(string socketPath, Exception? inner = null)
    : IOException($"no permission to use {socketPath}: run this as the gateway's user or as root", inner);
