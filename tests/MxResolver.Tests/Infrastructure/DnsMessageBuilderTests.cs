using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace MxResolver.Tests.Infrastructure;

/// <summary>The test-side builder and parser checked against hand-written bytes and each other.</summary>
public sealed class DnsMessageBuilderTests
{
    [Fact]
    public void Build_SimpleQuery_MatchesHandAssembledBytes()
    {
        var bytes = DnsMessageBuilder.Query(0x1234, "a.test", DnsTypeCode.A).Build();

        // RFC 1035 §4.1: header (ID, RD, QDCOUNT 1), then 1 "a" 4 "test" 0, QTYPE A, QCLASS IN.
        Assert.Equal(
            Convert.FromHexString("123401000001000000000000" + "0161" + "0474657374" + "00" + "0001" + "0001"),
            bytes);
    }

    [Fact]
    public void Build_WithCompression_UsesBackwardPointersAndParsesTheSameAsWithout()
    {
        DnsMessageBuilder Make(bool compress) => new DnsMessageBuilder { Id = 1, IsResponse = true, CompressNames = compress }
            .AddQuestion("mx.test.", DnsTypeCode.MX)
            .AddMx(RecordSection.Answer, "mx.test.", 10, "mx1.mx.test.")
            .AddMx(RecordSection.Answer, "MX.test.", 20, "mx2.mx.test.")
            .AddSoa(RecordSection.Authority, "mx.test.", "ns.mx.test.", "hostmaster.mx.test.");

        var compressed = Make(true).Build();
        var plain = Make(false).Build();

        Assert.True(compressed.Length < plain.Length);
        Assert.Contains((byte)0xC0, compressed);
        Assert.DoesNotContain((byte)0xC0, plain);
        var a = DnsQueryInfo.Parse(compressed);
        var b = DnsQueryInfo.Parse(plain);
        Assert.Equal(b.Records.Select(r => (r.Name.ToLowerInvariant(), r.Type, r.Ttl, r.Data)), a.Records.Select(r => (r.Name.ToLowerInvariant(), r.Type, r.Ttl, r.Data)));
        Assert.Equal(["10 mx1.mx.test.", "20 mx2.mx.test."], a.Answers.Select(r => r.Data));
        Assert.Equal("ns.mx.test. hostmaster.mx.test. 1 3600 600 86400 300", Assert.Single(a.Authorities).Data);
    }

    [Fact]
    public void Build_AllRecordHelpers_ParseBack()
    {
        var message = new DnsMessageBuilder { IsResponse = true }
            .AddQuestion("x.test.", DnsTypeCode.A)
            .AddA(RecordSection.Answer, "x.test.", "192.0.2.1", 60)
            .AddAaaa(RecordSection.Answer, "x.test.", "2001:db8::1", 0)
            .AddCname(RecordSection.Answer, "y.test.", "x.test.")
            .AddTxt(RecordSection.Answer, "x.test.", 300, "v=spf1 -all", "second")
            .AddNs(RecordSection.Authority, "test.", "ns.test.")
            .AddRaw(RecordSection.Additional, "x.test.", 99, 1, 5, [1, 2, 3])
            .Build();

        var info = DnsQueryInfo.Parse(message);

        Assert.Equal(
            ["192.0.2.1", "2001:db8::1", "x.test.", "\"v=spf1 -all\" \"second\"", "ns.test.", "010203"],
            info.Records.Select(r => r.Data));
        Assert.Equal([60u, 0u, 300u, 300u, 300u, 5u], info.Records.Select(r => r.Ttl));
    }

    [Fact]
    public void ReplyTo_Query_CopiesIdQuestionAndOpt()
    {
        var query = DnsQueryInfo.Parse(DnsMessageBuilder.Query(777, "MiXeD.mx.test.", DnsTypeCode.MX).AddOpt(4096, dnssecOk: true).Build());

        var reply = DnsQueryInfo.Parse(DnsMessageBuilder.ReplyTo(query, DnsRcodeCode.BadVers).Build());

        Assert.Equal(777, reply.Id);
        Assert.True(reply.IsResponse);
        Assert.True(reply.RecursionDesired);
        Assert.Equal("MiXeD.mx.test.", reply.QuestionName);
        Assert.Equal(DnsTypeCode.MX, reply.QuestionType);
        Assert.True(reply.HasOpt);
        Assert.Equal(DnsRcodeCode.BadVers, reply.Rcode); // 16: header 0, extended 1 (RFC 6891 §6.1.3)
        Assert.Equal(0, reply.HeaderRcode);
        Assert.True(query.OptDnssecOk);
        Assert.Equal(4096, query.OptPayloadSize);
    }

