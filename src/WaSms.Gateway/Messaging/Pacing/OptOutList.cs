using WaSms.Storage;

namespace WaSms.Gateway.Messaging.Pacing;

/// <summary>The opt-out list as <c>wasms-gateway optouts</c> shows and edits it.</summary>
public sealed class OptOutList(GatewayStore store)
{
    public Task<IReadOnlyList<OptOutEntry>> GetAsync(CancellationToken cancellationToken) => store.GetOptOutsAsync(cancellationToken);

    /// <summary>Takes <paramref name="phone"/> (<c>+E164</c>, or a LID JID as the list shows it) off the list: later jobs to it are sent again.</summary>
    /// <exception cref="ArgumentException"><paramref name="phone"/> is neither form.</exception>
    /// <exception cref="InvalidOperationException">It is not on the list.</exception>
    public async Task RemoveAsync(string phone, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(phone);
        var key = phone.Trim();
        if (!key.EndsWith("@lid", StringComparison.Ordinal))
        {
            var jid = Recipient.ToChatJid(key);
            if (!OptOutRules.IsPerson(jid))
            {
                throw new ArgumentException($"\"{Recipient.Shorten(phone)}\" is a group; the opt-out list holds phone numbers (+15555550100)");
            }
            key = OptOutRules.PhoneOf(jid);
        }
        if (!await store.RemoveOptOutAsync(key, cancellationToken))
        {
            throw new InvalidOperationException($"{key} is not on the opt-out list");
        }
    }
}
