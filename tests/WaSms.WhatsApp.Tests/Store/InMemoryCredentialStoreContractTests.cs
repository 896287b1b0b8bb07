using WaSms.Testing.Contracts;
using WaSms.WhatsApp.Store;

namespace WaSms.WhatsApp.Tests.Store;

/// <summary>The in-memory credential store (tests, the emulator's dev flows) keeps the store contract.</summary>
public sealed class InMemoryCredentialStoreContractTests : CredentialStoreContract
{
    protected override Task<IWaCredentialStore> CreateAsync() => Task.FromResult<IWaCredentialStore>(new InMemoryCredentialStore());
}
