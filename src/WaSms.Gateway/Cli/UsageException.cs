namespace WaSms.Gateway.Cli;

/// <summary>The command line could not be understood (exit code 64).</summary>
public sealed class UsageException(string message) : Exception(message);
