namespace WaSms.WhatsApp.Events;

/// <summary>
/// The server's certificate chain is sound but not valid at this device's time: the clock is wrong
/// (a board without a real-time clock before NTP answers). <paramref name="Offset"/> estimates how
/// far: positive when the local clock is behind. It comes from the server's HTTP <c>Date</c> header
/// when there is one (<paramref name="FromServerDate"/>), else it is the least offset that explains
/// the failed certificate. The connection ended; the client does not retry by itself.
/// </summary>
public sealed record ClockSkew(TimeSpan Offset, bool FromServerDate, Exception Cause) : WaEvent;
