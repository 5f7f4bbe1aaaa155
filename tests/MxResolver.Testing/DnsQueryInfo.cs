using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Text;

namespace MxResolver.Testing;

/// <summary>
/// Test-side parser, independent of the library: header, first question, OPT and every record of a DNS
/// message. Enough for fake servers to answer queries and for sanity tests to read Unbound's answers.
/// Malformed input throws <see cref="FormatException"/>; compression pointers must point backwards, so
/// no input can loop.
/// </summary>
public sealed class DnsQueryInfo
{
    private DnsQueryInfo()
    {
    }

    public ushort Id { get; private init; }

    /// <summary>The 16-bit flags word of the header, as received.</summary>
    public ushort Flags { get; private init; }

    public bool IsResponse => (Flags & 0x8000) != 0;

    public int Opcode => (Flags >> 11) & 0xF;

    public bool AuthoritativeAnswer => (Flags & 0x0400) != 0;

    public bool Truncated => (Flags & 0x0200) != 0;

    public bool RecursionDesired => (Flags & 0x0100) != 0;

    public bool RecursionAvailable => (Flags & 0x0080) != 0;

    public bool AuthenticData => (Flags & 0x0020) != 0;

    public bool CheckingDisabled => (Flags & 0x0010) != 0;

    /// <summary>The low 4 bits of the RCODE from the header.</summary>
    public int HeaderRcode => Flags & 0xF;

    /// <summary>The full 12-bit RCODE: header bits plus OPT's extended RCODE (RFC 6891 §6.1.3).</summary>
    public int Rcode => (OptExtendedRcode << 4) | HeaderRcode;

    public ushort QuestionCount { get; private init; }

    public ushort AnswerCount { get; private init; }

    public ushort AuthorityCount { get; private init; }

    public ushort AdditionalCount { get; private init; }

    /// <summary>The first question's name in presentation form with the trailing dot, case preserved
    /// ("." for the root); null when there is no question.</summary>
    public string? QuestionName { get; private init; }

    public ushort QuestionType { get; private init; }

    public ushort QuestionClass { get; private init; }

    public bool HasOpt { get; private init; }

    /// <summary>The requestor's UDP payload size from OPT's CLASS field; 0 without OPT.</summary>
    public ushort OptPayloadSize { get; private init; }

    public int OptExtendedRcode { get; private init; }

    public int OptVersion { get; private init; }

    public bool OptDnssecOk { get; private init; }

    /// <summary>Every record of the answer, authority and additional sections, OPT included, in order.</summary>
    public IReadOnlyList<DnsRecordInfo> Records { get; private init; } = [];

    /// <summary>The message that was parsed.</summary>
    public byte[] Message { get; private init; } = [];

    public IEnumerable<DnsRecordInfo> Answers => Records.Where(r => r.Section == RecordSection.Answer);

    public IEnumerable<DnsRecordInfo> Authorities => Records.Where(r => r.Section == RecordSection.Authority);

    public IEnumerable<DnsRecordInfo> Additionals => Records.Where(r => r.Section == RecordSection.Additional);

    /// <summary>Parses a whole message.</summary>
    /// <exception cref="FormatException">The message is truncated or malformed.</exception>
    public static DnsQueryInfo Parse(byte[] message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Length < 12)
        {
            throw new FormatException($"A DNS header needs 12 bytes, got {message.Length}.");
        }

        var span = message.AsSpan();
        var qd = BinaryPrimitives.ReadUInt16BigEndian(span[4..]);
        var an = BinaryPrimitives.ReadUInt16BigEndian(span[6..]);
        var ns = BinaryPrimitives.ReadUInt16BigEndian(span[8..]);
        var ar = BinaryPrimitives.ReadUInt16BigEndian(span[10..]);
        var offset = 12;

        string? qname = null;
        ushort qtype = 0, qclass = 0;
        for (var i = 0; i < qd; i++)
        {
            var name = ReadName(message, ref offset);
            Need(message, offset, 4);
            if (i == 0)
            {
                qname = name;
                qtype = BinaryPrimitives.ReadUInt16BigEndian(span[offset..]);
                qclass = BinaryPrimitives.ReadUInt16BigEndian(span[(offset + 2)..]);
            }

            offset += 4;
        }

        var records = new List<DnsRecordInfo>();
        bool hasOpt = false, dnssecOk = false;
        ushort payload = 0;
        int extended = 0, version = 0;
        foreach (var (section, count) in new[] { (RecordSection.Answer, an), (RecordSection.Authority, ns), (RecordSection.Additional, ar) })
        {
            for (var i = 0; i < count; i++)
            {
                var name = ReadName(message, ref offset);
                Need(message, offset, 10);
                var type = BinaryPrimitives.ReadUInt16BigEndian(span[offset..]);
                var @class = BinaryPrimitives.ReadUInt16BigEndian(span[(offset + 2)..]);
                var ttl = BinaryPrimitives.ReadUInt32BigEndian(span[(offset + 4)..]);
                var rdLength = BinaryPrimitives.ReadUInt16BigEndian(span[(offset + 8)..]);
                offset += 10;
                Need(message, offset, rdLength);
                var data = Describe(message, type, offset, rdLength);
                records.Add(new DnsRecordInfo(section, name, type, @class, ttl, message[offset..(offset + rdLength)], data));
                offset += rdLength;

                if (type == DnsTypeCode.OPT && section == RecordSection.Additional && !hasOpt)
                {
                    hasOpt = true;
                    payload = @class;
                    extended = (int)(ttl >> 24);
                    version = (int)((ttl >> 16) & 0xFF);
                    dnssecOk = (ttl & 0x8000) != 0;
                }
            }
        }

