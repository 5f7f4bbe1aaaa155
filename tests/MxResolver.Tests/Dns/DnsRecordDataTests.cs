using System.Net;
using MxResolver.Dns;

namespace MxResolver.Tests.Dns;

public class DnsRecordDataTests
{
    [Fact]
    public void ReadMx_CompressedExchange_ReadsPreferenceAndName()
    {
        byte[] message = WireSamples.AllSections();
        DnsRecordView record = RecordAt(message, 0);

        int exchange = DnsRecordData.ReadMx(message, record, out ushort preference);

        Assert.Equal(10, preference);
        Assert.Equal(43, exchange);
        Assert.Equal("mail.example.com.", DnsName.Read(message, exchange));
    }

    [Fact]
    public void ReadMx_UncompressedExchange_ReadsPreferenceAndName()
    {
        byte[] message = WireSamples.AllSections();

        int exchange = DnsRecordData.ReadMx(message, RecordAt(message, 1), out ushort preference);

        Assert.Equal(20, preference);
        Assert.Equal("backup.example.net.", DnsName.Read(message, exchange));
    }

    [Fact]
    public void ReadMx_NullMx_ExchangeIsRoot()
    {
        // RFC 7505: preference 0, exchange "."
        byte[] message = SingleRecord(type: 15, [0x00, 0x00, 0x00]);

        int exchange = DnsRecordData.ReadMx(message, RecordAt(message, 0), out ushort preference);

        Assert.Equal(0, preference);
        Assert.Equal(".", DnsName.Read(message, exchange));
    }

    [Fact]
    public void ReadMx_ExchangeEndsBeforeRdlength_ThrowsFormatException()
    {
        // preference 1, exchange "a." (3 bytes), then one stray byte inside RDLENGTH 6
        byte[] message = SingleRecord(type: 15, [0x00, 0x01, 0x01, (byte)'a', 0x00, 0xEE]);

        var error = Assert.Throws<DnsFormatException>(() => DnsRecordData.ReadMx(message, RecordAt(message, 0), out _));
        Assert.Contains("length", error.Message);
    }

