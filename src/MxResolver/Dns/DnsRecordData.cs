using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace MxResolver.Dns;

/// <summary>Decoders for the RDATA of the record types the library interprets.</summary>
/// <remarks>
/// Each decoder checks that the data fills the RDATA exactly: a name that ends early or runs
/// past RDLENGTH is a malformed record, not a record to guess at.
/// </remarks>
internal static class DnsRecordData
{
    /// <summary>MX RDATA (RFC 1035 §3.3.9): PREFERENCE, then EXCHANGE. Returns the exchange's name offset.</summary>
    /// <exception cref="DnsFormatException">The RDATA is malformed.</exception>
    public static int ReadMx(ReadOnlySpan<byte> message, in DnsRecordView record, out ushort preference)
    {
        if (record.DataLength < 3)
        {
            throw new DnsFormatException($"MX RDATA of {record.DataLength} bytes is too short.");
        }

        preference = BinaryPrimitives.ReadUInt16BigEndian(message[record.DataOffset..]);
        int exchangeOffset = record.DataOffset + 2;
        ExpectNameToFill(message, exchangeOffset, record.End, "MX");
        return exchangeOffset;
    }

    /// <summary>
    /// MX RDATA (RFC 1035 §3.3.9) decoded: the preference and the exchange as text, checked like
    /// <see cref="ReadMx"/> but walking the exchange name once.
    /// </summary>
    /// <exception cref="DnsFormatException">The RDATA is malformed.</exception>
    public static string ReadMxExchange(ReadOnlySpan<byte> message, int dataOffset, int dataLength, out ushort preference)
    {
        DnsName.NameMemo memo = default;
        return ReadMxExchange(message, dataOffset, dataLength, out preference, ref memo);
    }

    /// <summary>
    /// <see cref="ReadMxExchange(ReadOnlySpan{byte}, int, int, out ushort)"/>, reusing and updating
    /// a name remembered from the same message (see <see cref="DnsName.NameMemo"/>).
    /// </summary>
    /// <exception cref="DnsFormatException">The RDATA is malformed.</exception>
    public static string ReadMxExchange(ReadOnlySpan<byte> message, int dataOffset, int dataLength, out ushort preference, ref DnsName.NameMemo memo)
    {
        if (dataLength < 3)
        {
            ThrowMxTooShort(dataLength);
        }

        int dataEnd = dataOffset + dataLength;
        preference = BinaryPrimitives.ReadUInt16BigEndian(message[dataOffset..]);

        // Reading within the RDATA slice keeps the name inside RDLENGTH; it must also end there.
        string exchange = DnsName.Read(message[..dataEnd], dataOffset + 2, out int end, ref memo);
        if (end != dataEnd)
        {
            ThrowMxLengthMismatch();
        }

        return exchange;
    }

    [DoesNotReturn]
    private static void ThrowMxTooShort(int dataLength) => throw new DnsFormatException($"MX RDATA of {dataLength} bytes is too short.");

    [DoesNotReturn]
    private static void ThrowMxLengthMismatch() => throw new DnsFormatException("MX RDATA does not match its length.");

    /// <summary>CNAME RDATA (RFC 1035 §3.3.1). Returns the canonical name's offset.</summary>
    /// <exception cref="DnsFormatException">The RDATA is malformed.</exception>
    public static int ReadCname(ReadOnlySpan<byte> message, in DnsRecordView record)
    {
        if (record.DataLength < 1)
        {
            throw new DnsFormatException("CNAME RDATA is empty.");
        }

        ExpectNameToFill(message, record.DataOffset, record.End, "CNAME");
        return record.DataOffset;
    }

    /// <summary>Checks that A (RFC 1035 §3.4.1) or AAAA (RFC 3596 §2.2) RDATA has its type's length.</summary>
    /// <exception cref="DnsFormatException">The RDATA has the wrong length for its type.</exception>
    public static void CheckAddress(in DnsRecordView record)
    {
        int expected = record.Type == DnsRecordType.AAAA ? 16 : 4;
        if (record.DataLength != expected)
        {
            throw new DnsFormatException($"{record.Type} RDATA is {record.DataLength} bytes; {expected} are required.");
        }
    }

    /// <summary>A (RFC 1035 §3.4.1) or AAAA (RFC 3596 §2.2) RDATA as an address.</summary>
    /// <exception cref="DnsFormatException">The RDATA has the wrong length for its type.</exception>
    public static IPAddress ReadAddress(ReadOnlySpan<byte> message, in DnsRecordView record)
    {
        CheckAddress(record);
        return new IPAddress(message.Slice(record.DataOffset, record.DataLength));
    }

    /// <summary>SOA RDATA (RFC 1035 §3.3.13): MNAME, RNAME, then five 32-bit fields.</summary>
    /// <exception cref="DnsFormatException">The RDATA is malformed.</exception>
    public static SoaFields ReadSoa(ReadOnlySpan<byte> message, in DnsRecordView record)
    {
        if (record.DataLength < 22)
        {
            throw new DnsFormatException($"SOA RDATA of {record.DataLength} bytes is too short.");
        }

        int mname = record.DataOffset;
        int rname = DnsName.Skip(message, mname);
        int fields = DnsName.Skip(message, rname);
        if (fields + 20 != record.End)
        {
            throw new DnsFormatException("SOA RDATA does not match its length.");
        }

        ReadOnlySpan<byte> numbers = message.Slice(fields, 20);
        return new SoaFields(
            mname,
            rname,
            BinaryPrimitives.ReadUInt32BigEndian(numbers),
            BinaryPrimitives.ReadUInt32BigEndian(numbers[4..]),
            BinaryPrimitives.ReadUInt32BigEndian(numbers[8..]),
            BinaryPrimitives.ReadUInt32BigEndian(numbers[12..]),
            BinaryPrimitives.ReadUInt32BigEndian(numbers[16..]));
    }

    private static void ExpectNameToFill(ReadOnlySpan<byte> message, int nameOffset, int dataEnd, string type)
    {
        if (nameOffset >= dataEnd)
        {
            throw new DnsFormatException($"{type} RDATA has no room for its name.");
        }

        // The name must lie within RDATA: checking the slice bounds the first labels, then the
        // end offset must land exactly on RDLENGTH.
        int end = DnsName.Skip(message[..dataEnd], nameOffset);
        if (end != dataEnd)
        {
            throw new DnsFormatException($"{type} RDATA does not match its length.");
        }
    }

    /// <summary>The decoded fields of an SOA record; names stay as offsets.</summary>
    internal readonly record struct SoaFields(int PrimaryNameServerOffset, int ResponsibleMailboxOffset, uint Serial, uint Refresh, uint Retry, uint Expire, uint Minimum);
}
