using System.Net;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using MxResolver.Dns;
using MxResolver.Lookup;
using MxResolver.Tests.Dns;

namespace MxResolver.Tests.Lookup;

public class DnsAnswerReaderTests
{
    private const ushort Mx = 15;
    private const ushort Cname = 5;
    private const ushort Soa = 6;
    private const ushort A = 1;
    private const ushort Aaaa = 28;

    [Fact]
    public void ReadMx_GmailResponse_ReadsFiveRecordsInOrder()
    {
        MxAnswer[] records = DnsAnswerReader.ReadMx(WireSamples.GmailMx(), "gmail.com.");

        Assert.Equal(
            [
                new MxAnswer(5, "gmail-smtp-in.l.google.com."),
                new MxAnswer(10, "alt1.gmail-smtp-in.l.google.com."),
                new MxAnswer(20, "alt2.gmail-smtp-in.l.google.com."),
                new MxAnswer(30, "alt3.gmail-smtp-in.l.google.com."),
                new MxAnswer(40, "alt4.gmail-smtp-in.l.google.com."),
            ],
            records);
    }

    [Fact]
    public void ReadMx_OtherName_ReturnsEmpty()
    {
        Assert.Empty(DnsAnswerReader.ReadMx(WireSamples.GmailMx(), "gmail.net."));
    }

    [Fact]
    public void ReadMx_MoreRecordsThanFitOnTheStack_ReadsAllInOrder()
    {
        WireFixture fixture = Response(
            Enumerable.Range(0, 70)
                .Select(i => new WireRecord(N("big.example"), Mx, 1, 60, new MxData((ushort)i, N($"mx{i}.big.example"))))
                .ToArray());

        MxAnswer[] records = DnsAnswerReader.ReadMx(fixture.Build(), "big.example.");

        Assert.Equal(Enumerable.Range(0, 70).Select(i => new MxAnswer((ushort)i, $"mx{i}.big.example.")), records);
    }

    [Fact]
    public void ReadMx_OwnersAlternating_MatchesEachOwner()
    {
        // Different owners between records of the name sought: the owner comparison is redone for each.
        WireFixture fixture = Response(
            [
                new WireRecord(N("a.example"), Mx, 1, 60, new MxData(1, N("one.example"))),
                new WireRecord(N("b.example"), Mx, 1, 60, new MxData(2, N("two.example"))),
                new WireRecord(N("A.example"), Mx, 1, 60, new MxData(3, N("three.example"))),
                new WireRecord(N("a.example"), Mx, 3, 60, new RawData([0, 4, 0])),
            ]);

        MxAnswer[] records = DnsAnswerReader.ReadMx(fixture.Build(), "a.example.");

        Assert.Equal([new MxAnswer(1, "one.example."), new MxAnswer(3, "three.example.")], records);
    }

    [Fact]
    public void Read_GmailMx_SuccessWithSmallestTtl()
    {
        DnsAnswer answer = DnsAnswerReader.Read(WireSamples.GmailMx(), "GMAIL.com", DnsRecordType.MX);

        Assert.Equal(DnsAnswerKind.Success, answer.Kind);
        Assert.Equal(5, answer.MxRecords.Length);
        Assert.Equal(300u, answer.TimeToLive); // R24: the smallest TTL of the set (the fifth record's)
        Assert.Empty(answer.Aliases);
    }

    [Fact]
    public void Read_CnameChainInAnswer_FollowsToCanonicalNamesRecordsOnly()
    {
        // R4: www.example.com -> Edge.Example.NET -> mail.example.org, which has the MX records.
        var fixture = Response(
            [
                new WireRecord(N("www.example.com"), Cname, 1, 600, new CnameData(N("Edge.Example.NET"))),
                new WireRecord(N("edge.example.net"), Cname, 1, 120, new CnameData(N("mail.example.org"))),
                new WireRecord(N("mail.example.org"), Mx, 1, 3600, new MxData(10, N("mx1.example.org"))),
                new WireRecord(N("other.example.org"), Mx, 1, 3600, new MxData(5, N("wrong.example.org"))),
                new WireRecord(N("www.example.com"), Mx, 1, 3600, new MxData(5, N("alias-owned.example.org"))),
                new WireRecord(N("mail.example.org"), Mx, 1, 1800, new MxData(20, N("mx2.example.org"))),
            ]);

        DnsAnswer answer = DnsAnswerReader.Read(fixture.Build(), "www.example.com.", DnsRecordType.MX);

        Assert.Equal(DnsAnswerKind.Success, answer.Kind);
        Assert.Equal("mail.example.org.", answer.CanonicalName);
        Assert.Equal(["www.example.com.", "edge.example.net."], answer.Aliases);
        Assert.Equal([new MxAnswer(10, "mx1.example.org."), new MxAnswer(20, "mx2.example.org.")], answer.MxRecords);
        Assert.Equal(120u, answer.TimeToLive); // the minimum over the records and the CNAMEs followed
    }

