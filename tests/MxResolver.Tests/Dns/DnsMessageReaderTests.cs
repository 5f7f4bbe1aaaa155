using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using MxResolver.Dns;

namespace MxResolver.Tests.Dns;

public class DnsMessageReaderTests
{
    [Fact]
    public void Constructor_AllSectionsMessage_ReadsHeader()
    {
        var reader = new DnsMessageReader(WireSamples.AllSections());

        DnsHeader header = reader.Header;
        Assert.Equal(0xABCD, header.Id);
        Assert.True(header.IsResponse);
        Assert.Equal(0, header.Opcode);
        Assert.True(header.IsAuthoritative);
        Assert.False(header.IsTruncated);
        Assert.True(header.RecursionDesired);
        Assert.True(header.RecursionAvailable);
        Assert.False(header.AuthenticData);
        Assert.False(header.CheckingDisabled);
        Assert.Equal((1, 3, 1, 3), (header.QuestionCount, header.AnswerCount, header.AuthorityCount, header.AdditionalCount));
    }

    [Theory]
    [InlineData(0x8000, "QR")]
    [InlineData(0x7800, "OPCODE")]
    [InlineData(0x0400, "AA")]
    [InlineData(0x0200, "TC")]
    [InlineData(0x0100, "RD")]
    [InlineData(0x0080, "RA")]
    [InlineData(0x0020, "AD")]
    [InlineData(0x0010, "CD")]
    [InlineData(0x000F, "RCODE")]
    public void Header_SingleFlagSet_OnlyThatFlagReads(int flags, string field)
    {
        byte[] message = [0, 0, (byte)(flags >> 8), (byte)flags, 0, 0, 0, 0, 0, 0, 0, 0];

        DnsHeader header = new DnsMessageReader(message).Header;

        Assert.Equal(field == "QR", header.IsResponse);
        Assert.Equal(field == "OPCODE" ? 15 : 0, header.Opcode);
        Assert.Equal(field == "AA", header.IsAuthoritative);
        Assert.Equal(field == "TC", header.IsTruncated);
        Assert.Equal(field == "RD", header.RecursionDesired);
        Assert.Equal(field == "RA", header.RecursionAvailable);
        Assert.Equal(field == "AD", header.AuthenticData);
        Assert.Equal(field == "CD", header.CheckingDisabled);
        Assert.Equal(field == "RCODE" ? 15 : 0, header.ResponseCode);
    }

    [Fact]
    public void TryReadRecord_AllSectionsMessage_ReadsEveryRecordInOrder()
    {
        byte[] message = WireSamples.AllSections();
        var reader = new DnsMessageReader(message);

        Assert.True(reader.TryReadQuestion(out DnsQuestionView question));
        Assert.Equal((12, DnsRecordType.MX, DnsRecordClass.IN), (question.NameOffset, question.Type, question.Class));
        Assert.False(reader.TryReadQuestion(out _));

        var records = new List<DnsRecordView>();
        while (reader.TryReadRecord(out DnsRecordView record))
        {
            records.Add(record);
        }

        Assert.Equal(
            [
                (DnsSection.Answer, 29, DnsRecordType.MX, 3600u, 41, 9),
                (DnsSection.Answer, 50, DnsRecordType.MX, 7200u, 62, 22),
                (DnsSection.Answer, 84, DnsRecordType.CNAME, 60u, 102, 2),
                (DnsSection.Authority, 104, DnsRecordType.SOA, 900u, 116, 39),
                (DnsSection.Additional, 155, DnsRecordType.A, 3600u, 167, 4),
                (DnsSection.Additional, 171, DnsRecordType.AAAA, 3600u, 183, 16),
                (DnsSection.Additional, 199, DnsRecordType.OPT, 0x8000u, 210, 0),
            ],
            records.Select(r => (r.Section, r.NameOffset, r.Type, r.RawTimeToLive, r.DataOffset, r.DataLength)));
        Assert.Equal(message.Length, records[^1].End);
        Assert.Equal("alias.example.com.", DnsName.Read(message, records[2].NameOffset));
        Assert.Equal("mail.example.com.", DnsName.Read(message, records[4].NameOffset));
    }

    [Fact]
    public void TryReadRecord_QuestionsNotRead_SkipsThem()
    {
        var reader = new DnsMessageReader(WireSamples.AllSections());

        Assert.True(reader.TryReadRecord(out DnsRecordView first));
        Assert.Equal(29, first.NameOffset);
        Assert.False(reader.TryReadQuestion(out _));
    }

