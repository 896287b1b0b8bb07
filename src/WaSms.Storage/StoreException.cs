namespace WaSms.Storage;

/// <summary>
/// Thrown by <see cref="GatewayStore"/> when the database cannot be used: a schema newer than this
/// firmware, a state directory that cannot be written, or a failed migration.
/// </summary>
public sealed class StoreException : Exception
{
    public StoreException(string message) : base(message) { }

    public StoreException(string message, Exception inner) : base(message, inner) { }
}
