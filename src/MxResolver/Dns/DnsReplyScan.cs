using System.Buffers;
using System.Runtime.CompilerServices;

namespace MxResolver.Dns;

/// <summary>
/// One walk over the records of a reply that validates them (everything <see cref="DnsMessageReader"/>
/// checks) and keeps, by position, the ones an answer to a question of one type is built from: the
/// answer section's class-IN records of that type and its CNAMEs (RFC 1034 §3.6.2), in order, and
/// the authority section's first SOA (RFC 2308 §5). Reading the answer then needs no second walk.
/// </summary>
/// <remarks>
/// Records are kept in the caller's buffer (usually on the stack); a reply with more relevant
/// records than it holds continues in arrays rented from <see cref="ArrayPool{T}.Shared"/>, which
/// <see cref="Dispose"/> gives back.
/// </remarks>
internal ref struct DnsReplyScan
{
    private Span<DnsRecordView> _records;
    private DnsRecordView[]? _rented;
    private int _count;

    /// <summary>Starts an empty scan keeping records in <paramref name="buffer"/> first.</summary>
    public DnsReplyScan(Span<DnsRecordView> buffer)
    {
        _records = buffer;
        _rented = null;
        _count = 0;
        Type = default;
        ResponseCode = default;
        Soa = default;
        HasSoa = false;
        TypeCount = 0;
        AuthenticData = false;
        FromTrustedServer = false;
    }

    /// <summary>The type whose records were kept.</summary>
    public DnsRecordType Type { get; private set; }

    /// <summary>The full response code, settled by the OPT record if any (RFC 6891 §6.1.3).</summary>
    public DnsResponseCode ResponseCode { get; private set; }

    /// <summary>The kept answer records: CNAMEs and records of <see cref="Type"/>, class IN, in message order.</summary>
    public readonly ReadOnlySpan<DnsRecordView> Records => _records[.._count];

    /// <summary>How many of <see cref="Records"/> are of <see cref="Type"/> (the rest are CNAMEs).</summary>
    public int TypeCount { get; private set; }

    /// <summary>Whether the reply had AD set (RFC 4035 §3.2.3): the server claims to have validated it.</summary>
    public bool AuthenticData { get; private set; }

    /// <summary>
    /// Whether the reply came from a name server whose AD bit is believed; set by the client that
    /// received it, which alone knows the path (RFC 6840 §5.7).
    /// </summary>
    public bool FromTrustedServer { get; set; }

    /// <summary>Whether the reply is DNSSEC-secure: AD set by a trusted server.</summary>
    public readonly bool IsSecure => AuthenticData && FromTrustedServer;

    /// <summary>Whether the authority section holds an SOA record.</summary>
    public bool HasSoa { get; private set; }

    /// <summary>The authority section's first SOA record, when <see cref="HasSoa"/>.</summary>
    public DnsRecordView Soa { get; private set; }

    /// <summary>
    /// Reads every record left in (a copy of) <paramref name="reader"/> (skipping questions not yet read),
    /// keeping those an answer of <paramref name="type"/> needs.
    /// </summary>
    /// <exception cref="DnsFormatException">A record is malformed.</exception>
    public void ReadToEnd(DnsMessageReader reader, DnsRecordType type)
    {
        Type = type;
        AuthenticData = reader.Header.AuthenticData;
        while (reader.TryReadRecord(out DnsRecordView record))
        {
            if (record.Section == DnsSection.Answer)
            {
                if (record.Class == DnsRecordClass.IN && (record.Type == type || record.Type == DnsRecordType.CNAME))
                {
                    Add(record);
                    if (record.Type == type)
                    {
                        TypeCount++;
                    }
                }
            }
            else if (record.Section == DnsSection.Authority && record.Type == DnsRecordType.SOA && !HasSoa)
            {
                Soa = record;
                HasSoa = true;
            }
        }

        ResponseCode = reader.ResponseCode;
    }

    /// <summary>Gives back the rented array, if any.</summary>
    public void Dispose()
    {
        if (_rented is not null)
        {
            ArrayPool<DnsRecordView>.Shared.Return(_rented);
            _rented = null;
        }

        _records = default;
        _count = 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Add(in DnsRecordView record)
    {
        if (_count == _records.Length)
        {
            Grow();
        }

        _records[_count++] = record;
    }

    private void Grow()
    {
        // Each record takes at least 11 bytes of a message of at most 65,535: the growth is bounded.
        DnsRecordView[] larger = ArrayPool<DnsRecordView>.Shared.Rent(Math.Max(16, _records.Length * 2));
        _records[.._count].CopyTo(larger);
        if (_rented is not null)
        {
            ArrayPool<DnsRecordView>.Shared.Return(_rented);
        }

        _rented = larger;
        _records = larger;
    }
}
