using WaSms.Core.State;

namespace WaSms.Health.Mqtt;

/// <summary>
/// Builds the one device-based discovery payload (docs/mqtt.md "Home Assistant"): connectivity
/// binary sensors for the WhatsApp and platform links, an update sensor (the platform's offer) and an <c>update</c> entity
/// (versions, progress while installing, a rollback), problem sensors (display missing, button stuck, and
/// under-voltage / throttled where the board reports them), an enum sensor for the state, and
/// measurements and counters with device classes and units. Sensors for values the platform does
/// not expose (no thermal zone, no throttling flags) are left out rather than shown as unknown.
/// </summary>
internal static class HomeAssistantDiscovery
{
    private const string Diagnostic = "diagnostic";

    public static DiscoveryPayload Build(HealthTopics topics, string version, string boardKind, int telemetrySeconds, SystemSample sample)
    {
        var id = topics.GatewayId;
        var expire = telemetrySeconds * 3;
        var components = new SortedDictionary<string, DiscoveryComponent>(StringComparer.Ordinal);

        void State(string key, string platform, string name, string template, Func<DiscoveryComponent, DiscoveryComponent>? with = null) =>
            components[key] = (with ?? (c => c))(new DiscoveryComponent(platform, $"{id}_{key}", name, topics.State, template));
        void Telemetry(string key, string platform, string name, string template, Func<DiscoveryComponent, DiscoveryComponent>? with = null) =>
            components[key] = (with ?? (c => c))(new DiscoveryComponent(platform, $"{id}_{key}", name, topics.Telemetry, template)
            {
                ExpireAfter = expire,
                EntityCategory = Diagnostic,
            });

        State("whatsapp", "binary_sensor", "WhatsApp linked", "{{ 'ON' if value_json.whatsapp_linked else 'OFF' }}",
            c => c with { DeviceClass = "connectivity" });
        State("platform", "binary_sensor", "Platform link", "{{ 'ON' if value_json.tunnel == 'connected' else 'OFF' }}",
            c => c with { DeviceClass = "connectivity" });
        State("update", "binary_sensor", "Firmware update available", "{{ 'ON' if value_json.update_available else 'OFF' }}",
            c => c with { DeviceClass = "update" });
        // The update entity reads its own topic, already in the JSON form Home Assistant's MQTT update schema takes
        // (https://www.home-assistant.io/integrations/update.mqtt/): no template, no command topic (updates install by themselves).
        components["firmware"] = new DiscoveryComponent("update", $"{id}_firmware", "Firmware", topics.Update, null)
        {
            DeviceClass = "firmware",
            EntityCategory = "config",
        };
        State("state", "sensor", "State", "{{ value_json.state }}",
            c => c with { DeviceClass = "enum", Options = GatewayStateNames.All });
        State("display_missing", "binary_sensor", "Display missing", "{{ 'OFF' if value_json.display_present else 'ON' }}",
            c => c with { DeviceClass = "problem", EntityCategory = Diagnostic });
        State("button_stuck", "binary_sensor", "Button stuck", "{{ 'ON' if value_json.button_stuck else 'OFF' }}",
            c => c with { DeviceClass = "problem", EntityCategory = Diagnostic });
        State("queued", "sensor", "Queued items", "{{ value_json.queued_total }}",
            c => c with { StateClass = "measurement", Icon = "mdi:tray-full" });

        Telemetry("uptime", "sensor", "Uptime", "{{ value_json.uptime_s }}",
            c => c with { DeviceClass = "duration", UnitOfMeasurement = "s" });
        if (sample.CpuTemperatureCelsius is not null)
        {
            Telemetry("cpu_temperature", "sensor", "CPU temperature", "{{ value_json.cpu_temp_c }}",
                c => c with { DeviceClass = "temperature", UnitOfMeasurement = "°C", StateClass = "measurement" });
        }
        if (sample.Load1 is not null)
        {
            Telemetry("load", "sensor", "Load (1 min)", "{{ value_json.load1 }}", c => c with { StateClass = "measurement", Icon = "mdi:chip" });
        }
        if (sample.MemoryUsedPercent is not null)
        {
            Telemetry("memory_used", "sensor", "Memory used", "{{ value_json.mem_used_pct }}",
                c => c with { UnitOfMeasurement = "%", StateClass = "measurement", Icon = "mdi:memory" });
        }
        if (sample.RootFreeMegabytes is not null)
        {
            Telemetry("disk_free", "sensor", "Disk free", "{{ value_json.disk_root_free_mb }}",
                c => c with { DeviceClass = "data_size", UnitOfMeasurement = "MB", StateClass = "measurement" });
        }
        if (sample.DataFreeMegabytes is not null)
        {
            Telemetry("data_free", "sensor", "Data partition free", "{{ value_json.data_free_mb }}",
                c => c with { DeviceClass = "data_size", UnitOfMeasurement = "MB", StateClass = "measurement" });
        }
        if (sample.Throttle is not null)
        {
            Telemetry("undervoltage", "binary_sensor", "Under-voltage", "{{ 'ON' if value_json.undervoltage_now else 'OFF' }}",
                c => c with { DeviceClass = "problem" });
            Telemetry("throttled", "binary_sensor", "Throttled", "{{ 'ON' if value_json.throttled_now or value_json.freq_capped_now else 'OFF' }}",
                c => c with { DeviceClass = "problem" });
        }
        Telemetry("messages_in", "sensor", "Messages received", "{{ value_json.msgs_in }}",
            c => c with { StateClass = "total_increasing", EntityCategory = null, Icon = "mdi:message-arrow-left" });
        Telemetry("messages_out", "sensor", "Messages sent", "{{ value_json.msgs_out }}",
            c => c with { StateClass = "total_increasing", EntityCategory = null, Icon = "mdi:message-arrow-right" });
        Telemetry("messages_failed", "sensor", "Messages failed", "{{ value_json.msgs_failed }}",
            c => c with { StateClass = "total_increasing", Icon = "mdi:message-alert" });
        Telemetry("whatsapp_reconnects", "sensor", "WhatsApp reconnects", "{{ value_json.wa_reconnects }}",
            c => c with { StateClass = "total_increasing", Icon = "mdi:reload" });
        Telemetry("mqtt_reconnects", "sensor", "MQTT reconnects", "{{ value_json.mqtt_reconnects }}",
            c => c with { StateClass = "total_increasing", Icon = "mdi:reload" });

        return new DiscoveryPayload(
            new DiscoveryDevice([id], $"WaSMS Gateway {id}", "WaSMS", $"WaSMS Gateway ({boardKind})", version),
            new DiscoveryOrigin("wasms-gateway", version),
            topics.Status,
            MqttHealthReporter.Online,
            MqttHealthReporter.Offline,
            1,
            components);
    }
}
