using WaSms.WhatsApp.Signal;

namespace WaSms.WhatsApp.Store;

/// <summary>
/// Where the client keeps the Signal state of its peers: sessions, remote identities, sender keys
/// (groups), and the LID↔phone-number map. Records are the opaque bytes the Signal code serialises;
/// every change goes through <see cref="CommitAsync"/> so a ratchet step is saved in one transaction
/// (together with a message, see <see cref="IMessageStore"/>). Wiped by the reset path.
/// </summary>
public interface ISignalStore
{
    /// <summary>The session records of those of <paramref name="addresses"/> that have one.</summary>
    Task<IReadOnlyDictionary<SignalAddress, byte[]>> LoadSessionsAsync(IReadOnlyCollection<SignalAddress> addresses, CancellationToken cancellationToken);

    /// <summary>The 32-byte identity key last seen for <paramref name="address"/>, or null.</summary>
    Task<byte[]?> LoadIdentityAsync(SignalAddress address, CancellationToken cancellationToken);

    /// <summary>The sender-key record of <paramref name="sender"/> in <paramref name="group"/> (a group JID string), or null.</summary>
    Task<byte[]?> LoadSenderKeyAsync(string group, SignalAddress sender, CancellationToken cancellationToken);

    /// <summary>The LID user (no device, e.g. <c>98765</c>) of phone-number user <paramref name="phoneUser"/>, or null.</summary>
    Task<string?> GetLidUserAsync(string phoneUser, CancellationToken cancellationToken);

    /// <summary>The phone-number user of LID user <paramref name="lidUser"/>, or null.</summary>
    Task<string?> GetPhoneUserAsync(string lidUser, CancellationToken cancellationToken);

    /// <summary>Applies every change in one transaction (nothing when it fails).</summary>
    Task CommitAsync(SignalChanges changes, CancellationToken cancellationToken);
}
