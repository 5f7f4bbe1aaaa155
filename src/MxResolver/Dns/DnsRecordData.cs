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
    /// <summary>The shortest TLSA RDATA: usage, selector and matching type (RFC 6698 §2.1).</summary>
    public const int TlsaFixedLength = 3;

    /// <summary>
    /// Checks the RDATA of a class-IN record of a type the library decodes (MX, A, AAAA, CNAME, SOA,
    /// TXT, TLSA), so that decoding it later cannot fail; other types are not looked at.
    /// </summary>
    /// <exception cref="DnsFormatException">The RDATA is malformed.</exception>
    public static void Check(ReadOnlySpan<byte> message, in DnsRecordView record)
    {
        switch (record.Type)
        {
            case DnsRecordType.MX:
                ReadMx(message, record, out _);
                break;
            case DnsRecordType.A:
            case DnsRecordType.AAAA:
                CheckAddress(record);
                break;
            case DnsRecordType.CNAME:
                ReadCname(message, record);
                break;
            case DnsRecordType.SOA:
                ReadSoa(message, record);
                break;
            case DnsRecordType.TXT:
                CountTxtStrings(message.Slice(record.DataOffset, record.DataLength));
                break;
            case DnsRecordType.TLSA:
                CheckTlsa(record);
                break;
        }
    }

    /// <summary>
    /// TXT RDATA (RFC 1035 §3.3.14): one or more character-strings, each a length octet and that
    /// many octets. Returns how many there are.
    /// </summary>
    /// <exception cref="DnsFormatException">The RDATA is empty or a string runs past it.</exception>
    public static int CountTxtStrings(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            throw new DnsFormatException("TXT RDATA is empty; it holds at least one character-string.");
        }

        int count = 0;
        int position = 0;
        while (position < data.Length)
        {
            int next = position + 1 + data[position];
            if (next > data.Length)
            {
                throw new DnsFormatException($"A TXT character-string of {data[position]} octets runs past the RDATA's {data.Length}.");
            }

            position = next;
            count++;
        }

        return count;
    }

    /// <summary>The character-strings of TXT RDATA checked by <see cref="CountTxtStrings"/>, as ranges of <paramref name="data"/>.</summary>
    /// <exception cref="DnsFormatException">The RDATA is malformed.</exception>
    public static Range[] ReadTxtStrings(ReadOnlySpan<byte> data)
    {
        var strings = new Range[CountTxtStrings(data)];
        int position = 0;
        for (int i = 0; i < strings.Length; i++)
        {
            int length = data[position];
            strings[i] = new Range(position + 1, position + 1 + length);
            position += 1 + length;
        }

        return strings;
    }

    /// <summary>Checks TLSA RDATA (RFC 6698 §2.1): usage, selector, matching type, then the association data.</summary>
    /// <exception cref="DnsFormatException">The RDATA is shorter than its three fixed fields.</exception>
    public static void CheckTlsa(in DnsRecordView record)
    {
        if (record.DataLength < TlsaFixedLength)
        {
            throw new DnsFormatException($"TLSA RDATA of {record.DataLength} bytes is too short.");
        }
    }

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
