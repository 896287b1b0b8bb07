namespace WaSms.Gateway;

/// <summary>Process exit codes; 78 (EX_CONFIG) is also in the unit's RestartPreventExitStatus.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int Failure = 1;
    /// <summary>The reset needs a second request to discard undelivered data.</summary>
    public const int NeedsConfirmation = 2;
    /// <summary>The service is not running (LSB status convention).</summary>
    public const int NotRunning = 3;
    /// <summary><c>send</c>: no WhatsApp number is linked.</summary>
    public const int NotLinked = 4;
    /// <summary><c>send</c>: not sent within the wait; the job stays queued.</summary>
    public const int NotSentInTime = 5;
    public const int Usage = 64;
    /// <summary>Bad data (EX_DATAERR): a database from a newer firmware; input <c>wa decode</c> cannot decode.</summary>
    public const int DataError = 65;
    public const int Config = 78;
}
