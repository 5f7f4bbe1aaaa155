using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MxResolver.Testing;

/// <summary>
/// Test-side DNS message writer, independent of the library's codec so that tests have their own
/// oracle. Builds any message, valid or hostile: every header bit, questions and records in each
/// section, name compression on or off (RFC 1035 §4.1.4), forged section counts, raw records and
/// raw trailing bytes. Mutable and fluent: every method returns the builder.
/// </summary>
public sealed class DnsMessageBuilder
{
    private readonly List<Question> _questions = [];
    private readonly List<Record>[] _sections = [[], [], []];
    private readonly List<byte[]> _trailing = [];

    public ushort Id { get; set; }

    /// <summary>QR: the message is a response.</summary>
    public bool IsResponse { get; set; }

    /// <summary>OPCODE, 4 bits (0 = QUERY).</summary>
    public int Opcode { get; set; }

    public bool AuthoritativeAnswer { get; set; }

    public bool Truncated { get; set; }

    public bool RecursionDesired { get; set; }

    public bool RecursionAvailable { get; set; }

    public bool AuthenticData { get; set; }

    public bool CheckingDisabled { get; set; }

    /// <summary>The Z bit (RFC 1035 §4.1.1: reserved, must be zero; set only to build hostile messages).</summary>
    public bool Z { get; set; }

    /// <summary>The low 4 bits of the RCODE written into the header (the upper 8 bits go into OPT).</summary>
    public int Rcode { get; set; }

    /// <summary>
    /// The whole second header word (QR, OPCODE, AA, TC, RD, RA, Z, AD, CD, RCODE): reading composes it
    /// from the properties above, writing sets every one of them.
    /// </summary>
    public ushort Flags
    {
        get => (ushort)((IsResponse ? 0x8000 : 0) | ((Opcode & 0xF) << 11) | (AuthoritativeAnswer ? 0x0400 : 0)
            | (Truncated ? 0x0200 : 0) | (RecursionDesired ? 0x0100 : 0) | (RecursionAvailable ? 0x0080 : 0)
            | (Z ? 0x0040 : 0) | (AuthenticData ? 0x0020 : 0) | (CheckingDisabled ? 0x0010 : 0) | (Rcode & 0xF));
        set
        {
            IsResponse = (value & 0x8000) != 0;
            Opcode = (value >> 11) & 0xF;
            AuthoritativeAnswer = (value & 0x0400) != 0;
            Truncated = (value & 0x0200) != 0;
            RecursionDesired = (value & 0x0100) != 0;
            RecursionAvailable = (value & 0x0080) != 0;
            Z = (value & 0x0040) != 0;
            AuthenticData = (value & 0x0020) != 0;
            CheckingDisabled = (value & 0x0010) != 0;
            Rcode = value & 0xF;
        }
    }

    /// <summary>Compress names with pointers to earlier occurrences (RFC 1035 §4.1.4). On by default.</summary>
    public bool CompressNames { get; set; } = true;

    /// <summary>
    /// When true, a pointer goes only to an earlier suffix with the very same bytes, so every name decodes
    /// with the case it was written in. When false (the default), like real servers, a suffix that differs
    /// only in ASCII case is reused too, and the decoded name takes the earlier spelling.
    /// </summary>
    public bool CompressionMatchesCase { get; set; }

    /// <summary>When set, written as QDCOUNT instead of the real number of questions.</summary>
    public ushort? QuestionCountOverride { get; set; }

    public ushort? AnswerCountOverride { get; set; }

    public ushort? AuthorityCountOverride { get; set; }

    public ushort? AdditionalCountOverride { get; set; }

    /// <summary>A query with RD set and one question, like a stub resolver sends.</summary>
    public static DnsMessageBuilder Query(ushort id, string name, ushort type, ushort @class = 1) =>
        new DnsMessageBuilder { Id = id, RecursionDesired = true }.AddQuestion(name, type, @class);

