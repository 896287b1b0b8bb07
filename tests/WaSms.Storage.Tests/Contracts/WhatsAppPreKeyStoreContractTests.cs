using WaSms.Testing.Contracts;
using WaSms.WhatsApp.Store;

namespace WaSms.Storage.Tests.Contracts;

/// <summary>The gateway's prekey store (numbered keys of the <c>whatsapp</c> scope in SQLite) keeps the store contract.</summary>
public sealed class WhatsAppPreKeyStoreContractTests : PreKeyStoreContract
{
    private readonly StoreFile _file = new();

    protected override async Task<IPreKeyStore> CreateAsync() => new WhatsAppPreKeyStore(await _file.OpenAsync());

    protected override Task DestroyAsync() => _file.DisposeAsync().AsTask();
}
