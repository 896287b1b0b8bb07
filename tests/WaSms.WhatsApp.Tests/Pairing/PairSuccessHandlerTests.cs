using WaSms.WhatsApp.Binary;
using WaSms.WhatsApp.Crypto;
using WaSms.WhatsApp.Pairing;
using WaSms.WhatsApp.Proto;
using WaSms.WhatsApp.Store;

namespace WaSms.WhatsApp.Tests.Pairing;

public sealed class PairSuccessHandlerTests
{
    private readonly WaCredentials _credentials = WaCredentials.Generate();

    [Fact]
    public void Process_GoodPairSuccess_SignsTheDeviceAndFillsTheCredentials()
    {
        var builder = new PairSuccessBuilder();
        var iq = builder.Build(_credentials.IdentityKey.PublicKey.Span, _credentials.AdvSecret.Span);

        var result = PairSuccessHandler.Process(iq, _credentials);

        Assert.Equal("15550001111:3@s.whatsapp.net", result.Credentials.Jid!.ToString());
        Assert.Equal("99887766:3@lid", result.Credentials.Lid!.ToString());
        Assert.Equal("android", result.Credentials.Platform);
        Assert.Equal("Shop", result.Credentials.BusinessName);
        Assert.Equal(builder.AccountKey.PublicKey.ToArray(), result.Credentials.AccountSignatureKey.ToArray());

        // The stored account keeps the account signature key; the reply leaves it out (docs/whatsapp.md §4.4 step 5).
        var stored = ADVSignedDeviceIdentity.Parser.ParseFrom(result.Credentials.Account.Span);
        Assert.True(stored.HasAccountSignatureKey);

        var reply = result.Reply;
        Assert.Equal("iq", reply.Tag);
        Assert.True(reply.TryGetAttribute("type", out var type));
        Assert.Equal("result", type.Text);
        Assert.True(reply.TryGetAttribute("id", out var id));
        Assert.Equal("ps-1", id.Text);
        Assert.True(reply.TryGetChild("pair-device-sign", out var sign));
        Assert.True(sign.TryGetChild("device-identity", out var identity));
        Assert.True(identity.TryGetAttribute("key-index", out var keyIndex));
        Assert.Equal("3", keyIndex.Text);
        var sent = ADVSignedDeviceIdentity.Parser.ParseFrom(identity.Content.Bytes.Span);
        Assert.False(sent.HasAccountSignatureKey);
        byte[] deviceMessage = [6, 1, .. builder.Details, .. _credentials.IdentityKey.PublicKey.Span, .. builder.AccountKey.PublicKey.Span];
        Assert.True(XEdDsa.Verify(_credentials.IdentityKey.PublicKey.Span, deviceMessage, sent.DeviceSignature.Span));
    }

    [Fact]
    public void Process_HostedAccount_UsesThe0605PrefixForHmacAndSignature()
    {
        var builder = new PairSuccessBuilder { HmacAccountType = ADVEncryptionType.Hosted, DeviceType = ADVEncryptionType.Hosted };
        var iq = builder.Build(_credentials.IdentityKey.PublicKey.Span, _credentials.AdvSecret.Span);

        var result = PairSuccessHandler.Process(iq, _credentials);

        Assert.NotNull(result.Credentials.Jid);
    }

    [Fact]
    public void Process_BadHmac_ThrowsHmacMismatch()
    {
        var iq = new PairSuccessBuilder { CorruptHmac = true }.Build(_credentials.IdentityKey.PublicKey.Span, _credentials.AdvSecret.Span);

        var ex = Assert.Throws<PairingException>(() => PairSuccessHandler.Process(iq, _credentials));

        Assert.Equal(PairingError.HmacMismatch, ex.Error);
    }

    [Fact]
    public void Process_OtherAdvSecret_ThrowsHmacMismatch()
    {
        var iq = new PairSuccessBuilder().Build(_credentials.IdentityKey.PublicKey.Span, new byte[32]);

        var ex = Assert.Throws<PairingException>(() => PairSuccessHandler.Process(iq, _credentials));

        Assert.Equal(PairingError.HmacMismatch, ex.Error);
    }

    [Fact]
    public void Process_HostedHmacWithoutPrefix_ThrowsHmacMismatch()
    {
        // The HMAC says HOSTED but was computed without 06 05: a receiver that ignores the prefix would accept it.
        var builder = new PairSuccessBuilder();
        var iq = builder.Build(_credentials.IdentityKey.PublicKey.Span, _credentials.AdvSecret.Span);
        var identity = iq.Children[0].Children[0];
        var container = ADVSignedDeviceIdentityHMAC.Parser.ParseFrom(identity.Content.Bytes.Span);
        container.AccountType = ADVEncryptionType.Hosted;
        var tampered = Replace(iq, new Node("device-identity", null, NodeContent.FromBytes(Google.Protobuf.MessageExtensions.ToByteArray(container))));

        var ex = Assert.Throws<PairingException>(() => PairSuccessHandler.Process(tampered, _credentials));

        Assert.Equal(PairingError.HmacMismatch, ex.Error);
    }

    [Fact]
    public void Process_BadAccountSignature_ThrowsSignatureMismatch()
    {
        var iq = new PairSuccessBuilder { CorruptSignature = true }.Build(_credentials.IdentityKey.PublicKey.Span, _credentials.AdvSecret.Span);

        var ex = Assert.Throws<PairingException>(() => PairSuccessHandler.Process(iq, _credentials));

        Assert.Equal(PairingError.SignatureMismatch, ex.Error);
    }

    [Fact]
    public void Process_SignedForAnotherIdentity_ThrowsSignatureMismatch()
    {
        var other = Curve25519KeyPair.Generate();
        var iq = new PairSuccessBuilder().Build(other.PublicKey.Span, _credentials.AdvSecret.Span);

        var ex = Assert.Throws<PairingException>(() => PairSuccessHandler.Process(iq, _credentials));

        Assert.Equal(PairingError.SignatureMismatch, ex.Error);
    }

    [Fact]
    public void Process_MissingDevice_ThrowsMalformed()
    {
        var iq = new Node("iq", [new("id", "1")], [new Node("pair-success", null, [new Node("device-identity", null, NodeContent.FromBytes([1, 2, 3]))])]);

        var ex = Assert.Throws<PairingException>(() => PairSuccessHandler.Process(iq, _credentials));

        Assert.Equal(PairingError.Malformed, ex.Error);
    }

    [Fact]
    public void ErrorReply_HmacMismatch_Is401()
    {
        var reply = PairSuccessHandler.ErrorReply("ps-1", PairingError.HmacMismatch);

        Assert.Equal("<iq to=\"@s.whatsapp.net\" type=\"error\" id=\"ps-1\"><error code=\"401\" text=\"hmac-mismatch\"/></iq>", reply.ToString());
    }

    private static Node Replace(Node iq, Node deviceIdentity)
    {
        var success = iq.Children[0];
        var children = success.Children.Select(c => c.Tag == "device-identity" ? deviceIdentity : c);
        return new Node(iq.Tag, iq.Attributes, [new Node(success.Tag, success.Attributes, children)]);
    }
}
