namespace MxResolver.Dns;

/// <summary>A question of a message, by position: nothing is decoded or copied.</summary>
internal readonly struct DnsQuestionView
{
    public DnsQuestionView(int nameOffset, DnsRecordType type, DnsRecordClass recordClass)
    {
        NameOffset = nameOffset;
        Type = type;
        Class = recordClass;
    }

    public int NameOffset { get; }

    public DnsRecordType Type { get; }

    public DnsRecordClass Class { get; }
}

/// <summary>A resource record of a message, by position: nothing is decoded or copied.</summary>
internal readonly struct DnsRecordView
{
    public DnsRecordView(DnsSection section, int nameOffset, DnsRecordType type, DnsRecordClass recordClass, uint rawTimeToLive, int dataOffset, int dataLength)
    {
        Section = section;
        NameOffset = nameOffset;
        Type = type;
        Class = recordClass;
        RawTimeToLive = rawTimeToLive;
        DataOffset = dataOffset;
        DataLength = dataLength;
    }

    public DnsSection Section { get; }

    public int NameOffset { get; }

    public DnsRecordType Type { get; }

    /// <summary>The CLASS field; for OPT it holds the UDP payload size instead (RFC 6891 §6.1.2).</summary>
    public DnsRecordClass Class { get; }

    /// <summary>The TTL field as sent; for OPT it holds the extended RCODE, version and flags.</summary>
    public uint RawTimeToLive { get; }

    /// <summary>
    /// The TTL in seconds. RFC 2181 §8: a value with the most significant bit set is treated as zero.
    /// </summary>
    public uint TimeToLive => (RawTimeToLive & 0x8000_0000) != 0 ? 0 : RawTimeToLive;

    public int DataOffset { get; }

    public int DataLength { get; }

    public int End => DataOffset + DataLength;
}
