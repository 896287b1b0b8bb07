using System.Security.Cryptography;
using System.Text;
using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Client;
using WaSms.WhatsApp.Crypto;
using WaSms.WhatsApp.Proto;
using WaSms.WhatsApp.Store;

namespace WaSms.WhatsApp.Tests.Client;

public sealed class ClientPayloadFactoryTests
{
    private readonly WaClientOptions _options = new() { ClientVersion = new Version(2, 3000, 1045649367) };

    [Fact]
    public void Registration_CarriesThePairingDataAsResearchSection23Says()
    {
        var credentials = WaCredentials.Generate();

        var payload = ClientPayload.Parser.ParseFrom(Google.Protobuf.MessageExtensions.ToByteArray(ClientPayloadFactory.Registration(credentials, _options)));

        Assert.False(payload.Passive);
        Assert.False(payload.Pull);
        Assert.False(payload.HasUsername);
        Assert.Equal(ClientPayload.Types.UserAgent.Types.Platform.Web, payload.UserAgent.Platform);
        Assert.Equal((2u, 3000u, 1045649367u), (payload.UserAgent.AppVersion.Primary, payload.UserAgent.AppVersion.Secondary, payload.UserAgent.AppVersion.Tertiary));
        Assert.Equal(ClientPayload.Types.ConnectType.WifiUnknown, payload.ConnectType);
        Assert.Equal(ClientPayload.Types.ConnectReason.UserActivated, payload.ConnectReason);
        var data = payload.DevicePairingData;
        Assert.Equal(4, data.ERegid.Length);
        Assert.Equal(new byte[] { 5 }, data.EKeytype.ToByteArray());
        Assert.Equal(credentials.IdentityKey.PublicKey.ToArray(), data.EIdent.ToByteArray());
        Assert.Equal(new byte[] { 0, 0, 1 }, data.ESkeyId.ToByteArray());
        Assert.Equal(credentials.SignedPreKey.PublicKey.ToArray(), data.ESkeyVal.ToByteArray());
        Assert.True(XEdDsa.Verify(data.EIdent.Span, [5, .. data.ESkeyVal.Span], data.ESkeySig.Span));
#pragma warning disable CA5351 // The build hash is MD5 by protocol definition.
        Assert.Equal("9fa53af9421567b114e33c9bb1ef7db2", Convert.ToHexStringLower(MD5.HashData(Encoding.ASCII.GetBytes("2.3000.1045649367"))));
#pragma warning restore CA5351
        Assert.Equal("9fa53af9421567b114e33c9bb1ef7db2", Convert.ToHexStringLower(data.BuildHash.Span));
        var props = DeviceProps.Parser.ParseFrom(data.DeviceProps);
        Assert.Equal("WaSMS Gateway", props.Os);
        Assert.Equal(DeviceProps.Types.PlatformType.Chrome, props.PlatformType);
    }

    [Fact]
    public void Login_CarriesUsernameAndDevice()
    {
        var credentials = WaCredentials.Generate() with { Jid = new Jid("15550001111", JidServer.WhatsApp, 5) };

        var payload = ClientPayloadFactory.Login(credentials, _options);

        Assert.Equal(15550001111UL, payload.Username);
        Assert.Equal(5u, payload.Device);
        Assert.True(payload.Passive);
        Assert.True(payload.Pull);
        Assert.Null(payload.DevicePairingData);
    }
}
