namespace WaSms.WhatsApp.Events;

/// <summary>Something <see cref="Client.WaClient"/> reports to its owner (the gateway's state machine).</summary>
public abstract record WaEvent;
