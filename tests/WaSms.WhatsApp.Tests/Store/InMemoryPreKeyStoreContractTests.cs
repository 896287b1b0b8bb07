using WaSms.Testing.Contracts;
using WaSms.WhatsApp.Store;

namespace WaSms.WhatsApp.Tests.Store;

/// <summary>The in-memory prekey store (tests, tools) keeps the store contract.</summary>
public sealed class InMemoryPreKeyStoreContractTests : PreKeyStoreContract
{
    protected override Task<IPreKeyStore> CreateAsync() => Task.FromResult<IPreKeyStore>(new InMemoryPreKeyStore());
}