        return new DnsQueryInfo
        {
            Id = BinaryPrimitives.ReadUInt16BigEndian(span),
            Flags = BinaryPrimitives.ReadUInt16BigEndian(span[2..]),
            QuestionCount = qd,
            AnswerCount = an,
            AuthorityCount = ns,
            AdditionalCount = ar,
            QuestionName = qname,
            QuestionType = qtype,
            QuestionClass = qclass,
            HasOpt = hasOpt,
            OptPayloadSize = payload,
            OptExtendedRcode = extended,
            OptVersion = version,
            OptDnssecOk = dnssecOk,
            Records = records,
            Message = message,
        };
    }

    /// <summary>Parses, returning null instead of throwing on malformed input.</summary>
    public static DnsQueryInfo? TryParse(byte[] message)
    {
        try
        {
            return Parse(message);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>
    /// Reads a possibly compressed name at <paramref name="offset"/> and moves the offset past it.
    /// Pointers must point strictly before the label that holds them (RFC 1035 §4.1.4 "prior occurrence"),
    /// which bounds the walk; the decoded name may not exceed 255 octets.
    /// </summary>
    public static string ReadName(byte[] message, ref int offset)
    {
        ArgumentNullException.ThrowIfNull(message);
        var builder = new StringBuilder();
        var position = offset;
        var end = -1;
        var wireLength = 1;
        while (true)
        {
            Need(message, position, 1);
            var length = message[position];
            if ((length & 0xC0) == 0xC0)
            {
                Need(message, position, 2);
                var target = ((length & 0x3F) << 8) | message[position + 1];
                if (target >= position)
                {
                    throw new FormatException($"Compression pointer at {position} points forward to {target}.");
                }

                if (end < 0)
                {
                    end = position + 2;
                }

                position = target;
                continue;
            }

            if ((length & 0xC0) != 0)
            {
                throw new FormatException($"Reserved label type 0x{length:X2} at {position}.");
            }

            position++;
            if (length == 0)
            {
                break;
            }

            Need(message, position, length);
            wireLength += length + 1;
            if (wireLength > 255)
            {
                throw new FormatException("Name longer than 255 octets.");
            }

            AppendLabel(builder, message.AsSpan(position, length));
            builder.Append('.');
            position += length;
        }

        offset = end >= 0 ? end : position;
        return builder.Length == 0 ? "." : builder.ToString();
    }

    private static void AppendLabel(StringBuilder builder, ReadOnlySpan<byte> label)
    {
        foreach (var b in label)
        {
            if (b is (byte)'.' or (byte)'\\')
            {
                builder.Append('\\').Append((char)b);
            }
            else if (b is > 0x20 and < 0x7F)
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('\\').Append(b.ToString("D3", CultureInfo.InvariantCulture));
            }
        }
    }

    private static string Describe(byte[] message, ushort type, int offset, int length)
    {
        var rdata = message.AsSpan(offset, length);
        var end = offset + length;
        switch (type)
        {
            case DnsTypeCode.A when length == 4:
            case DnsTypeCode.AAAA when length == 16:
                return new IPAddress(rdata).ToString();
            case DnsTypeCode.MX when length >= 3:
            {
                var at = offset + 2;
                var exchange = ReadName(message, ref at);
                CheckInside(at, end);
                return $"{BinaryPrimitives.ReadUInt16BigEndian(rdata)} {exchange}";
            }

            case DnsTypeCode.CNAME or DnsTypeCode.NS:
            {
                var at = offset;
                var target = ReadName(message, ref at);
                CheckInside(at, end);
                return target;
            }

            case DnsTypeCode.SOA:
            {
                var at = offset;
                var mname = ReadName(message, ref at);
                var rname = ReadName(message, ref at);
                CheckInside(at + 20, end);
                var numbers = message.AsSpan(at, 20);
                return string.Join(' ', mname, rname,
                    BinaryPrimitives.ReadUInt32BigEndian(numbers), BinaryPrimitives.ReadUInt32BigEndian(numbers[4..]),
                    BinaryPrimitives.ReadUInt32BigEndian(numbers[8..]), BinaryPrimitives.ReadUInt32BigEndian(numbers[12..]),
                    BinaryPrimitives.ReadUInt32BigEndian(numbers[16..]));
            }

            case DnsTypeCode.TXT:
            {
                var parts = new List<string>();
                var at = 0;
                while (at < rdata.Length)
                {
                    var n = rdata[at];
                    if (at + 1 + n > rdata.Length)
                    {
                        throw new FormatException("TXT character-string runs past its RDATA.");
                    }

                    parts.Add("\"" + Encoding.ASCII.GetString(rdata.Slice(at + 1, n)) + "\"");
                    at += 1 + n;
                }

                return string.Join(' ', parts);
            }

            default:
                return Convert.ToHexString(rdata);
        }
    }

    private static void CheckInside(int position, int end)
    {
        if (position > end)
        {
            throw new FormatException("A name runs past its RDATA.");
        }
    }

    private static void Need(byte[] message, int offset, int count)
    {
        if (offset < 0 || count < 0 || offset + count > message.Length)
        {
            throw new FormatException($"Message ends at {message.Length}, needed {count} bytes at {offset}.");
        }
    }
}
