using System.Collections.Immutable;
using System.Net;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using MxResolver.Dns;

namespace MxResolver.Lookup;

/// <summary>
/// Reduces a final response (NOERROR or NXDOMAIN) to a <see cref="DnsAnswer"/>: follows the
/// CNAME chain from the question name through the answer section (RFC 1034 §3.6.2), collects the
/// records of the asked type at its end, and takes the negative TTL from the SOA in the authority
/// section (RFC 2308 §5). Works from the records a <see cref="DnsReplyScan"/> kept in the one walk
/// that validated the message, on the span in place; allocates only the result.
/// </summary>
internal static class DnsAnswerReader
{
    /// <summary>The most CNAME hops followed for one question (R4).</summary>
    public const int MaxAliasHops = 8;

    /// <summary>Records kept on the stack before a scan rents an array.</summary>
    private const int StackRecords = 16;

    /// <summary>Builds the answer to (<paramref name="name"/>, <paramref name="type"/>) from <paramref name="message"/>, validating all of it.</summary>
    /// <exception cref="DnsFormatException">The message is malformed.</exception>
    public static DnsAnswer Read(ReadOnlySpan<byte> message, string name, DnsRecordType type)
    {
        var scan = new DnsReplyScan(stackalloc DnsRecordView[StackRecords]);
        try
        {
            var reader = new DnsMessageReader(message);
            scan.ReadToEnd(reader, type);
            return Read(message, scan, name, type, out _);
        }
        finally
        {
            scan.Dispose();
        }
    }

    /// <summary>
    /// Builds the answer to (<paramref name="name"/>, <paramref name="type"/>) from the records
    /// <paramref name="scan"/> kept while it validated <paramref name="message"/>: no walk of the message.
    /// </summary>
    /// <param name="message">The whole message the scan read.</param>
    /// <param name="scan">A scan of the whole message for <paramref name="type"/>.</param>
    /// <param name="name">The name asked.</param>
    /// <param name="type">The type asked; the scan's.</param>
    /// <param name="aliasTimeToLive">The smallest TTL of the CNAMEs followed (RFC 2181 §5.2), or <see cref="uint.MaxValue"/> when none.</param>
    /// <exception cref="DnsFormatException">A record used is malformed.</exception>
    public static DnsAnswer Read(ReadOnlySpan<byte> message, in DnsReplyScan scan, string name, DnsRecordType type, out uint aliasTimeToLive)
    {
        if (scan.Type != type)
        {
            throw new ArgumentException($"The scan kept {scan.Type} records, not {type}.", nameof(scan));
        }

        ReadOnlySpan<DnsRecordView> records = scan.Records;
        uint ttl = uint.MaxValue;
        ImmutableArray<string>.Builder? aliases = null;
        int canonicalOffset = -1; // -1: the question name itself
        string canonicalName = name;

        for (int hop = 0; ; hop++)
        {
            if (!TryFindCname(message, records, canonicalOffset, name, out DnsRecordView cname))
            {
                break;
            }

            if (hop == MaxAliasHops)
            {
                aliasTimeToLive = ttl;
                return new DnsAnswer(name, type, DnsAnswerKind.AliasLoop)
                {
                    IsSecure = scan.IsSecure,
                    ErrorMessage = $"The CNAME chain from {name} is longer than {MaxAliasHops} hops or loops.",
                };
            }

            aliases ??= ImmutableArray.CreateBuilder<string>();
            aliases.Add(canonicalOffset < 0 ? name : canonicalName);
            ttl = Math.Min(ttl, cname.TimeToLive);
            canonicalOffset = DnsRecordData.ReadCname(message, cname);
            canonicalName = DnsName.Read(message, canonicalOffset).ToLowerInvariant();
        }

        aliasTimeToLive = ttl;
        ImmutableArray<string> aliasList = aliases?.ToImmutable() ?? ImmutableArray<string>.Empty;
        if (scan.ResponseCode == DnsResponseCode.NameError)
        {
            return Negative(message, scan, name, type, DnsAnswerKind.NxDomain, canonicalName, aliasList);
        }

        // One answer object per reply: the arrays below are new and never seen elsewhere, so they
        // become the results without a copy.
        if (scan.TypeCount > 0)
        {
            var owners = new OwnerMatch(canonicalOffset, name);
            if (type == DnsRecordType.MX)
            {
                MxAnswer[] mx = ReadMx(message, records, scan.TypeCount, ref owners, ref ttl);
                if (mx.Length > 0)
                {
                    return Success(name, type, canonicalName, aliasList, scan.IsSecure, ttl, mx: mx);
                }
            }
            else if (type is DnsRecordType.A or DnsRecordType.AAAA)
            {
                IPAddress[] addresses = ReadAddresses(message, records, type, scan.TypeCount, ref owners, ref ttl);
                if (addresses.Length > 0)
                {
                    return Success(name, type, canonicalName, aliasList, scan.IsSecure, ttl, addresses: addresses);
                }
            }
            else
            {
                byte[][] data = ReadRecordData(message, records, type, scan.TypeCount, ref owners, ref ttl);
                if (data.Length > 0)
                {
                    return Success(name, type, canonicalName, aliasList, scan.IsSecure, ttl, data: data);
                }
            }
        }

        return Negative(message, scan, name, type, DnsAnswerKind.NoData, canonicalName, aliasList);
    }

