namespace WaSms.WhatsApp.Client;

/// <summary>How one connection of <see cref="WaClient"/> ended.</summary>
public enum ConnectionOutcome
{
    /// <summary>Still running (internal).</summary>
    None,

    /// <summary>The server asked for a restart (stream:error 515); the client connects again at once.</summary>
    Restart,

    /// <summary>The connection ended for a reason already reported as an event.</summary>
    Ended,
}
