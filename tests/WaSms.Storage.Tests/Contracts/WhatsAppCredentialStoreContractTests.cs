using WaSms.Testing.Contracts;
using WaSms.WhatsApp.Store;

namespace WaSms.Storage.Tests.Contracts;

/// <summary>The gateway's credential store (the <c>whatsapp</c> secret scope in SQLite) keeps the store contract.</summary>
public sealed class WhatsAppCredentialStoreContractTests : CredentialStoreContract
{
    private readonly StoreFile _file = new();

    protected override async Task<IWaCredentialStore> CreateAsync() => new WhatsAppCredentialStore(await _file.OpenAsync());

    protected override Task DestroyAsync() => _file.DisposeAsync().AsTask();
}
