namespace WaSms.Core.State;

/// <summary>What the screen and <c>wasms-gateway qr</c> show while unpaired.</summary>
/// <param name="QrCode">The current QR string, or null when none is valid.</param>
/// <param name="QrExpiresAt">When the current QR stops being valid.</param>
/// <param name="PairingCode">The 8-character phone-number pairing code, when that flow is used.</param>
/// <param name="RefNumber">Which QR ref this is (1-based), for "code 2 of 6".</param>
/// <param name="RefCount">How many refs the server sent in all.</param>
public sealed record PairingInfo(
    string? QrCode,
    DateTimeOffset? QrExpiresAt = null,
    string? PairingCode = null,
    int RefNumber = 0,
    int RefCount = 0);