    /// <summary>
    /// The MX records owned by <paramref name="name"/> in the answer section, with exchanges
    /// decoded, validating the whole message. Allocates only the array and the exchange strings.
    /// </summary>
    /// <exception cref="DnsFormatException">The message is malformed.</exception>
    public static MxAnswer[] ReadMx(ReadOnlySpan<byte> message, string name)
    {
        var scan = new DnsReplyScan(stackalloc DnsRecordView[StackRecords]);
        try
        {
            var reader = new DnsMessageReader(message);
            scan.ReadToEnd(reader, DnsRecordType.MX);
            if (scan.TypeCount == 0)
            {
                return [];
            }

            uint ttl = uint.MaxValue;
            var owners = new OwnerMatch(-1, name);
            return ReadMx(message, scan.Records, scan.TypeCount, ref owners, ref ttl);
        }
        finally
        {
            scan.Dispose();
        }
    }

    // Kept out of its callers so that its own inlining budget goes to the record loop.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static MxAnswer[] ReadMx(ReadOnlySpan<byte> message, ReadOnlySpan<DnsRecordView> records, int mxCount, ref OwnerMatch owners, ref uint ttl)
    {
        // Sized to the MX records kept: exact unless some belong to another owner.
        var result = new MxAnswer[mxCount];
        int count = 0;

        // Exchanges are usually compressed against the first one ("alt1" + a pointer to
        // "gmail-smtp-in.l.google.com."): a memo of the last fresh name lets them copy its text.
        DnsName.NameMemo memo = default;
        foreach (ref readonly DnsRecordView record in records)
        {
            if (record.Type != DnsRecordType.MX || !owners.Matches(message, record))
            {
                continue;
            }

            string exchange = DnsRecordData.ReadMxExchange(message, record.DataOffset, record.DataLength, out ushort preference, ref memo);
            result[count++] = new MxAnswer(preference, exchange);
            ttl = Math.Min(ttl, record.TimeToLive);
        }

        return count == result.Length ? result : result[..count];
    }

    private static IPAddress[] ReadAddresses(ReadOnlySpan<byte> message, ReadOnlySpan<DnsRecordView> records, DnsRecordType type, int addressCount, ref OwnerMatch owners, ref uint ttl)
    {
        var result = new IPAddress[addressCount];
        int count = 0;
        foreach (ref readonly DnsRecordView record in records)
        {
            if (record.Type == type && owners.Matches(message, record))
            {
                result[count++] = DnsRecordData.ReadAddress(message, record);
                ttl = Math.Min(ttl, record.TimeToLive);
            }
        }

        return count == result.Length ? result : result[..count];
    }