    /// <summary>
    /// A response to <paramref name="query"/>: same ID, same question (name spelled as asked), QR and RA
    /// set, RD copied, the given RCODE; an OPT record (payload 1232) is echoed when the query had one,
    /// unless <paramref name="echoOpt"/> is false. Add records, then <see cref="Build"/>.
    /// </summary>
    public static DnsMessageBuilder ReplyTo(
        DnsQueryInfo query, int rcode = DnsRcodeCode.NoError, bool authoritative = false, bool echoOpt = true)
    {
        ArgumentNullException.ThrowIfNull(query);
        var builder = new DnsMessageBuilder
        {
            Id = query.Id,
            IsResponse = true,
            Opcode = query.Opcode,
            RecursionDesired = query.RecursionDesired,
            RecursionAvailable = true,
            AuthoritativeAnswer = authoritative,
            Rcode = rcode & 0xF,
        };
        if (query.QuestionName is not null)
        {
            builder.AddQuestion(query.QuestionName, query.QuestionType, query.QuestionClass);
        }

        if (echoOpt && query.HasOpt)
        {
            builder.AddOpt(1232, extendedRcode: (byte)(rcode >> 4));
        }

        return builder;
    }

    public DnsMessageBuilder AddQuestion(string name, ushort type, ushort @class = 1) =>
        AddQuestion(WireName.FromPresentation(name), type, @class);

    /// <summary>A question whose name is given as raw labels (any bytes).</summary>
    public DnsMessageBuilder AddQuestion(WireName name, ushort type, ushort @class = 1)
    {
        ArgumentNullException.ThrowIfNull(name);
        _questions.Add(new Question(new NamePart(name), type, @class));
        return this;
    }

    /// <summary>A question whose name is written verbatim (e.g. a pointer loop <c>C0 0C</c>).</summary>
    public DnsMessageBuilder AddQuestionRawName(byte[] rawName, ushort type, ushort @class = 1)
    {
        _questions.Add(new Question(new RawPart(rawName), type, @class));
        return this;
    }

    public DnsMessageBuilder AddA(RecordSection section, string name, string address, uint ttl = 300) =>
        AddAddress(section, name, address, AddressFamily.InterNetwork, DnsTypeCode.A, ttl);

    public DnsMessageBuilder AddAaaa(RecordSection section, string name, string address, uint ttl = 300) =>
        AddAddress(section, name, address, AddressFamily.InterNetworkV6, DnsTypeCode.AAAA, ttl);

    public DnsMessageBuilder AddMx(RecordSection section, string name, ushort preference, string exchange, uint ttl = 300) =>
        Add(section, name, DnsTypeCode.MX, 1, ttl, [new RawPart(U16(preference)), ToNamePart(exchange)]);

