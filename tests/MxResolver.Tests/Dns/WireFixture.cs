using System.Buffers.Binary;

namespace MxResolver.Tests.Dns;

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
/// A DNS message as plain data (header word, questions, three record sections) for FsCheck generators
/// and for assertions that compare a parse with what was written. Encoded by the one test-side
/// encoder, <see cref="DnsMessageBuilder"/>, with case-exact compression (§4.1.4: a pointer only to
/// an earlier, byte-identical suffix, so decoded names keep their case).
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
        var builder = new DnsMessageBuilder { Id = Id, Flags = Flags, CompressNames = Compress, CompressionMatchesCase = true };
        foreach (WireQuestion question in Questions)
        {
            builder.AddQuestion(question.Name, question.Type, question.Class);
        }

        Add(builder, RecordSection.Answer, Answers);
        Add(builder, RecordSection.Authority, Authorities);
        Add(builder, RecordSection.Additional, Additionals);
        return builder.Build();
    }

    private static void Add(DnsMessageBuilder builder, RecordSection section, List<WireRecord> records)
    {
        foreach (WireRecord record in records)
        {
            RdataPart[] rdata = record.Data switch
            {
                RawData raw => [raw.Bytes],
                MxData mx => [U16(mx.Preference), mx.Exchange],
                CnameData cname => [cname.Target],
                SoaData soa => [soa.PrimaryNameServer, soa.ResponsibleMailbox, U32(soa.Serial), U32(soa.Refresh), U32(soa.Retry), U32(soa.Expire), U32(soa.Minimum)],
                _ => throw new InvalidOperationException($"Unknown RDATA {record.Data}."),
            };
            builder.AddRecord(section, record.Owner, record.Type, record.Class, record.Ttl, rdata);
        }
    }

    private static byte[] U16(ushort value) => [(byte)(value >> 8), (byte)value];

    private static byte[] U32(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes;
    }
}
