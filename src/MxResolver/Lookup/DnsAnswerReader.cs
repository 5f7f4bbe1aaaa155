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
/// section (RFC 2308 §5). Works on the span in place; allocates only the result.
/// </summary>
internal static class DnsAnswerReader
{
    /// <summary>The most CNAME hops followed for one question (R4).</summary>
    public const int MaxAliasHops = 8;

    /// <summary>Builds the answer to (<paramref name="name"/>, <paramref name="type"/>) from <paramref name="message"/>.</summary>
    /// <exception cref="DnsFormatException">The message is malformed.</exception>
    public static DnsAnswer Read(ReadOnlySpan<byte> message, string name, DnsRecordType type)
    {
        var reader = new DnsMessageReader(message);
        reader.ReadToEnd(); // validates every record and settles the extended RCODE
        DnsResponseCode rcode = reader.ResponseCode;

        uint ttl = uint.MaxValue;
        ImmutableArray<string>.Builder? aliases = null;
        int canonicalOffset = -1; // -1: the question name itself
        string canonicalName = name;

        for (int hop = 0; ; hop++)
        {
            if (!TryFindCname(message, canonicalOffset, name, out DnsRecordView cname))
            {
                break;
            }

            if (hop == MaxAliasHops)
            {
                return new DnsAnswer(name, type, DnsAnswerKind.AliasLoop)
                {
                    ErrorMessage = $"The CNAME chain from {name} is longer than {MaxAliasHops} hops or loops.",
                };
            }

            aliases ??= ImmutableArray.CreateBuilder<string>();
            aliases.Add(canonicalOffset < 0 ? name : canonicalName);
            ttl = Math.Min(ttl, cname.TimeToLive);
            canonicalOffset = DnsRecordData.ReadCname(message, cname);
            canonicalName = DnsName.Read(message, canonicalOffset).ToLowerInvariant();
        }

        var answer = new DnsAnswer(name, type, DnsAnswerKind.NoData)
        {
            CanonicalName = canonicalName,
            Aliases = aliases?.ToImmutable() ?? ImmutableArray<string>.Empty,
        };

        if (rcode == DnsResponseCode.NameError)
        {
            return WithNegativeTtl(message, answer with { Kind = DnsAnswerKind.NxDomain });
        }

        // The arrays below are new and never seen elsewhere, so they become the results without a copy.
        if (type == DnsRecordType.MX)
        {
            MxAnswer[] records = ReadMx(message, canonicalOffset, name, ref ttl);
            if (records.Length > 0)
            {
                return answer with { Kind = DnsAnswerKind.Success, MxRecords = ImmutableCollectionsMarshal.AsImmutableArray(records), TimeToLive = ttl };
            }
        }
        else if (type is DnsRecordType.A or DnsRecordType.AAAA)
        {
            IPAddress[] addresses = ReadAddresses(message, canonicalOffset, name, type, ref ttl);
            if (addresses.Length > 0)
            {
                return answer with { Kind = DnsAnswerKind.Success, Addresses = ImmutableCollectionsMarshal.AsImmutableArray(addresses), TimeToLive = ttl };
            }
        }

        return WithNegativeTtl(message, answer);
    }

    /// <summary>
    /// The MX records owned by <paramref name="name"/> in the answer section, with exchanges
    /// decoded. Allocates only the array and the exchange strings.
    /// </summary>
    /// <exception cref="DnsFormatException">The message is malformed.</exception>
    public static MxAnswer[] ReadMx(ReadOnlySpan<byte> message, string name)
    {
        uint ttl = uint.MaxValue;
        return ReadMx(message, -1, name, ref ttl);
    }