    [Fact]
    public void Read_CnameChainToAddresses_ReadsAddressesAtCanonicalName()
    {
        var fixture = Response(
            [
                new WireRecord(N("mx.example.com"), Cname, 1, 30, new CnameData(N("host.example.net"))),
                new WireRecord(N("host.example.net"), A, 1, 300, new RawData([192, 0, 2, 7])),
                new WireRecord(N("host.example.net"), Aaaa, 1, 300, new RawData(IPAddress.Parse("2001:db8::7").GetAddressBytes())),
            ]);

        DnsAnswer v4 = DnsAnswerReader.Read(fixture.Build(), "mx.example.com.", DnsRecordType.A);
        DnsAnswer v6 = DnsAnswerReader.Read(fixture.Build(), "mx.example.com.", DnsRecordType.AAAA);

        Assert.Equal([IPAddress.Parse("192.0.2.7")], v4.Addresses);
        Assert.Equal([IPAddress.Parse("2001:db8::7")], v6.Addresses);
        Assert.Equal(30u, v4.TimeToLive);
    }

    [Fact]
    public void Read_EightHops_IsFollowed()
    {
        // R4: 8 CNAME hops are allowed.
        DnsAnswer answer = DnsAnswerReader.Read(Chain(hops: 8).Build(), "h0.example.", DnsRecordType.MX);

        Assert.Equal(DnsAnswerKind.Success, answer.Kind);
        Assert.Equal("h8.example.", answer.CanonicalName);
        Assert.Equal(8, answer.Aliases.Length);
    }

    [Fact]
    public void Read_NineHops_IsAliasLoop()
    {
        DnsAnswer answer = DnsAnswerReader.Read(Chain(hops: 9).Build(), "h0.example.", DnsRecordType.MX);

        Assert.Equal(DnsAnswerKind.AliasLoop, answer.Kind);
        Assert.Contains("8", answer.ErrorMessage);
    }

    [Fact]
    public void Read_CnameLoop_IsAliasLoop()
    {
        var fixture = Response(
            [
                new WireRecord(N("a.example"), Cname, 1, 60, new CnameData(N("b.example"))),
                new WireRecord(N("b.example"), Cname, 1, 60, new CnameData(N("A.EXAMPLE"))),
            ]);

        Assert.Equal(DnsAnswerKind.AliasLoop, DnsAnswerReader.Read(fixture.Build(), "a.example.", DnsRecordType.MX).Kind);
    }

    [Fact]
    public void Read_SelfCname_IsAliasLoop()
    {
        var fixture = Response([new WireRecord(N("a.example"), Cname, 1, 60, new CnameData(N("a.example")))]);

        Assert.Equal(DnsAnswerKind.AliasLoop, DnsAnswerReader.Read(fixture.Build(), "a.example.", DnsRecordType.MX).Kind);
    }

    [Fact]
    public void Read_NxDomainAfterCname_IsNxDomainAtCanonicalNameWithNegativeTtl()
    {
        // R5, R25: the alias exists, its target does not.
        var fixture = Response(
            [new WireRecord(N("www.example.com"), Cname, 1, 600, new CnameData(N("gone.example.net")))],
            authorities: [SoaRecord(ttl: 900, minimum: 300)],
            rcode: 3);

        DnsAnswer answer = DnsAnswerReader.Read(fixture.Build(), "www.example.com.", DnsRecordType.MX);

        Assert.Equal(DnsAnswerKind.NxDomain, answer.Kind);
        Assert.Equal("gone.example.net.", answer.CanonicalName);
        Assert.Equal(["www.example.com."], answer.Aliases);
        Assert.True(answer.HasSoa);
        Assert.Equal(300u, answer.TimeToLive);
    }

    [Theory]
    [InlineData(900u, 300u, 300u)]
    [InlineData(60u, 300u, 60u)]
    public void Read_NoDataWithSoa_NegativeTtlIsMinOfSoaTtlAndMinimum(uint soaTtl, uint minimum, uint expected)
    {
        // R25, RFC 2308 §5
        var fixture = Response([], authorities: [SoaRecord(soaTtl, minimum)]);

        DnsAnswer answer = DnsAnswerReader.Read(fixture.Build(), "example.com.", DnsRecordType.MX);

        Assert.Equal(DnsAnswerKind.NoData, answer.Kind);
        Assert.True(answer.HasSoa);
        Assert.Equal(expected, answer.TimeToLive);
    }

