namespace WaSms.Health.Tests.Support;

/// <summary>One message as a subscriber saw it.</summary>
public sealed record Received(string Topic, string Payload, bool Retained, DateTime At);
