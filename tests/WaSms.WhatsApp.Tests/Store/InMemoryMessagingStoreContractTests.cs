using WaSms.Testing.Contracts;
using WaSms.WhatsApp.Store;

namespace WaSms.WhatsApp.Tests.Store;

/// <summary>The in-memory Signal store (tests, tools, the emulator) keeps the store contract.</summary>
public sealed class InMemorySignalStoreContractTests : SignalStoreContract
{
    protected override Task<MessagingStores> CreateAsync() => Task.FromResult(InMemory.Create(Time));
}

/// <summary>The in-memory message store keeps the store contract.</summary>
public sealed class InMemoryMessageStoreContractTests : MessageStoreContract
{
    protected override Task<MessagingStores> CreateAsync() => Task.FromResult(InMemory.Create(Time));
}

internal static class InMemory
{
    public static MessagingStores Create(TimeProvider time)
    {
        var preKeys = new InMemoryPreKeyStore();
        var signal = new InMemorySignalStore(preKeys);
        return new MessagingStores(signal, new InMemoryMessageStore(signal, time), preKeys);
    }
}