    [Fact]
    public void Read_NoDataWithoutSoa_HasSoaFalseAndTtlZero()
    {
        var fixture = Response([new WireRecord(N("example.com"), A, 1, 60, new RawData([192, 0, 2, 1]))]);

        DnsAnswer answer = DnsAnswerReader.Read(fixture.Build(), "example.com.", DnsRecordType.MX);

        Assert.Equal(DnsAnswerKind.NoData, answer.Kind);
        Assert.False(answer.HasSoa);
        Assert.Equal(0u, answer.TimeToLive);
    }

    [Fact]
    public void Read_NxDomainWithoutSoa_HasSoaFalse()
    {
        var fixture = Response([], rcode: 3);

        DnsAnswer answer = DnsAnswerReader.Read(fixture.Build(), "example.com.", DnsRecordType.A);

        Assert.Equal(DnsAnswerKind.NxDomain, answer.Kind);
        Assert.False(answer.HasSoa);
        Assert.Equal(0u, answer.TimeToLive);
    }

    [Fact]
    public void Read_MxWithMalformedExchange_ThrowsFormatException()
    {
        byte[] message = WireSamples.GmailMx();
        message[^12] = 0xFF; // the last exchange's pointer now targets @255: forward and past the end

        Assert.Throws<DnsFormatException>(() => DnsAnswerReader.Read(message, "gmail.com.", DnsRecordType.MX));
    }

    [Fact]
    public void Read_GmailCutAtEveryLength_ThrowsOnlyFormatException()
    {
        byte[] message = WireSamples.GmailMx();

        for (int length = 0; length < message.Length; length++)
        {
            Assert.Throws<DnsFormatException>(() => DnsAnswerReader.Read(message[..length], "gmail.com.", DnsRecordType.MX));
            Assert.Throws<DnsFormatException>(() => DnsAnswerReader.ReadMx(message[..length], "gmail.com."));
        }
    }

    [Property(MaxTest = PropertyConfig.MaxTest, Replay = PropertyConfig.Replay)]
    public Property Read_ArbitraryBytes_ThrowsOnlyFormatException()
        => Prop.ForAll(WireGenerators.ArbitraryBytes.ToArbitrary(), bytes => WireGenerators.OnlyFormatErrors(() => WireGenerators.ReadAnswers(bytes, "example.com.")));

    /// <summary>Mutations of valid messages, looked up under the question's own name so CNAME and MX paths run.</summary>
    [Property(MaxTest = PropertyConfig.MaxTest, Replay = PropertyConfig.Replay)]
    public Property Read_MutatedValidMessage_ThrowsOnlyFormatException()
    {
        Gen<(byte[] Bytes, string Name)> inputs =
            from fixture in WireGenerators.Message
            from mutated in WireGenerators.Mutations(fixture.Build())
            select (mutated, fixture.Questions.Count > 0 ? fixture.Questions[0].Name.ToPresentation() : "example.com.");
        return Prop.ForAll(inputs.ToArbitrary(), input => WireGenerators.OnlyFormatErrors(() => WireGenerators.ReadAnswers(input.Bytes, input.Name)));
    }

    private static WireName N(string name) => WireName.Parse(name);

    private static WireRecord SoaRecord(uint ttl, uint minimum)
        => new(N("example.com"), Soa, 1, ttl, new SoaData(N("ns1.example.com"), N("hostmaster.example.com"), 1, 7200, 3600, 1209600, minimum));

    private static WireFixture Response(WireRecord[] answers, WireRecord[]? authorities = null, int rcode = 0)
    {
        var fixture = new WireFixture { Id = 7, Flags = (ushort)(0x8180 | rcode) };
        fixture.Questions.Add(new WireQuestion(N("question.example"), Mx));
        fixture.Answers.AddRange(answers);
        fixture.Authorities.AddRange(authorities ?? []);
        return fixture;
    }

    /// <summary>h0 → h1 → … → h<paramref name="hops"/>, then MX records at the last name.</summary>
    private static WireFixture Chain(int hops)
    {
        var answers = new List<WireRecord>();
        for (int i = 0; i < hops; i++)
        {
            answers.Add(new WireRecord(N($"h{i}.example"), Cname, 1, 60, new CnameData(N($"h{i + 1}.example"))));
        }

        answers.Add(new WireRecord(N($"h{hops}.example"), Mx, 1, 60, new MxData(10, N("mx.example"))));
        return Response([.. answers]);
    }
}