    [Fact]
    public void TryReadQuestion_SecondQuestionCompressed_ReadsBoth()
    {
        byte[] message =
        [
            // header: QD 2
            0x00, 0x01, 0x01, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            // @12 example.com. A IN
            7, (byte)'e', (byte)'x', (byte)'a', (byte)'m', (byte)'p', (byte)'l', (byte)'e', 3, (byte)'c', (byte)'o', (byte)'m', 0, 0x00, 0x01, 0x00, 0x01,
            // @29 "WWW" -> @12, AAAA IN
            3, (byte)'W', (byte)'W', (byte)'W', 0xC0, 0x0C, 0x00, 0x1C, 0x00, 0x01,
        ];
        var reader = new DnsMessageReader(message);

        Assert.True(reader.TryReadQuestion(out DnsQuestionView first));
        Assert.True(reader.TryReadQuestion(out DnsQuestionView second));
        Assert.False(reader.TryReadQuestion(out _));
        Assert.False(reader.TryReadRecord(out _));
        Assert.Equal("example.com.", DnsName.Read(message, first.NameOffset));
        Assert.Equal("WWW.example.com.", DnsName.Read(message, second.NameOffset));
        Assert.Equal(DnsRecordType.AAAA, second.Type);
    }

    [Fact]
    public void OptProperties_AllSectionsMessage_ReadPayloadVersionAndDoBit()
    {
        var reader = new DnsMessageReader(WireSamples.AllSections());
        reader.ReadToEnd();

        Assert.True(reader.HasOpt);
        Assert.Equal(4096, reader.OptUdpPayloadSize);
        Assert.Equal(0, reader.EdnsVersion);
        Assert.True(reader.DnssecOk);
        Assert.Equal(DnsResponseCode.NoError, reader.ResponseCode);
    }

    [Fact]
    public void ResponseCode_OptExtendedRcode1AndHeader0_IsBadVersion()
    {
        byte[] message =
        [
            // header: QR, RCODE 0, AR 1
            0x00, 0x07, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
            // OPT: root, TYPE 41, payload 1232, ext-RCODE 1, version 1, flags 0, RDLENGTH 0
            0x00, 0x00, 0x29, 0x04, 0xD0, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00,
        ];
        var reader = new DnsMessageReader(message);
        Assert.Equal(DnsResponseCode.NoError, reader.ResponseCode); // the OPT is not read yet

        reader.ReadToEnd();

        Assert.Equal(DnsResponseCode.BadVersion, reader.ResponseCode); // 1 << 4 | 0 = 16 (RFC 6891 §9)
        Assert.Equal(1, reader.EdnsVersion);
        Assert.False(reader.DnssecOk);
        Assert.Equal(1232, reader.OptUdpPayloadSize);
    }

    [Fact]
    public void ResponseCode_OptExtendedRcodeWithHeaderBits_CombinesTwelveBits()
    {
        byte[] message =
        [
            0x00, 0x07, 0x80, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
            0x00, 0x00, 0x29, 0x02, 0x00, 0xFF, 0x00, 0x00, 0x00, 0x00, 0x00,
        ];
        var reader = new DnsMessageReader(message);
        reader.ReadToEnd();

        Assert.Equal(0xFF3, (int)reader.ResponseCode);
    }

    [Fact]
    public void TimeToLive_MostSignificantBitSet_ReadsAsZero()
    {
        byte[] message =
        [
            0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
            // root owner, A, IN, TTL 0x80000001, RDLENGTH 4, 192.0.2.1
            0x00, 0x00, 0x01, 0x00, 0x01, 0x80, 0x00, 0x00, 0x01, 0x00, 0x04, 192, 0, 2, 1,
        ];
        var reader = new DnsMessageReader(message);

        Assert.True(reader.TryReadRecord(out DnsRecordView record));
        Assert.Equal(0u, record.TimeToLive); // RFC 2181 §8
        Assert.Equal(0x8000_0001u, record.RawTimeToLive);
    }

    [Fact]
    public void TryReadRecord_UnknownType_ExposesRdataSlice()
    {
        byte[] message =
        [
            0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
            // root owner, TYPE 65280 (private use), CLASS 3, TTL 1, RDLENGTH 3, 01 02 03
            0x00, 0xFF, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x03, 0x01, 0x02, 0x03,
        ];
        var reader = new DnsMessageReader(message);

        Assert.True(reader.TryReadRecord(out DnsRecordView record));
        Assert.Equal((DnsRecordType)0xFF00, record.Type);
        Assert.Equal(DnsRecordClass.CH, record.Class);
        Assert.Equal(new byte[] { 1, 2, 3 }, message.AsSpan(record.DataOffset, record.DataLength).ToArray());
        Assert.False(reader.TryReadRecord(out _));
    }

