using MxResolver.Resolution;
using MxResolver.Input;

namespace MxResolver.Tests.Input;

public class MxInputParserTests
{
    [Theory]
    [InlineData("192.0.2.1", true)]
    [InlineData("0.0.0.0", true)]
    [InlineData("255.255.255.255", true)]
    [InlineData("010.001.002.003", true)]
    [InlineData("256.0.0.1", false)]
    [InlineData("1.2.3", false)]
    [InlineData("1.2.3.4.5", false)]
    [InlineData("1..3.4", false)]
    [InlineData("1.2.3.4.", false)]
    [InlineData("0x7f.0.0.1", false)]
    [InlineData("1234.0.0.1", false)]
    [InlineData("", false)]
    public void TryParseDottedQuad_Text_StrictRfc5321Form(string text, bool valid)
    {
        // R2: RFC 5321 §4.1.3 IPv4-address-literal, not the lenient inet_aton forms.
        Assert.Equal(valid, MxInputParser.TryParseDottedQuad(text, out _));
    }

    [Fact]
    public void Parse_ULabelLongerThan63OctetsAsALabel_Invalid()
    {
        // R3: 30 "ü" are 30 characters but far more than 63 octets as an A-label.
        MxInput input = MxInputParser.Parse(new string('ü', 30) + "x" + new string('ü', 30) + ".example");

        Assert.Equal(MxInputKind.Invalid, input.Kind);
    }

    [Fact]
    public void Parse_IdeographicFullStop_TreatedAsDot()
    {
        // R3: UTS #46 maps U+3002 to '.'.
        MxInput input = MxInputParser.Parse("bücher\u3002example");

        Assert.Equal(MxInputKind.Domain, input.Kind);
        Assert.Equal("xn--bcher-kva.example", input.AsciiDomain);
    }

    [Theory]
    [InlineData("mx.example.com", true)]
    [InlineData("a", true)]
    [InlineData("xn--bcher-kva.example", true)]
    [InlineData("1.example.com", true)]
    [InlineData("mx.123", false)]
    [InlineData("under_score.example", false)]
    [InlineData("-lead.example", false)]
    [InlineData("trail-.example", false)]
    [InlineData("a..b", false)]
    [InlineData("esc\\046aped.example", false)]
    public void IsValidHostName_Name_FollowsRfc1123(string name, bool valid)
    {
        // R10
        Assert.Equal(valid, HostNameRules.IsValidHostName(name));
    }
}
