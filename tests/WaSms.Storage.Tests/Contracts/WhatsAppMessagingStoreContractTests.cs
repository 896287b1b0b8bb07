using WaSms.Testing.Contracts;

namespace WaSms.Storage.Tests.Contracts;

/// <summary>The gateway's Signal store (the <c>whatsapp</c> scope's Signal tables in SQLite) keeps the store contract.</summary>
public sealed class WhatsAppSignalStoreContractTests : SignalStoreContract
{
    private readonly StoreFile _file = new();

    protected override async Task<MessagingStores> CreateAsync() => SqliteStores.Create(await _file.OpenAsync(Time));

    protected override Task DestroyAsync() => _file.DisposeAsync().AsTask();
}

/// <summary>The gateway's message store (SQLite) keeps the store contract.</summary>
public sealed class WhatsAppMessageStoreContractTests : MessageStoreContract
{
    private readonly StoreFile _file = new();

    protected override async Task<MessagingStores> CreateAsync() => SqliteStores.Create(await _file.OpenAsync(Time));

    protected override Task DestroyAsync() => _file.DisposeAsync().AsTask();
}

internal static class SqliteStores
{
    public static MessagingStores Create(GatewayStore store) =>
        new(new WhatsAppSignalStore(store), new WhatsAppMessageStore(store), new WhatsAppPreKeyStore(store));
}