    [Fact]
    public void Constructor_ShorterThanHeader_ThrowsFormatException()
    {
        Assert.Throws<DnsFormatException>(() => new DnsMessageReader(new byte[11]));
        Assert.Throws<DnsFormatException>(() => new DnsMessageReader([]));
    }

    [Theory]
    [InlineData(4)]
    [InlineData(6)]
    [InlineData(8)]
    [InlineData(10)]
    public void Walk_HugeCountWithNoBody_ThrowsFormatException(int countOffset)
    {
        byte[] message = new byte[12];
        message[countOffset] = 0xFF;
        message[countOffset + 1] = 0xFF;

        Assert.Throws<DnsFormatException>(() => Walk(message));
    }

    [Fact]
    public void Walk_HugeAnswerCountWithOneRecord_ThrowsFormatExceptionAfterIt()
    {
        byte[] message =
        [
            0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x04, 192, 0, 2, 1,
        ];
        var reader = new DnsMessageReader(message);

        Assert.True(reader.TryReadRecord(out _));
        var error = Assert.Throws<DnsFormatException>(() => Walk(message));
        Assert.Contains("name", error.Message);
    }

    [Fact]
    public void TryReadRecord_RdataOverrun_ThrowsFormatException()
    {
        byte[] message =
        [
            0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
            // root owner, A, IN, TTL 1, RDLENGTH 5 but only 4 bytes follow
            0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x05, 192, 0, 2, 1,
        ];

        var error = Assert.Throws<DnsFormatException>(() => Walk(message));
        Assert.Contains("RDATA", error.Message);
    }

    [Fact]
    public void TryReadRecord_OptInAnswerSection_ThrowsFormatException()
    {
        byte[] message =
        [
            0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x29, 0x04, 0xD0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        ];

        Assert.Throws<DnsFormatException>(() => Walk(message));
    }

    [Fact]
    public void TryReadRecord_OptInAuthoritySection_ThrowsFormatException()
    {
        byte[] message =
        [
            0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
            0x00, 0x00, 0x29, 0x04, 0xD0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        ];

        Assert.Throws<DnsFormatException>(() => Walk(message));
    }

    [Fact]
    public void TryReadRecord_TwoOptRecords_ThrowsFormatException()
    {
        byte[] message =
        [
            0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
            0x00, 0x00, 0x29, 0x04, 0xD0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x29, 0x04, 0xD0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        ];
        var reader = new DnsMessageReader(message);

        Assert.True(reader.TryReadRecord(out _));
        Assert.Throws<DnsFormatException>(() => Walk(message));
    }

    [Fact]
    public void TryReadRecord_OptWithNonRootOwner_ThrowsFormatException()
    {
        byte[] message =
        [
            0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
            // owner "a."
            0x01, (byte)'a', 0x00, 0x00, 0x29, 0x04, 0xD0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        ];

        Assert.Throws<DnsFormatException>(() => Walk(message));
    }

    [Fact]
    public void TryReadRecord_OptOwnerPointingToRoot_ThrowsFormatException()
    {
        // A pointer to a root label is not the root owner RFC 6891 §6.1.2 requires.
        byte[] message =
        [
            0x00, 0x00, 0x80, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
            // @12 question: root, A, IN
            0x00, 0x00, 0x01, 0x00, 0x01,
            // OPT owned by a pointer to @12
            0xC0, 0x0C, 0x00, 0x29, 0x04, 0xD0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        ];

        Assert.Throws<DnsFormatException>(() => Walk(message));
    }

    [Fact]
    public void Walk_AllSectionsCutAtEveryLength_ThrowsOnlyFormatException()
    {
        byte[] message = WireSamples.AllSections();
        Walk(message);

        for (int length = 0; length < message.Length; length++)
        {
            // The header's counts promise every record, so each cut leaves one missing.
            Assert.Throws<DnsFormatException>(() => WireGenerators.WalkEverything(message[..length]));
        }
    }

    [Property(MaxTest = PropertyConfig.MaxTest, Replay = PropertyConfig.Replay)]
    public Property Walk_ArbitraryBytes_ThrowsOnlyFormatException()
        => Prop.ForAll(WireGenerators.ArbitraryBytes.ToArbitrary(), bytes => WireGenerators.OnlyFormatErrors(() => WireGenerators.WalkEverything(bytes)));

    [Property(MaxTest = PropertyConfig.MaxTest, Replay = PropertyConfig.Replay)]
    public Property Walk_MutatedValidMessage_ThrowsOnlyFormatException()
        => Prop.ForAll(WireGenerators.MutatedMessage.ToArbitrary(), bytes => WireGenerators.OnlyFormatErrors(() => WireGenerators.WalkEverything(bytes)));

    private static void Walk(byte[] message)
    {
        var reader = new DnsMessageReader(message);
        reader.ReadToEnd();
    }
}
