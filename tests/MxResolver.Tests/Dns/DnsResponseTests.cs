using System.Net;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using MxResolver.Dns;

namespace MxResolver.Tests.Dns;

public class DnsResponseTests
{
    [Fact]
    public void Parse_AllSectionsMessage_MaterializesEverySection()
    {
        byte[] message = WireSamples.AllSections();

        DnsResponse response = DnsResponse.Parse(message);

        Assert.Equal(0xABCD, response.Id);
        Assert.Equal(DnsResponseCode.NoError, response.ResponseCode);
        Assert.True(response.IsAuthoritative);
        Assert.False(response.IsTruncated);
        Assert.True(response.RecursionDesired);
        Assert.True(response.RecursionAvailable);
        Assert.Equal((ushort)4096, response.EdnsUdpPayloadSize);
        Assert.Equal(message.Length, response.MessageSize);
        Assert.Equal("example.com. IN MX", response.Question?.ToString());

        Assert.Equal(
            [
                "example.com. 3600 IN MX 10 mail.example.com.",
                "example.com. 7200 IN MX 20 backup.example.net.",
                "alias.example.com. 60 IN CNAME mail.example.com.",
            ],
            response.Answers.Select(r => r.ToString()));
        var soa = Assert.IsType<SoaRecord>(Assert.Single(response.Authorities));
        Assert.Equal("example.com. 900 IN SOA ns1.example.com. hostmaster.example.com. 2026112601 7200 3600 1209600 300", soa.ToString());
        Assert.Equal(300u, soa.Minimum);
        Assert.Equal(2, response.Additionals.Count); // the OPT record is not listed
        Assert.Equal(IPAddress.Parse("192.0.2.25"), Assert.IsType<AddressRecord>(response.Additionals[0]).Address);
        Assert.Equal(DnsRecordType.AAAA, response.Additionals[1].Type);
        Assert.Equal(IPAddress.Parse("2001:db8::25"), Assert.IsType<AddressRecord>(response.Additionals[1]).Address);
    }

    [Fact]
    public async Task Answers_ReadByManyThreadsAtOnce_EveryoneSeesTheSameRecords()
    {
        // The records are decoded on first read; racing first reads must still publish one result.
        for (int round = 0; round < 20; round++)
        {
            DnsResponse response = DnsResponse.Parse(WireSamples.GmailMx());
            using var start = new Barrier(4);
            Task<IReadOnlyList<DnsRecord>>[] readers =
            [
                .. Enumerable.Range(0, 4).Select(i => Task.Run(() =>
                {
                    start.SignalAndWait(TimeSpan.FromSeconds(10));
                    return i % 2 == 0 ? response.Answers : (response.Additionals.Count == 0 ? response.Answers : throw new InvalidOperationException());
                })),
            ];

            IReadOnlyList<DnsRecord>[] seen = await Task.WhenAll(readers).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

            Assert.All(seen, answers => Assert.Same(seen[0][0], answers[0]));
            Assert.Equal(5, seen[0].Count);
            Assert.Same(response.Answers, response.Answers);
        }
    }

    [Fact]
    public void Parse_NoQuestionNoOpt_QuestionAndPayloadSizeAreNull()
    {
        byte[] message = [0x00, 0x01, 0x80, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00];

        DnsResponse response = DnsResponse.Parse(message);

        Assert.Null(response.Question);
        Assert.Null(response.EdnsUdpPayloadSize);
        Assert.Equal(DnsResponseCode.ServerFailure, response.ResponseCode);
        Assert.Empty(response.Answers);
    }

    [Fact]
    public void Parse_BadVersionFromExtendedRcode_ReportsBadVersion()
    {
        byte[] message =
        [
            0x00, 0x07, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
            // OPT: ext-RCODE 1 with header RCODE 0 = 16 (BADVERS, RFC 6891 §9)
            0x00, 0x00, 0x29, 0x04, 0xD0, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
        ];

        Assert.Equal(DnsResponseCode.BadVersion, DnsResponse.Parse(message).ResponseCode);
    }

