namespace WaSms.Emulators.Platform.Store;

/// <summary>A gateway enrolled with the emulated platform: its credential, resume cursors and latest reports.</summary>
/// <param name="Id">The tunnel's <c>gatewayId</c>.</param>
/// <param name="Unique">The WhatsApp account id of the HTTP API (<c>account</c> when sending, <c>unique</c> in wa.accounts).</param>
/// <param name="PublicKey">The SubjectPublicKeyInfo DER registered at enrollment.</param>
/// <param name="AckedCursor">The highest event cursor stored with every lower one sent.</param>
/// <param name="LastSeq">The highest <c>seq</c> given to a <c>send</c> or <c>command</c>.</param>
/// <param name="State">The latest <c>state</c> frame's JSON, or null.</param>
/// <param name="Pairing">The latest <c>pairing</c> frame's JSON, or null.</param>
/// <param name="Pacing">The pacing object of <c>welcome</c> (JSON).</param>
public sealed record PlatformGateway(
    string Id, string Unique, byte[] PublicKey, bool Revoked, long AckedCursor, long LastSeq,
    string? State, string? Pairing, string Pacing, DateTimeOffset Created);

/// <summary>One reliable platform frame (<c>send</c> or <c>command</c>) as stored for (re)sending.</summary>
public sealed record OutboxFrame(long Seq, string Json);

/// <summary>One inbound event as the tunnel received it, before it is stored.</summary>
/// <param name="Cursor">The gateway's cursor.</param>
/// <param name="Kind"><c>message</c> or <c>status</c>.</param>
/// <param name="Json">The <c>message</c> or <c>status</c> object's JSON.</param>
public sealed record InboundEvent(long Cursor, string Kind, string Json);

/// <summary>A job's reply or status change: the state and whichever times the frame carried.</summary>
public sealed record JobUpdate(string JobId, string State, string? Reason, string? MessageId, DateTimeOffset? At);
