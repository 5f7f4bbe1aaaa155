using System.Buffers.Binary;

namespace MxResolver.Dns;

/// <summary>Writes DNS queries (RFC 1035 §4.1) with an optional EDNS(0) OPT record (RFC 6891 §6).</summary>
internal static class DnsQueryWriter
{
    /// <summary>The size of an OPT record with no options: root name, type, class, TTL, RDLENGTH.</summary>
    public const int OptRecordLength = 11;

    /// <summary>The largest query this writer produces: header, a 255-octet name, QTYPE, QCLASS, OPT.</summary>
    public const int MaxQueryLength = DnsHeader.Size + DnsName.MaxWireLength + 4 + OptRecordLength;

    /// <summary>Returns the number of bytes <see cref="Write"/> needs for this query.</summary>
    /// <exception cref="ArgumentException">The name is invalid.</exception>
    public static int GetLength(ReadOnlySpan<char> name, bool includeOpt)
        => DnsHeader.Size + DnsName.GetWireLength(name) + 4 + (includeOpt ? OptRecordLength : 0);

    /// <summary>Writes a query with one question and returns the number of bytes written.</summary>
    /// <param name="destination">Where the query is written.</param>
    /// <param name="id">The transaction ID; callers draw it from a cryptographic random source (RFC 5452 §4.3).</param>
    /// <param name="name">The name asked for, with or without its trailing dot; always treated as absolute.</param>
    /// <param name="type">The QTYPE.</param>
    /// <param name="recordClass">The QCLASS.</param>
    /// <param name="recursionDesired">Whether to set RD.</param>
    /// <param name="udpPayloadSize">The UDP payload size to advertise in an OPT record, or <see langword="null"/> for no OPT record.</param>
    /// <param name="dnssecOk">Whether to set the DO bit in the OPT record (RFC 3225).</param>
    /// <param name="authenticData">Whether to set AD, asking a validating resolver to report validation in AD (RFC 6840 §5.7).</param>
    /// <exception cref="ArgumentException">The name is invalid, or <paramref name="destination"/> is too small.</exception>
    public static int Write(
        Span<byte> destination,
        ushort id,
        ReadOnlySpan<char> name,
        DnsRecordType type,
        DnsRecordClass recordClass = DnsRecordClass.IN,
        bool recursionDesired = true,
        ushort? udpPayloadSize = 1232,
        bool dnssecOk = false,
        bool authenticData = false)
    {
        int length = GetLength(name, udpPayloadSize.HasValue);
        if (destination.Length < length)
        {
            throw new ArgumentException($"The destination holds {destination.Length} bytes; the query needs {length}.", nameof(destination));
        }

        ushort flags = DnsHeader.ComposeFlags(isResponse: false, opcode: 0, authoritative: false, truncated: false, recursionDesired, recursionAvailable: false, authenticData, checkingDisabled: false, responseCode: 0);
        BinaryPrimitives.WriteUInt16BigEndian(destination, id);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], flags);
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], 1);
        BinaryPrimitives.WriteUInt16BigEndian(destination[6..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(destination[8..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(destination[10..], udpPayloadSize.HasValue ? (ushort)1 : (ushort)0);

        int position = DnsHeader.Size;
        position += DnsName.Write(destination[position..], name);
        BinaryPrimitives.WriteUInt16BigEndian(destination[position..], (ushort)type);
        BinaryPrimitives.WriteUInt16BigEndian(destination[(position + 2)..], (ushort)recordClass);
        position += 4;

        if (udpPayloadSize is ushort payload)
        {
            // RFC 6891 §6.1.2: root owner, TYPE 41, CLASS = requestor's UDP payload size,
            // TTL = extended RCODE (0), version (0), DO bit and Z; no options.
            destination[position] = 0;
            BinaryPrimitives.WriteUInt16BigEndian(destination[(position + 1)..], (ushort)DnsRecordType.OPT);
            BinaryPrimitives.WriteUInt16BigEndian(destination[(position + 3)..], payload);
            BinaryPrimitives.WriteUInt32BigEndian(destination[(position + 5)..], dnssecOk ? 0x8000u : 0u);
            BinaryPrimitives.WriteUInt16BigEndian(destination[(position + 9)..], 0);
            position += OptRecordLength;
        }

        return position;
    }
}