    [Fact]
    public void Build_ForgedCounts_AreWrittenAndTheParserRejectsThem()
    {
        var message = new DnsMessageBuilder { IsResponse = true, AnswerCountOverride = 65535 }
            .AddQuestion("x.test.", DnsTypeCode.A)
            .AddA(RecordSection.Answer, "x.test.", "192.0.2.1")
            .Build();

        Assert.Equal([0xFF, 0xFF], message[6..8]);
        Assert.Throws<FormatException>(() => DnsQueryInfo.Parse(message));
    }

    [Theory]
    [InlineData("C00C")] // points at itself
    [InlineData("C00E")] // points forward
    [InlineData("01")] // label runs past the end
    [InlineData("C0FF")] // past the end
    public void Build_HostileRawName_ParserRejectsIt(string rawNameHex)
    {
        var message = new DnsMessageBuilder().AddQuestionRawName(Convert.FromHexString(rawNameHex), DnsTypeCode.A).Build();

        Assert.Throws<FormatException>(() => DnsQueryInfo.Parse(message));
    }

    [Fact]
    public void Build_RdLengthOverride_OverrunsAndTrailingBytesAppended()
    {
        var message = new DnsMessageBuilder { IsResponse = true, CompressNames = false }
            .AddRaw(RecordSection.Answer, "x.test.", DnsTypeCode.A, 1, 300, [192, 0, 2, 1], rdLengthOverride: 200)
            .AppendTrailingBytes([0xAB])
            .Build();

        Assert.Equal(0xAB, message[^1]);
        Assert.Throws<FormatException>(() => DnsQueryInfo.Parse(message));
    }

    [Fact]
    public void AddRawRecord_WritesBytesVerbatimAndCountsThem()
    {
        var record = Convert.FromHexString("00" + "0001" + "0001" + "0000012C" + "0004" + "C0000201");
        var message = new DnsMessageBuilder { IsResponse = true }.AddRawRecord(RecordSection.Additional, record).Build();

        var info = DnsQueryInfo.Parse(message);

        Assert.Equal(1, info.AdditionalCount);
        Assert.Equal("192.0.2.1", Assert.Single(info.Additionals).Data);
        Assert.Equal(".", info.Records[0].Name);
    }

    [Property(Replay = "(12345,67891)", MaxTest = 500)]
    public bool Build_AnyHeader_ParsesBackIdentically(ushort id, ushort flagBits)
    {
        var builder = new DnsMessageBuilder
        {
            Id = id,
            IsResponse = (flagBits & 0x8000) != 0,
            Opcode = (flagBits >> 11) & 0xF,
            AuthoritativeAnswer = (flagBits & 0x0400) != 0,
            Truncated = (flagBits & 0x0200) != 0,
            RecursionDesired = (flagBits & 0x0100) != 0,
            RecursionAvailable = (flagBits & 0x0080) != 0,
            AuthenticData = (flagBits & 0x0020) != 0,
            CheckingDisabled = (flagBits & 0x0010) != 0,
            Rcode = flagBits & 0xF,
        };

        var info = DnsQueryInfo.Parse(builder.Build());

        // Bit 6 (Z) is never set by the builder.
        return info.Id == id && info.Flags == (flagBits & ~0x0040);
    }

    [Property(Replay = "(4242,1717)", MaxTest = 300)]
    public Property Build_AnyLdhName_RoundTripsCompressedOrNot()
    {
        var label = Gen.Elements("a", "mx", "Mail-1", "x9", "test", "EXAMPLE");
        var names = Gen.ListOf(label).Where(l => l.Count is > 0 and < 10).Select(l => string.Join('.', l) + ".");
        return Prop.ForAll(names.ToArbitrary(), Arb.From(Gen.Elements(true, false)), (name, compress) =>
        {
            var message = new DnsMessageBuilder { CompressNames = compress }
                .AddQuestion(name, DnsTypeCode.MX)
                .AddCname(RecordSection.Answer, name, name)
                .Build();
            var info = DnsQueryInfo.Parse(message);
            return info.QuestionName == name && info.Records[0].Name == name && info.Records[0].Data == name;
        });
    }
}
