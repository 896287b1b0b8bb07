using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using WaSms.WhatsApp.Proto;
using WaSms.WhatsApp.Store;
using AppVersion = WaSms.WhatsApp.Proto.ClientPayload.Types.UserAgent.Types.AppVersion;
using UserAgent = WaSms.WhatsApp.Proto.ClientPayload.Types.UserAgent;
using WebInfo = WaSms.WhatsApp.Proto.ClientPayload.Types.WebInfo;

namespace WaSms.WhatsApp.Client;

/// <summary>
/// Builds the ClientPayload for a first registration or for the login of a paired device
/// (docs/whatsapp.md §2; whatsmeow store/clientpayload.go, Baileys rc14 lib/Utils/validate-connection.js).
/// </summary>
public static class ClientPayloadFactory
{
    /// <summary>The Signal key type byte ("DJB", 0x05).</summary>
    public const byte KeyTypeDjb = 0x05;

    /// <summary>The payload for an unpaired device: <c>passive=false</c>, <c>pull=false</c> and <c>devicePairingData</c>.</summary>
    public static ClientPayload Registration(WaCredentials credentials, WaClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentNullException.ThrowIfNull(options);
        var payload = Base(options);
        payload.Passive = false;
        payload.Pull = false;

        var regId = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(regId, credentials.RegistrationId);
        var skeyId = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(skeyId, credentials.SignedPreKeyId);
        var version = VersionString(options.ClientVersion);
#pragma warning disable CA5351 // WhatsApp's buildHash is defined as MD5 of the version string (docs/whatsapp.md §2.3); not used for security.
        var buildHash = MD5.HashData(Encoding.ASCII.GetBytes(version));
#pragma warning restore CA5351
        var props = new DeviceProps
        {
            Os = options.DeviceName,
            Version = new AppVersion { Primary = 10, Secondary = 15, Tertiary = 7 },
            PlatformType = DeviceProps.Types.PlatformType.Chrome,
            RequireFullSync = false,
        };

        payload.DevicePairingData = new ClientPayload.Types.DevicePairingRegistrationData
        {
            ERegid = ByteString.CopyFrom(regId),
            EKeytype = ByteString.CopyFrom(KeyTypeDjb),
            EIdent = ByteString.CopyFrom(credentials.IdentityKey.PublicKey.Span),
            ESkeyId = ByteString.CopyFrom(skeyId.AsSpan(1)),
            ESkeyVal = ByteString.CopyFrom(credentials.SignedPreKey.PublicKey.Span),
            ESkeySig = ByteString.CopyFrom(credentials.SignedPreKeySignature.Span),
            BuildHash = ByteString.CopyFrom(buildHash),
            DeviceProps = props.ToByteString(),
        };
        return payload;
    }

    /// <summary>The payload for a paired device: <c>username</c>, <c>device</c>, <c>passive=true</c>, <c>pull=true</c>.</summary>
    /// <exception cref="ArgumentException">The credentials hold no JID, or its user is not a number.</exception>
    public static ClientPayload Login(WaCredentials credentials, WaClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentNullException.ThrowIfNull(options);
        var jid = credentials.Jid ?? throw new ArgumentException("Login needs a paired JID.", nameof(credentials));
        if (!ulong.TryParse(jid.User, NumberStyles.None, CultureInfo.InvariantCulture, out var username))
        {
            throw new ArgumentException($"The JID user '{jid.User}' is not a phone number.", nameof(credentials));
        }

        var payload = Base(options);
        payload.Username = username;
        payload.Device = jid.Device ?? 0;
        payload.Passive = true;
        payload.Pull = true;
        payload.LidDbMigrated = false;
        return payload;
    }

    /// <summary>"major.minor.build", the string whose MD5 is the build hash.</summary>
    public static string VersionString(Version version)
    {
        ArgumentNullException.ThrowIfNull(version);
        return string.Create(CultureInfo.InvariantCulture, $"{version.Major}.{version.Minor}.{version.Build}");
    }

    private static ClientPayload Base(WaClientOptions options) => new()
    {
        UserAgent = new UserAgent
        {
            Platform = UserAgent.Types.Platform.Web,
            ReleaseChannel = UserAgent.Types.ReleaseChannel.Release,
            AppVersion = new AppVersion
            {
                Primary = (uint)options.ClientVersion.Major,
                Secondary = (uint)options.ClientVersion.Minor,
                Tertiary = (uint)Math.Max(0, options.ClientVersion.Build),
            },
            Mcc = "000",
            Mnc = "000",
            OsVersion = "0.1",
            Device = "Desktop",
            OsBuildNumber = "0.1",
            LocaleLanguageIso6391 = "en",
            LocaleCountryIso31661Alpha2 = "US",
        },
        WebInfo = new WebInfo { WebSubPlatform = WebInfo.Types.WebSubPlatform.WebBrowser },
        ConnectType = ClientPayload.Types.ConnectType.WifiUnknown,
        ConnectReason = ClientPayload.Types.ConnectReason.UserActivated,
    };
}
