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
}
