namespace WaSms.Core.Health;

/// <summary>
/// Counters since the service started, reported in MQTT's <c>&lt;prefix&gt;/telemetry</c>. Producers (the
/// WhatsApp link, later messaging and the tunnel) increment them, reporters read them; one instance
/// per process, in Core so that neither side depends on the other. Thread-safe.
/// </summary>
public sealed class HealthCounters
{
    private long _messagesIn;
    private long _messagesOut;
    private long _messagesFailed;
    private long _whatsAppReconnects;
    private long _tunnelReconnects;
    private long _mqttReconnects;

    public long MessagesIn => Interlocked.Read(ref _messagesIn);

    public long MessagesOut => Interlocked.Read(ref _messagesOut);

    public long MessagesFailed => Interlocked.Read(ref _messagesFailed);

    public long WhatsAppReconnects => Interlocked.Read(ref _whatsAppReconnects);

    public long TunnelReconnects => Interlocked.Read(ref _tunnelReconnects);

    public long MqttReconnects => Interlocked.Read(ref _mqttReconnects);

    public void MessageReceived() => Interlocked.Increment(ref _messagesIn);

    public void MessageSent() => Interlocked.Increment(ref _messagesOut);

    public void MessageFailed() => Interlocked.Increment(ref _messagesFailed);

    public void WhatsAppReconnected() => Interlocked.Increment(ref _whatsAppReconnects);

    public void TunnelReconnected() => Interlocked.Increment(ref _tunnelReconnects);

    public void MqttReconnected() => Interlocked.Increment(ref _mqttReconnects);
}
