using WaSms.WhatsApp.Crypto;

namespace WaSms.WhatsApp.Store;

/// <summary>A Signal one-time prekey: a 24-bit id and its Curve25519 key pair (docs/whatsapp.md §6.2).</summary>
public sealed record PreKey(uint Id, Curve25519KeyPair KeyPair)
{
    /// <summary>Prekey ids are 24-bit on the wire (3 bytes big-endian).</summary>
    public const uint MaxId = 0xFFFFFF;
}

/// <summary>
/// Where the client keeps its one-time prekeys. Keys are saved before they are sent and
/// marked uploaded only after the server's result, so a crash in between sends the same ids again.
/// </summary>
public interface IPreKeyStore
{
    /// <summary>The first <paramref name="count"/> keys not yet uploaded, made and saved first when there are fewer.</summary>
    Task<IReadOnlyList<PreKey>> GetOrCreateUnuploadedAsync(int count, CancellationToken cancellationToken);

    /// <summary>Records that the server confirmed <paramref name="ids"/>.</summary>
    Task MarkUploadedAsync(IReadOnlyCollection<uint> ids, CancellationToken cancellationToken);

    /// <summary>How many keys the server confirmed (and are not used up).</summary>
    Task<int> CountUploadedAsync(CancellationToken cancellationToken);

    /// <summary>Key <paramref name="id"/>, uploaded or not, or null.</summary>
    Task<PreKey?> GetAsync(uint id, CancellationToken cancellationToken);

    /// <summary>Forgets key <paramref name="id"/> once a session used it.</summary>
    Task RemoveAsync(uint id, CancellationToken cancellationToken);
}
