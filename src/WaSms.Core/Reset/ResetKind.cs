namespace WaSms.Core.Reset;

public enum ResetKind
{
    /// <summary>Log out of WhatsApp, forget its credentials, show a new QR (button held 5 s, <c>reset</c>).</summary>
    Relink,
    /// <summary>Relink, and also forget the platform enrollment and local settings (button held 15 s).</summary>
    FactoryReset,
}