    // Kept out of its callers so that its own inlining budget goes to the record walk.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static MxAnswer[] ReadMx(ReadOnlySpan<byte> message, int ownerOffset, string name, ref uint ttl)
    {
        // One pass over the answer section decodes each matching record as it comes. The array is
        // sized at the first match to the answers left (no more than the bytes left could hold),
        // which is exact when the MX records end the section, as they do after any CNAMEs.
        MxAnswer[]? result = null;
        int count = 0;
        var owners = new OwnerMatch(ownerOffset, name);

        // Exchanges are usually compressed against the first one ("alt1" + a pointer to
        // "gmail-smtp-in.l.google.com."): a memo of the last fresh name lets them copy its text.
        DnsName.NameMemo memo = default;
        var reader = new DnsMessageReader(message);
        int answersLeft = reader.Header.AnswerCount;
        while (reader.TryReadRecord(out DnsRecordView record) && record.Section == DnsSection.Answer)
        {
            answersLeft--;
            if (record.Type != DnsRecordType.MX || !owners.Matches(message, record))
            {
                continue;
            }

            result ??= new MxAnswer[1 + Math.Min(answersLeft, (message.Length - record.End) / MinRecordLength)];
            string exchange = DnsRecordData.ReadMxExchange(message, record.DataOffset, record.DataLength, out ushort preference, ref memo);
            result[count++] = new MxAnswer(preference, exchange);
            ttl = Math.Min(ttl, record.TimeToLive);
        }

        if (result is null)
        {
            return [];
        }

        if (count != result.Length)
        {
            Array.Resize(ref result, count);
        }

        return result;
    }

    private static IPAddress[] ReadAddresses(ReadOnlySpan<byte> message, int ownerOffset, string name, DnsRecordType type, ref uint ttl)
    {
        int count = 0;
        var reader = new DnsMessageReader(message);
        while (reader.TryReadRecord(out DnsRecordView record) && record.Section == DnsSection.Answer)
        {
            if (record.Type == type && OwnedBy(message, record, ownerOffset, name))
            {
                count++;
            }
        }

        if (count == 0)
        {
            return [];
        }

        var result = new IPAddress[count];
        int index = 0;
        reader = new DnsMessageReader(message);
        while (index < count && reader.TryReadRecord(out DnsRecordView record))
        {
            if (record.Type == type && OwnedBy(message, record, ownerOffset, name))
            {
                result[index++] = DnsRecordData.ReadAddress(message, record);
                ttl = Math.Min(ttl, record.TimeToLive);
            }
        }

        return result;
    }

    private static DnsAnswer WithNegativeTtl(ReadOnlySpan<byte> message, DnsAnswer answer)
    {
        var reader = new DnsMessageReader(message);
        while (reader.TryReadRecord(out DnsRecordView record))
        {
            if (record.Section == DnsSection.Authority && record.Type == DnsRecordType.SOA)
            {
                DnsRecordData.SoaFields soa = DnsRecordData.ReadSoa(message, record);
                return answer with { HasSoa = true, TimeToLive = Math.Min(record.TimeToLive, soa.Minimum) };
            }
        }

        return answer with { HasSoa = false, TimeToLive = 0 };
    }

    private static bool TryFindCname(ReadOnlySpan<byte> message, int ownerOffset, string name, out DnsRecordView cname)
    {
        var reader = new DnsMessageReader(message);
        while (reader.TryReadRecord(out DnsRecordView record) && record.Section == DnsSection.Answer)
        {
            if (record.Type == DnsRecordType.CNAME && OwnedBy(message, record, ownerOffset, name))
            {
                cname = record;
                return true;
            }
        }

        cname = default;
        return false;
    }

    /// <summary>The fewest bytes a resource record takes: a root owner and the fixed fields.</summary>
    private const int MinRecordLength = 11;

    /// <summary>
    /// Whether records are owned by the name sought, remembering the last owner compared: owners
    /// in an answer are nearly always pointers to the same labels, so each distinct owner is
    /// compared once.
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
            if (record.Class != DnsRecordClass.IN)
            {
                return false;
            }

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

    private static bool OwnedBy(ReadOnlySpan<byte> message, in DnsRecordView record, int ownerOffset, string name)
        => record.Class == DnsRecordClass.IN
            && (ownerOffset < 0
                ? DnsName.EqualsText(message, record.NameOffset, name)
                : DnsName.EqualsWire(message, record.NameOffset, ownerOffset));
}