    [Fact]
    public void Parse_UnknownTypeAndNonInClass_KeepsRdataOpaque()
    {
        byte[] message =
        [
            0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,
            // root owner, SRV (not interpreted), IN, TTL 5, RDLENGTH 3: "\x02hi"
            0x00, 0x00, 0x21, 0x00, 0x01, 0x00, 0x00, 0x00, 0x05, 0x00, 0x03, 0x02, (byte)'h', (byte)'i',
            // root owner, MX in class CH: not interpreted, RDATA kept
            0x00, 0x00, 0x0F, 0x00, 0x03, 0x00, 0x00, 0x00, 0x05, 0x00, 0x03, 0x00, 0x01, 0x00,
        ];

        DnsResponse response = DnsResponse.Parse(message);

        var srv = Assert.IsType<OpaqueRecord>(response.Answers[0]);
        Assert.Equal(new byte[] { 2, (byte)'h', (byte)'i' }, srv.Data.ToArray());
        Assert.Equal(". 5 IN SRV \\# 3 026869", srv.ToString());
        var chaosMx = Assert.IsType<OpaqueRecord>(response.Answers[1]);
        Assert.Equal(DnsRecordClass.CH, chaosMx.Class);
    }

    [Fact]
    public void Parse_ConsecutiveOwnersDifferingInCase_KeepsEachOwnersCase()
    {
        byte[] message =
        [
            0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,
            // @12 owner "A.example" uncompressed, A, IN, TTL 1, 192.0.2.1
            1, (byte)'A', 7, (byte)'e', (byte)'x', (byte)'a', (byte)'m', (byte)'p', (byte)'l', (byte)'e', 0,
            0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x04, 192, 0, 2, 1,
            // owner "a" -> "example" at @14, A, IN, TTL 1, 192.0.2.2
            1, (byte)'a', 0xC0, 0x0E,
            0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x04, 192, 0, 2, 2,
        ];

        DnsResponse response = DnsResponse.Parse(message);

        Assert.Equal(["A.example.", "a.example."], response.Answers.Select(r => r.Name));
    }

    [Fact]
    public void Parse_ConsecutiveOwnersThroughDifferentPointers_DecodesEach()
    {
        byte[] message = WireSamples.AllSections();

        DnsResponse response = DnsResponse.Parse(message);

        Assert.Equal(["example.com.", "example.com.", "alias.example.com."], response.Answers.Select(r => r.Name));
        Assert.Equal(["mail.example.com.", "mail.example.com."], response.Additionals.Select(r => r.Name));
    }

    [Fact]
    public void Parse_AllSectionsCutAtEveryLength_ThrowsOnlyFormatException()
    {
        byte[] message = WireSamples.AllSections();

        for (int length = 0; length < message.Length; length++)
        {
            Assert.Throws<DnsFormatException>(() => DnsResponse.Parse(message[..length]));
        }
    }

    [Fact]
    public void Parse_AllSectionsWithTruncatedCounts_ReadsCleanShorterMessage()
    {
        // Lowering ARCOUNT to 2 drops the OPT: what remains is a valid, shorter read.
        byte[] message = WireSamples.AllSections();
        message[11] = 2;

        DnsResponse response = DnsResponse.Parse(message[..199]);

        Assert.Null(response.EdnsUdpPayloadSize);
        Assert.Equal(2, response.Additionals.Count);
    }

    [Fact]
    public void Parse_TxtRecord_StringsAndText()
    {
        byte[] message = new DnsMessageBuilder { IsResponse = true }
            .AddQuestion("_mta-sts.example.test.", 16)
            .AddTxt(RecordSection.Answer, "_mta-sts.example.test.", 300, "v=STSv1; ", "id=20261203;", string.Empty)
            .Build();

        var txt = Assert.IsType<TxtRecord>(Assert.Single(DnsResponse.Parse(message).Answers));

        Assert.Equal(3, txt.Strings.Count);
        Assert.Equal("v=STSv1; id=20261203;", txt.GetText());
        Assert.Equal("\"v=STSv1; \" \"id=20261203;\" \"\"", txt.ToString()[(txt.ToString().IndexOf("TXT ", StringComparison.Ordinal) + 4)..]);
    }