    /// <summary>
    /// Any record: the owner as raw labels and RDATA as a sequence of <see cref="RdataPart"/>s, where
    /// names are compressed like every other name (RFC 1035 §4.1.4 allows it for the well-known types).
    /// </summary>
    public DnsMessageBuilder AddRecord(RecordSection section, WireName owner, ushort type, ushort @class, uint ttl, params RdataPart[] rdata)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(rdata);
        _sections[(int)section].Add(new Record(
            new NamePart(owner), type, @class, ttl, [.. rdata.Select(p => p is RdataPart.Name n ? (Part)new NamePart(n.Value) : new RawPart(((RdataPart.Bytes)p).Value))],
            null, IsVerbatim: false));
        return this;
    }

    public DnsMessageBuilder AddCname(RecordSection section, string name, string target, uint ttl = 300) =>
        Add(section, name, DnsTypeCode.CNAME, 1, ttl, [ToNamePart(target)]);

    public DnsMessageBuilder AddNs(RecordSection section, string name, string host, uint ttl = 300) =>
        Add(section, name, DnsTypeCode.NS, 1, ttl, [ToNamePart(host)]);

    /// <summary>An SOA record (RFC 1035 §3.3.13); MINIMUM is the negative-caching TTL of RFC 2308.</summary>
    public DnsMessageBuilder AddSoa(
        RecordSection section, string zone, string mname, string rname, uint serial = 1, uint refresh = 3600,
        uint retry = 600, uint expire = 86400, uint minimum = 300, uint ttl = 3600)
    {
        var numbers = new byte[20];
        BinaryPrimitives.WriteUInt32BigEndian(numbers, serial);
        BinaryPrimitives.WriteUInt32BigEndian(numbers.AsSpan(4), refresh);
        BinaryPrimitives.WriteUInt32BigEndian(numbers.AsSpan(8), retry);
        BinaryPrimitives.WriteUInt32BigEndian(numbers.AsSpan(12), expire);
        BinaryPrimitives.WriteUInt32BigEndian(numbers.AsSpan(16), minimum);
        return Add(section, zone, DnsTypeCode.SOA, 1, ttl, [ToNamePart(mname), ToNamePart(rname), new RawPart(numbers)]);
    }

    /// <summary>A TXT record of one or more character-strings (each at most 255 bytes, RFC 1035 §3.3.14).</summary>
    public DnsMessageBuilder AddTxt(RecordSection section, string name, uint ttl, params string[] strings)
    {
        var rdata = new List<byte>();
        foreach (var s in strings)
        {
            var bytes = Encoding.ASCII.GetBytes(s);
            if (bytes.Length > 255)
            {
                throw new ArgumentException("A character-string holds at most 255 bytes.", nameof(strings));
            }

            rdata.Add((byte)bytes.Length);
            rdata.AddRange(bytes);
        }

        return Add(section, name, DnsTypeCode.TXT, 1, ttl, [new RawPart([.. rdata])]);
    }

    /// <summary>
    /// An OPT pseudo-record in the additional section (RFC 6891 §6.1.2): owner root, CLASS = UDP payload
    /// size, TTL = extended RCODE (upper 8 bits of the 12-bit RCODE), version, DO flag.
    /// </summary>
    public DnsMessageBuilder AddOpt(
        ushort udpPayloadSize = 1232, byte extendedRcode = 0, byte version = 0, bool dnssecOk = false, byte[]? options = null)
    {
        var ttl = ((uint)extendedRcode << 24) | ((uint)version << 16) | (dnssecOk ? 0x8000u : 0u);
        return Add(RecordSection.Additional, ".", DnsTypeCode.OPT, udpPayloadSize, ttl, [new RawPart(options ?? [])]);
    }

    /// <summary>Any record with RDATA given verbatim; <paramref name="rdLengthOverride"/> forges RDLENGTH
    /// (e.g. larger than the bytes present, for an RDATA overrun).</summary>
    public DnsMessageBuilder AddRaw(
        RecordSection section, string name, ushort type, ushort @class, uint ttl, byte[] rdata, ushort? rdLengthOverride = null) =>
        Add(section, name, type, @class, ttl, [new RawPart(rdata)], rdLengthOverride);

    /// <summary>Bytes written verbatim where a whole record would be, counted as one record of the section.</summary>
    public DnsMessageBuilder AddRawRecord(RecordSection section, byte[] recordBytes)
    {
        _sections[(int)section].Add(new Record(new RawPart(recordBytes), 0, 0, 0, [], null, IsVerbatim: true));
        return this;
    }

    /// <summary>Bytes appended after the last section, not counted anywhere.</summary>
    public DnsMessageBuilder AppendTrailingBytes(byte[] bytes)
    {
        _trailing.Add(bytes);
        return this;
    }

    /// <summary>Writes the message.</summary>
    public byte[] Build()
    {
        var output = new List<byte>(512);
        var offsets = new Dictionary<string, int>(StringComparer.Ordinal);

        output.AddRange(U16(Id));
        output.AddRange(U16(Flags));
        output.AddRange(U16(QuestionCountOverride ?? (ushort)_questions.Count));
        output.AddRange(U16(AnswerCountOverride ?? (ushort)_sections[0].Count));
        output.AddRange(U16(AuthorityCountOverride ?? (ushort)_sections[1].Count));
        output.AddRange(U16(AdditionalCountOverride ?? (ushort)_sections[2].Count));

        foreach (var question in _questions)
        {
            WritePart(output, question.Name, offsets);
            output.AddRange(U16(question.Type));
            output.AddRange(U16(question.Class));
        }

        foreach (var section in _sections)
        {
            foreach (var record in section)
            {
                if (record.IsVerbatim)
                {
                    WritePart(output, record.Name, offsets);
                    continue;
                }

                WritePart(output, record.Name, offsets);
                output.AddRange(U16(record.Type));
                output.AddRange(U16(record.Class));
                output.AddRange(U32(record.Ttl));
                var lengthAt = output.Count;
                output.AddRange(U16(0));
                var start = output.Count;
                foreach (var part in record.Rdata)
                {
                    WritePart(output, part, offsets);
                }

                var length = record.RdLengthOverride ?? (ushort)(output.Count - start);
                output[lengthAt] = (byte)(length >> 8);
                output[lengthAt + 1] = (byte)length;
            }
        }

        foreach (var bytes in _trailing)
        {
            output.AddRange(bytes);
        }

        return [.. output];
    }

    /// <summary>Prefixes a message with its two-byte length for TCP (RFC 1035 §4.2.2).</summary>
    public static byte[] FrameForTcp(byte[] message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var framed = new byte[message.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)message.Length);
        message.CopyTo(framed, 2);
        return framed;
    }

    /// <summary>
    /// The uncompressed wire form of a presentation-format name (see <see cref="WireName.FromPresentation"/>).
    /// No length validation, so tests can forge over-long labels and names.
    /// </summary>
    public static byte[] EncodeName(string name) => WireName.FromPresentation(name).ToWire();

    /// <summary>Splits a presentation-format name into raw labels.</summary>
    public static List<byte[]> SplitLabels(string name) => [.. WireName.FromPresentation(name).Labels];

    private DnsMessageBuilder AddAddress(RecordSection section, string name, string address, AddressFamily family, ushort type, uint ttl)
    {
        var ip = IPAddress.Parse(address);
        if (ip.AddressFamily != family)
        {
            throw new ArgumentException($"'{address}' is not an {family} address.", nameof(address));
        }

        return Add(section, name, type, 1, ttl, [new RawPart(ip.GetAddressBytes())]);
    }

    private DnsMessageBuilder Add(
        RecordSection section, string name, ushort type, ushort @class, uint ttl, List<Part> rdata, ushort? rdLengthOverride = null)
    {
        _sections[(int)section].Add(new Record(ToNamePart(name), type, @class, ttl, rdata, rdLengthOverride, IsVerbatim: false));
        return this;
    }

    private static NamePart ToNamePart(string name) => new(WireName.FromPresentation(name));

    private void WritePart(List<byte> output, Part part, Dictionary<string, int> offsets)
    {
        if (part is RawPart raw)
        {
            output.AddRange(raw.Bytes);
            return;
        }

        var labels = ((NamePart)part).Name.Labels;
        for (var i = 0; i < labels.Count; i++)
        {
            // The suffix from label i on, as hexadecimal labels: byte-exact, or with ASCII case folded.
            var key = string.Join('.', labels.Skip(i).Select(l => Convert.ToHexString(CompressionMatchesCase ? l : AsciiLower(l))));
            if (CompressNames && offsets.TryGetValue(key, out var target))
            {
                output.AddRange(U16((ushort)(0xC000 | target)));
                return;
            }

            // Pointers hold 14 bits of offset (RFC 1035 §4.1.4).
            if (CompressNames && output.Count < 0x4000)
            {
                offsets.TryAdd(key, output.Count);
            }

            output.Add((byte)labels[i].Length);
            output.AddRange(labels[i]);
        }

        output.Add(0);
    }

    private static byte[] AsciiLower(byte[] label) => [.. label.Select(b => b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b + 32) : b)];

    private static byte[] U16(ushort value) => [(byte)(value >> 8), (byte)value];

    private static byte[] U32(uint value) => [(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value];

    private abstract record Part;

    private sealed record RawPart(byte[] Bytes) : Part;

    private sealed record NamePart(WireName Name) : Part;

    private sealed record Question(Part Name, ushort Type, ushort Class);

    private sealed record Record(Part Name, ushort Type, ushort Class, uint Ttl, List<Part> Rdata, ushort? RdLengthOverride, bool IsVerbatim);
}
