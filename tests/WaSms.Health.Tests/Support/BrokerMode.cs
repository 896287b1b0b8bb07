namespace WaSms.Health.Tests.Support;

/// <summary>How a test broker authenticates clients.</summary>
public enum BrokerMode
{
    Plain,
    Password,
    Tls,
}
