using WaSms.WhatsApp.Pairing;

namespace WaSms.WhatsApp.Tests.Pairing;

/// <summary>The 8-character code: alphabet, length, bit order, normalisation, phone numbers (docs/whatsapp.md §9).</summary>
public sealed class PairingCodeTests
{
    [Fact]
    public void Alphabet_Is32DistinctSymbolsWithout0IOU()
    {
        Assert.Equal("123456789ABCDEFGHJKLMNPQRSTVWXYZ", PairingCode.Alphabet);
        Assert.Equal(32, PairingCode.Alphabet.Distinct().Count());
        Assert.DoesNotContain('0', PairingCode.Alphabet);
        Assert.DoesNotContain('I', PairingCode.Alphabet);
        Assert.DoesNotContain('O', PairingCode.Alphabet);
        Assert.DoesNotContain('U', PairingCode.Alphabet);
    }

    [Fact]
    public void Generate_Is8CharactersOfTheAlphabet()
    {
        for (var i = 0; i < 200; i++)
        {
            var code = PairingCode.Generate();
            Assert.Equal(8, code.Length);
            Assert.All(code, c => Assert.Contains(c, PairingCode.Alphabet));
        }
    }

    [Theory]

    // Expected values from Python base64.b32encode with the alphabet substituted (independent of our encoder).
    [InlineData(new byte[] { 0x01, 0x23, 0x45, 0x67, 0x89 }, "15JMBSWA")]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF }, "ZZZZZZZZ")]
    [InlineData(new byte[] { 0, 0, 0, 0, 0 }, "11111111")]
    public void Encode_MatchesBase32WithTheLinkingAlphabet(byte[] bytes, string expected) =>
        Assert.Equal(expected, PairingCode.Encode(bytes));

    [Fact]
    public void FormatAndNormalize()
    {
        Assert.Equal("15JM-BSWA", PairingCode.Format("15JMBSWA"));
        Assert.Equal("15JMBSWA", PairingCode.Normalize("15jm-bswa"));
        Assert.Equal(PairingCodeError.InvalidCode, Assert.Throws<PairingCodeException>(() => PairingCode.Normalize("15JM-BSW0")).Error);
        Assert.Equal(PairingCodeError.InvalidCode, Assert.Throws<PairingCodeException>(() => PairingCode.Normalize("15JM-BSW")).Error);
    }

    [Theory]
    [InlineData("+49 151 1234-5678", "4915112345678")]
    [InlineData("15550001111", "15550001111")]
    public void PhoneNumber_DigitsOnly(string input, string expected) =>
        Assert.Equal(expected, PairingCode.NormalizePhoneNumber(input));

    [Theory]
    [InlineData("123456")]
    [InlineData("015112345678")]
    [InlineData("+")]
    public void PhoneNumber_TooShortOrNotInternational_Refused(string input) =>
        Assert.Equal(PairingCodeError.InvalidPhoneNumber, Assert.Throws<PairingCodeException>(() => PairingCode.NormalizePhoneNumber(input)).Error);
}