    /// <summary>The RDATA of the other types, copied, each checked as <see cref="DnsResponse"/> checks its type.</summary>
    private static byte[][] ReadRecordData(ReadOnlySpan<byte> message, ReadOnlySpan<DnsRecordView> records, DnsRecordType type, int typeCount, ref OwnerMatch owners, ref uint ttl)
    {
        var result = new byte[typeCount][];
        int count = 0;
        foreach (ref readonly DnsRecordView record in records)
        {
            if (record.Type == type && owners.Matches(message, record))
            {
                DnsRecordData.Check(message, record);
                result[count++] = message.Slice(record.DataOffset, record.DataLength).ToArray();
                ttl = Math.Min(ttl, record.TimeToLive);
            }
        }

        return count == result.Length ? result : result[..count];
    }

    /// <summary>A positive answer with the records of one kind (the arrays become the answer's own).</summary>
    private static DnsAnswer Success(string name, DnsRecordType type, string canonicalName, ImmutableArray<string> aliases, bool secure, uint ttl, MxAnswer[]? mx = null, IPAddress[]? addresses = null, byte[][]? data = null)
        => new(name, type, DnsAnswerKind.Success)
        {
            CanonicalName = canonicalName,
            Aliases = aliases,
            IsSecure = secure,
            TimeToLive = ttl,
            MxRecords = mx is null ? ImmutableArray<MxAnswer>.Empty : ImmutableCollectionsMarshal.AsImmutableArray(mx),
            Addresses = addresses is null ? ImmutableArray<IPAddress>.Empty : ImmutableCollectionsMarshal.AsImmutableArray(addresses),
            RecordData = data is null ? ImmutableArray<byte[]>.Empty : ImmutableCollectionsMarshal.AsImmutableArray(data),
        };

    /// <summary>A negative answer (NXDOMAIN or NODATA) with its TTL from the SOA, or none without one (RFC 2308 §5).</summary>
    private static DnsAnswer Negative(ReadOnlySpan<byte> message, in DnsReplyScan scan, string name, DnsRecordType type, DnsAnswerKind kind, string canonicalName, ImmutableArray<string> aliases)
    {
        uint ttl = 0;
        if (scan.HasSoa)
        {
            DnsRecordView soa = scan.Soa;
            DnsRecordData.SoaFields fields = DnsRecordData.ReadSoa(message, soa);
            ttl = Math.Min(soa.TimeToLive, fields.Minimum);
        }

        return new DnsAnswer(name, type, kind)
        {
            CanonicalName = canonicalName,
            Aliases = aliases,
            IsSecure = scan.IsSecure,
            HasSoa = scan.HasSoa,
            TimeToLive = ttl,
        };
    }

    /// <summary>The first CNAME kept whose owner is the name at <paramref name="ownerOffset"/> (or <paramref name="name"/> when -1).</summary>
    private static bool TryFindCname(ReadOnlySpan<byte> message, ReadOnlySpan<DnsRecordView> records, int ownerOffset, string name, out DnsRecordView cname)
    {
        var owners = new OwnerMatch(ownerOffset, name);
        foreach (ref readonly DnsRecordView record in records)
        {
            if (record.Type == DnsRecordType.CNAME && owners.Matches(message, record))
            {
                cname = record;
                return true;
            }
        }

        cname = default;
        return false;
    }

    /// <summary>
    /// Whether records are owned by the name sought, remembering the last owner compared: owners
    /// in an answer are nearly always pointers to the same labels, so each distinct owner is
    /// compared once. The records come from a scan: class IN already.
    /// </summary>
    private struct OwnerMatch
    {
        private readonly int _ownerOffset;
        private readonly string _name;
        private int _lastOwnerStart;
        private bool _lastOwnerMatches;

        public OwnerMatch(int ownerOffset, string name)
        {
            _ownerOffset = ownerOffset;
            _name = name;
            _lastOwnerStart = -1;
            _lastOwnerMatches = false;
        }

        public bool Matches(ReadOnlySpan<byte> message, in DnsRecordView record)
        {
            int ownerStart = DnsName.FirstLabelOffset(message, record.NameOffset);
            if (ownerStart != _lastOwnerStart)
            {
                _lastOwnerStart = ownerStart;
                _lastOwnerMatches = _ownerOffset < 0
                    ? DnsName.EqualsText(message, ownerStart, _name)
                    : DnsName.EqualsWire(message, ownerStart, _ownerOffset);
            }

            return _lastOwnerMatches;
        }
    }
}