    [Fact]
    public void Parse_TlsaRecord_Fields()
    {
        byte[] message = new DnsMessageBuilder { IsResponse = true }
            .AddRaw(RecordSection.Answer, "_25._tcp.mx.example.test.", 52, 1, 300, [3, 1, 1, 0xAB, 0xCD])
            .Build();

        var tlsa = Assert.IsType<TlsaRecord>(Assert.Single(DnsResponse.Parse(message).Answers));

        Assert.Equal((3, 1, 1), (tlsa.CertificateUsage, tlsa.Selector, tlsa.MatchingType));
        Assert.Equal([0xAB, 0xCD], tlsa.CertificateAssociationData.ToArray());
    }

    [Theory]
    [InlineData(16, new byte[0])] // RDLENGTH 0
    [InlineData(16, new byte[] { 3, 0x61, 0x62 })] // string past RDATA
    [InlineData(16, new byte[] { 1, 0x61, 5 })] // second string past RDATA
    [InlineData(52, new byte[] { 3, 1 })] // shorter than the fixed fields
    [InlineData(52, new byte[0])]
    public void Parse_MalformedTxtOrTlsa_FormatException(ushort type, byte[] rdata)
    {
        byte[] message = new DnsMessageBuilder { IsResponse = true }
            .AddRaw(RecordSection.Answer, "x.example.test.", type, 1, 300, rdata)
            .Build();

        Assert.Throws<DnsFormatException>(() => DnsResponse.Parse(message));
    }

    /// <summary>Any bytes as TXT or TLSA RDATA: a record that fits its rules, or a format error; never another exception.</summary>
    [Property(MaxTest = PropertyConfig.MaxTest, Replay = PropertyConfig.Replay)]
    public Property Parse_ArbitraryTxtOrTlsaRdata_RecordOrFormatException()
        => Prop.ForAll(
            Gen.Zip(Gen.Elements((ushort)16, (ushort)52), Gen.Choose(0, 40).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), n))).ToArbitrary(),
            input =>
            {
                (ushort type, byte[] rdata) = input;
                byte[] message = new DnsMessageBuilder { IsResponse = true }
                    .AddRaw(RecordSection.Answer, "x.example.test.", type, 1, 300, rdata)
                    .Build();
                DnsRecord record;
                try
                {
                    record = Assert.Single(DnsResponse.Parse(message).Answers);
                }
                catch (DnsFormatException)
                {
                    Assert.True(type == 52 ? rdata.Length < 3 : !IsFramedTxt(rdata));
                    return;
                }

                if (type == 52)
                {
                    var tlsa = Assert.IsType<TlsaRecord>(record);
                    Assert.Equal(rdata, (byte[])[tlsa.CertificateUsage, tlsa.Selector, tlsa.MatchingType, .. tlsa.CertificateAssociationData.ToArray()]);
                }
                else
                {
                    Assert.Equal(rdata, WireGenerators.FrameTxt(Assert.IsType<TxtRecord>(record).Strings.Select(m => m.ToArray())));
                }
            });

    private static bool IsFramedTxt(byte[] rdata)
    {
        int position = 0;
        while (position < rdata.Length)
        {
            position += 1 + rdata[position];
        }

        return rdata.Length > 0 && position == rdata.Length;
    }

    /// <summary>Whole messages from the test-side encoder, compressed or not, decode to what was encoded.</summary>
    [Property(MaxTest = PropertyConfig.MaxTest, Replay = PropertyConfig.Replay)]
    public Property Parse_BuiltMessage_HasEqualContent()
        => Prop.ForAll(WireGenerators.Message.ToArbitrary(), fixture =>
        {
            byte[] message = fixture.Build();
            WireGenerators.AssertParsedAs(fixture, DnsResponse.Parse(message));
        });

    [Property(MaxTest = PropertyConfig.MaxTest, Replay = PropertyConfig.Replay)]
    public Property Parse_ArbitraryBytes_ThrowsOnlyFormatException()
        => Prop.ForAll(WireGenerators.ArbitraryBytes.ToArbitrary(), bytes => WireGenerators.OnlyFormatErrors(() => DnsResponse.Parse(bytes)));

    [Property(MaxTest = PropertyConfig.MaxTest, Replay = PropertyConfig.Replay)]
    public Property Parse_MutatedValidMessage_ThrowsOnlyFormatException()
        => Prop.ForAll(WireGenerators.MutatedMessage.ToArbitrary(), bytes => WireGenerators.OnlyFormatErrors(() => DnsResponse.Parse(bytes)));
}