    [Fact]
    public void ReadMx_ExchangeRunsPastRdlength_ThrowsFormatException()
    {
        // RDLENGTH 4 covers preference 1 and "\x01a" only; the root label lies outside the RDATA.
        byte[] message = SingleRecord(type: 15, [0x00, 0x01, 0x01, (byte)'a'], trailing: [0x00]);

        Assert.Throws<DnsFormatException>(() => DnsRecordData.ReadMx(message, RecordAt(message, 0), out _));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void ReadMx_RdataTooShortForAName_ThrowsFormatException(int length)
    {
        byte[] message = SingleRecord(type: 15, new byte[length]);

        Assert.Throws<DnsFormatException>(() => DnsRecordData.ReadMx(message, RecordAt(message, 0), out _));
    }

    [Fact]
    public void ReadMxExchange_CompressedExchange_ReadsPreferenceAndText()
    {
        byte[] message = WireSamples.AllSections();
        DnsRecordView record = RecordAt(message, 0);

        string exchange = DnsRecordData.ReadMxExchange(message, record.DataOffset, record.DataLength, out ushort preference);

        Assert.Equal((10, "mail.example.com."), (preference, exchange));
    }

    [Fact]
    public void ReadMxExchange_ExchangeEndsBeforeRdlength_ThrowsFormatException()
    {
        byte[] message = SingleRecord(type: 15, [0x00, 0x01, 0x01, (byte)'a', 0x00, 0xEE]);
        DnsRecordView record = RecordAt(message, 0);

        Assert.Throws<DnsFormatException>(() => DnsRecordData.ReadMxExchange(message, record.DataOffset, record.DataLength, out _));
    }

    [Fact]
    public void ReadMxExchange_ExchangeRunsPastRdlength_ThrowsFormatException()
    {
        byte[] message = SingleRecord(type: 15, [0x00, 0x01, 0x01, (byte)'a'], trailing: [0x00]);
        DnsRecordView record = RecordAt(message, 0);

        Assert.Throws<DnsFormatException>(() => DnsRecordData.ReadMxExchange(message, record.DataOffset, record.DataLength, out _));
    }

    [Fact]
    public void ReadMxExchange_TooShort_ThrowsFormatException()
    {
        byte[] message = SingleRecord(type: 15, [0x00, 0x01]);
        DnsRecordView record = RecordAt(message, 0);

        Assert.Throws<DnsFormatException>(() => DnsRecordData.ReadMxExchange(message, record.DataOffset, record.DataLength, out _));
    }

    [Fact]
    public void ReadCname_CompressedTarget_ReadsName()
    {
        byte[] message = WireSamples.AllSections();

        int target = DnsRecordData.ReadCname(message, RecordAt(message, 2));

        Assert.Equal(102, target);
        Assert.Equal("mail.example.com.", DnsName.Read(message, target));
    }

    [Fact]
    public void ReadCname_Empty_ThrowsFormatException()
    {
        byte[] message = SingleRecord(type: 5, []);

        Assert.Throws<DnsFormatException>(() => DnsRecordData.ReadCname(message, RecordAt(message, 0)));
    }

    [Fact]
    public void ReadCname_TargetShorterThanRdlength_ThrowsFormatException()
    {
        byte[] message = SingleRecord(type: 5, [0x00, 0x00]);

        Assert.Throws<DnsFormatException>(() => DnsRecordData.ReadCname(message, RecordAt(message, 0)));
    }

    [Fact]
    public void ReadAddress_AAndAaaa_ReadAddresses()
    {
        byte[] message = WireSamples.AllSections();

        Assert.Equal(IPAddress.Parse("192.0.2.25"), DnsRecordData.ReadAddress(message, RecordAt(message, 4)));
        Assert.Equal(IPAddress.Parse("2001:db8::25"), DnsRecordData.ReadAddress(message, RecordAt(message, 5)));
    }

    [Fact]
    public void ReadAddress_AWithFiveBytes_ThrowsFormatException()
    {
        byte[] message = SingleRecord(type: 1, [192, 0, 2, 1, 0]);

        var error = Assert.Throws<DnsFormatException>(() => DnsRecordData.ReadAddress(message, RecordAt(message, 0)));
        Assert.Contains("4", error.Message);
    }

    [Fact]
    public void ReadAddress_AaaaWithFourBytes_ThrowsFormatException()
    {
        byte[] message = SingleRecord(type: 28, [192, 0, 2, 1]);

        var error = Assert.Throws<DnsFormatException>(() => DnsRecordData.ReadAddress(message, RecordAt(message, 0)));
        Assert.Contains("16", error.Message);
    }

    [Fact]
    public void ReadSoa_CompressedNames_ReadsEveryField()
    {
        byte[] message = WireSamples.AllSections();

        DnsRecordData.SoaFields soa = DnsRecordData.ReadSoa(message, RecordAt(message, 3));

        Assert.Equal("ns1.example.com.", DnsName.Read(message, soa.PrimaryNameServerOffset));
        Assert.Equal("hostmaster.example.com.", DnsName.Read(message, soa.ResponsibleMailboxOffset));
        Assert.Equal((2026112601u, 7200u, 3600u, 1209600u, 300u), (soa.Serial, soa.Refresh, soa.Retry, soa.Expire, soa.Minimum));
    }

    [Fact]
    public void ReadSoa_TooShort_ThrowsFormatException()
    {
        byte[] message = SingleRecord(type: 6, new byte[21]);

        Assert.Throws<DnsFormatException>(() => DnsRecordData.ReadSoa(message, RecordAt(message, 0)));
    }

    [Fact]
    public void ReadSoa_NumbersNotFillingRdata_ThrowsFormatException()
    {
        // Two root names and 20 bytes of numbers, plus one extra byte inside RDLENGTH.
        byte[] message = SingleRecord(type: 6, new byte[23]);

        Assert.Throws<DnsFormatException>(() => DnsRecordData.ReadSoa(message, RecordAt(message, 0)));
    }

    [Fact]
    public void ReadSoa_NamesRunningIntoTheNumbersPastRdlength_ThrowsFormatException()
    {
        // MNAME is a 21-octet label, so the numbers would end past RDLENGTH 22.
        byte[] rdata = new byte[22];
        rdata[0] = 20;
        byte[] message = SingleRecord(type: 6, rdata, trailing: new byte[30]);

        Assert.Throws<DnsFormatException>(() => DnsRecordData.ReadSoa(message, RecordAt(message, 0)));
    }

    /// <summary>A response with one answer owned by the root: TYPE <paramref name="type"/>, class IN, TTL 60.</summary>
    private static byte[] SingleRecord(ushort type, byte[] rdata, byte[]? trailing = null)
    {
        byte[] head =
        [
            0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
            0x00, (byte)(type >> 8), (byte)type, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3C, (byte)(rdata.Length >> 8), (byte)rdata.Length,
        ];
        return [.. head, .. rdata, .. trailing ?? []];
    }

    private static DnsRecordView RecordAt(byte[] message, int index)
    {
        var reader = new DnsMessageReader(message);
        DnsRecordView record = default;
        for (int i = 0; i <= index; i++)
        {
            Assert.True(reader.TryReadRecord(out record));
        }

        return record;
    }
}
