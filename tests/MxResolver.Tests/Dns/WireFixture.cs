using System.Buffers.Binary;
using System.Text;

namespace MxResolver.Tests.Dns;

/// <summary>
/// A domain name as a list of raw labels, for the test-side encoder. Deliberately independent of
/// <c>DnsName</c>: the tests need an oracle that does not share the code under test.
/// </summary>
internal sealed class WireName
{
    public WireName(IReadOnlyList<byte[]> labels) => Labels = labels;

    public static WireName Root { get; } = new([]);

    public IReadOnlyList<byte[]> Labels { get; }

    /// <summary>Splits a plain dotted ASCII name (no escapes); "." and "" are the root.</summary>
    public static WireName Parse(string dotted)
    {
        string trimmed = dotted.TrimEnd('.');
        return trimmed.Length == 0
            ? Root
            : new WireName(trimmed.Split('.').Select(Encoding.ASCII.GetBytes).ToArray());
    }

    /// <summary>
    /// The presentation form RFC 1035 §5.1 prescribes: labels joined by dots, a trailing dot, the
    /// root as "."; '.' and '\' escaped with a backslash, other bytes outside 0x21..0x7E as \DDD.
    /// </summary>
    public string ToPresentation()
    {
        if (Labels.Count == 0)
        {
            return ".";
        }

        var text = new StringBuilder();
        foreach (byte[] label in Labels)
        {
            foreach (byte b in label)
            {
                if (b == '.' || b == '\\')
                {
                    text.Append('\\').Append((char)b);
                }
                else if (b < 0x21 || b > 0x7E)
                {
                    text.Append('\\').Append(b.ToString("D3", System.Globalization.CultureInfo.InvariantCulture));
                }
                else
                {
                    text.Append((char)b);
                }
            }

            text.Append('.');
        }

        return text.ToString();
    }

    /// <summary>The uncompressed wire length: every label with its length octet, plus the root octet.</summary>
    public int WireLength => Labels.Sum(l => l.Length + 1) + 1;

    public override string ToString() => ToPresentation();
}

/// <summary>RDATA for <see cref="WireRecord"/>: raw bytes, or a type whose names the encoder may compress.</summary>
internal abstract record WireData;

internal sealed record RawData(byte[] Bytes) : WireData;

internal sealed record MxData(ushort Preference, WireName Exchange) : WireData;

internal sealed record CnameData(WireName Target) : WireData;

internal sealed record SoaData(WireName PrimaryNameServer, WireName ResponsibleMailbox, uint Serial, uint Refresh, uint Retry, uint Expire, uint Minimum) : WireData;

internal sealed record WireQuestion(WireName Name, ushort Type, ushort Class = 1);

internal sealed record WireRecord(WireName Owner, ushort Type, ushort Class, uint Ttl, WireData Data)
{
    /// <summary>An EDNS OPT pseudo-record (RFC 6891 §6.1.2): root owner, CLASS = payload size, TTL = ext-RCODE, version, flags.</summary>
    public static WireRecord Opt(ushort payloadSize, byte extendedRcode = 0, byte version = 0, bool dnssecOk = false)
        => new(WireName.Root, 41, payloadSize, ((uint)extendedRcode << 24) | ((uint)version << 16) | (dnssecOk ? 0x8000u : 0u), new RawData([]));
}

/// <summary>
/// A small test-side DNS message encoder (RFC 1035 §4.1), independent of the codec under test:
/// header, questions, three record sections, and optional name compression (§4.1.4) that points
/// only to earlier, byte-identical suffixes (so decoded names keep their case).
/// </summary>
internal sealed class WireFixture
{
    public ushort Id { get; set; }

    /// <summary>The second header word: QR, OPCODE, AA, TC, RD, RA, Z, AD, CD, RCODE.</summary>
    public ushort Flags { get; set; } = 0x8180;

    public bool Compress { get; set; } = true;

    public List<WireQuestion> Questions { get; } = [];

    public List<WireRecord> Answers { get; } = [];

    public List<WireRecord> Authorities { get; } = [];

    public List<WireRecord> Additionals { get; } = [];

    public byte[] Build()
    {
        var output = new List<byte>(512);
        var suffixes = new Dictionary<string, int>(StringComparer.Ordinal);

        WriteUInt16(output, Id);
        WriteUInt16(output, Flags);
        WriteUInt16(output, (ushort)Questions.Count);
        WriteUInt16(output, (ushort)Answers.Count);
        WriteUInt16(output, (ushort)Authorities.Count);
        WriteUInt16(output, (ushort)Additionals.Count);

        foreach (WireQuestion question in Questions)
        {
            WriteName(output, suffixes, question.Name);
            WriteUInt16(output, question.Type);
            WriteUInt16(output, question.Class);
        }

        foreach (WireRecord record in Answers.Concat(Authorities).Concat(Additionals))
        {
            WriteName(output, suffixes, record.Owner);
            WriteUInt16(output, record.Type);
            WriteUInt16(output, record.Class);
            WriteUInt32(output, record.Ttl);
            int lengthAt = output.Count;
            WriteUInt16(output, 0);
            int start = output.Count;
            switch (record.Data)
            {
                case RawData raw:
                    output.AddRange(raw.Bytes);
                    break;
                case MxData mx:
                    WriteUInt16(output, mx.Preference);
                    WriteName(output, suffixes, mx.Exchange);
                    break;
                case CnameData cname:
                    WriteName(output, suffixes, cname.Target);
                    break;
                case SoaData soa:
                    WriteName(output, suffixes, soa.PrimaryNameServer);
                    WriteName(output, suffixes, soa.ResponsibleMailbox);
                    WriteUInt32(output, soa.Serial);
                    WriteUInt32(output, soa.Refresh);
                    WriteUInt32(output, soa.Retry);
                    WriteUInt32(output, soa.Expire);
                    WriteUInt32(output, soa.Minimum);
                    break;
            }

            int length = output.Count - start;
            output[lengthAt] = (byte)(length >> 8);
            output[lengthAt + 1] = (byte)length;
        }

        return [.. output];
    }

    private void WriteName(List<byte> output, Dictionary<string, int> suffixes, WireName name)
    {
        for (int i = 0; i < name.Labels.Count; i++)
        {
            string key = SuffixKey(name, i);
            if (Compress && suffixes.TryGetValue(key, out int target))
            {
                output.Add((byte)(0xC0 | (target >> 8)));
                output.Add((byte)target);
                return;
            }

            if (output.Count < 0x4000)
            {
                suffixes.TryAdd(key, output.Count);
            }

            output.Add((byte)name.Labels[i].Length);
            output.AddRange(name.Labels[i]);
        }

        output.Add(0);
    }

    private static string SuffixKey(WireName name, int from)
        => string.Join('.', name.Labels.Skip(from).Select(Convert.ToHexString));

    private static void WriteUInt16(List<byte> output, ushort value)
    {
        output.Add((byte)(value >> 8));
        output.Add((byte)value);
    }

    private static void WriteUInt32(List<byte> output, uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        foreach (byte b in bytes)
        {
            output.Add(b);
        }
    }
}
