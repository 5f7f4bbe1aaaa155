using MxResolver.Dns;

namespace MxResolver.Tests.Dns;

public class DnsQueryWriterTests
{
    [Fact]
    public void Write_MxQueryWithOpt_ReadsBackThroughMessageReader()
    {
        var buffer = new byte[DnsQueryWriter.MaxQueryLength];
        int length = DnsQueryWriter.Write(buffer, 0xBEEF, "Example.COM", DnsRecordType.MX);
        var message = buffer.AsSpan(0, length);

        var reader = new DnsMessageReader(message);
        Assert.Equal(0xBEEF, reader.Header.Id);
        Assert.False(reader.Header.IsResponse);
        Assert.True(reader.Header.RecursionDesired);
        Assert.True(reader.TryReadQuestion(out DnsQuestionView question));
        Assert.Equal(DnsRecordType.MX, question.Type);
        Assert.Equal(DnsRecordClass.IN, question.Class);
        Assert.Equal("Example.COM.", DnsName.Read(message, question.NameOffset));
        Assert.True(DnsName.EqualsText(message, question.NameOffset, "example.com."));
        Assert.True(reader.TryReadRecord(out DnsRecordView opt));
        Assert.Equal(DnsRecordType.OPT, opt.Type);
        Assert.Equal(DnsSection.Additional, opt.Section);
        Assert.False(reader.TryReadRecord(out _));
        Assert.True(reader.HasOpt);
        Assert.Equal(1232, reader.OptUdpPayloadSize);
        Assert.Equal(length, DnsQueryWriter.GetLength("Example.COM", includeOpt: true));
    }

    [Fact]
    public void Write_MxQueryWithDnssecOk_ProducesExactBytes()
    {
        var buffer = new byte[DnsQueryWriter.MaxQueryLength];

        int length = DnsQueryWriter.Write(buffer, 0x1234, "example.com", DnsRecordType.MX, udpPayloadSize: 1232, dnssecOk: true);

        byte[] expected =
        [
            // header: ID 0x1234, flags 0x0100 (RD), QD 1, AN 0, NS 0, AR 1
            0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
            // question: example.com. MX IN
            7, (byte)'e', (byte)'x', (byte)'a', (byte)'m', (byte)'p', (byte)'l', (byte)'e', 3, (byte)'c', (byte)'o', (byte)'m', 0,
            0x00, 0x0F, 0x00, 0x01,
            // OPT (RFC 6891 §6.1.2): root, TYPE 41, payload 1232, ext-RCODE 0, version 0, DO, RDLENGTH 0
            0x00, 0x00, 0x29, 0x04, 0xD0, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00,
        ];
        Assert.Equal(expected, buffer[..length]);
    }

    [Fact]
    public void Write_NoOptNoRecursion_WritesBareQuestion()
    {
        var buffer = new byte[64];

        int length = DnsQueryWriter.Write(buffer, 0xFFFF, "a.", DnsRecordType.AAAA, DnsRecordClass.CH, recursionDesired: false, udpPayloadSize: null);

        byte[] expected =
        [
            0xFF, 0xFF, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            1, (byte)'a', 0, 0x00, 0x1C, 0x00, 0x03,
        ];
        Assert.Equal(expected, buffer[..length]);
        Assert.Equal(length, DnsQueryWriter.GetLength("a.", includeOpt: false));
    }

    [Fact]
    public void Write_RootName_WritesRootQuestion()
    {
        var buffer = new byte[64];

        int length = DnsQueryWriter.Write(buffer, 1, ".", DnsRecordType.NS, udpPayloadSize: null);

        Assert.Equal(DnsHeader.Size + 1 + 4, length);
        Assert.Equal(".", DnsName.Read(buffer.AsSpan(0, length), DnsHeader.Size));
    }

    [Theory]
    [InlineData("example.com")]
    [InlineData("example.com.")]
    public void Write_TrailingDotOptional_SameBytes(string name)
    {
        var buffer = new byte[64];
        var reference = new byte[64];

        int length = DnsQueryWriter.Write(buffer, 9, name, DnsRecordType.MX);
        int referenceLength = DnsQueryWriter.Write(reference, 9, "example.com.", DnsRecordType.MX);

        Assert.Equal(reference[..referenceLength], buffer[..length]);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("a..example", "empty label")]
    [InlineData("caf\u00E9.example", "printable ASCII")]
    public void Write_InvalidName_ThrowsArgumentExceptionSayingWhy(string escapedName, string reason)
    {
        string name = System.Text.RegularExpressions.Regex.Unescape(escapedName);

        var error = Assert.Throws<ArgumentException>(() => DnsQueryWriter.Write(new byte[DnsQueryWriter.MaxQueryLength], 1, name, DnsRecordType.MX));
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void Write_64OctetLabel_ThrowsArgumentException()
    {
        var error = Assert.Throws<ArgumentException>(() => DnsQueryWriter.Write(new byte[DnsQueryWriter.MaxQueryLength], 1, new string('x', 64) + ".example", DnsRecordType.MX));
        Assert.Contains("63", error.Message);
    }

    [Fact]
    public void Write_NameOver255Octets_ThrowsArgumentException()
    {
        string label = new('x', 63);
        string name = $"{label}.{label}.{label}.{new string('x', 62)}";

        var error = Assert.Throws<ArgumentException>(() => DnsQueryWriter.Write(new byte[1024], 1, name, DnsRecordType.MX));
        Assert.Contains("255", error.Message);
    }

    [Fact]
    public void Write_LongestValidName_FitsMaxQueryLength()
    {
        string label = new('x', 63);
        string name = $"{label}.{label}.{label}.{new string('x', 61)}";
        var buffer = new byte[DnsQueryWriter.MaxQueryLength];

        Assert.Equal(DnsQueryWriter.MaxQueryLength, DnsQueryWriter.Write(buffer, 1, name, DnsRecordType.MX));
    }

    [Fact]
    public void Write_DestinationTooSmall_ThrowsArgumentException()
    {
        int needed = DnsQueryWriter.GetLength("example.com", includeOpt: true);

        var error = Assert.Throws<ArgumentException>(() => DnsQueryWriter.Write(new byte[needed - 1], 1, "example.com", DnsRecordType.MX));
        Assert.Equal("destination", error.ParamName);
    }
}
