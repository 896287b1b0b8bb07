namespace WaSms.Storage;

/// <summary>
/// Thrown by <see cref="GatewayStore"/> when the database cannot be used: a schema newer than this
/// firmware that does not record this firmware as able to use it, a state directory that cannot be
/// written, or a failed migration (or a malformed <c>-- readable-by:</c> marker in one).
/// </summary>
public sealed class StoreException : Exception
{
    public StoreException(string message) : base(message) { }

    public StoreException(string message, Exception inner) : base(message, inner) { }
}
