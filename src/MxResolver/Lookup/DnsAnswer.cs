using System.Collections.Immutable;
using System.Net;
using MxResolver.Dns;

namespace MxResolver.Lookup;

/// <summary>What kind of answer a question got.</summary>
internal enum DnsAnswerKind
{
    /// <summary>Records of the type asked exist at the (canonical) name.</summary>
    Success,

    /// <summary>The name exists but has no records of the type (NOERROR, empty answer; RFC 2308 §2.2).</summary>
    NoData,

    /// <summary>The name does not exist (NXDOMAIN; RFC 2308 §2.1).</summary>
    NxDomain,

    /// <summary>No final answer: SERVFAIL, REFUSED, timeout, network error or malformed replies.</summary>
    Failure,

    /// <summary>The CNAME chain loops or is longer than <see cref="DnsAnswerReader.MaxAliasHops"/> (R4).</summary>
    AliasLoop,
}

/// <summary>An MX record reduced to what target selection needs.</summary>
internal readonly record struct MxAnswer(ushort Preference, string Exchange);

/// <summary>
/// The answer to one question, after following CNAMEs. Immutable; the cache stores it and hands
/// out copies whose <see cref="TimeToLive"/> counts down.
/// </summary>
internal sealed record DnsAnswer
{
    public DnsAnswer(string name, DnsRecordType type, DnsAnswerKind kind)
    {
        Name = name;
        Type = type;
        Kind = kind;
        CanonicalName = name;
    }

    /// <summary>The name asked, absolute and lower case.</summary>
    public string Name { get; }

    /// <summary>The type asked.</summary>
    public DnsRecordType Type { get; }

    public DnsAnswerKind Kind { get; init; }

    /// <summary>Where the CNAME chain ended; equal to <see cref="Name"/> when there was no alias.</summary>
    public string CanonicalName { get; init; }

    /// <summary>The aliases followed, in order (the owners of the CNAME records); empty when none.</summary>
    public ImmutableArray<string> Aliases { get; init; } = ImmutableArray<string>.Empty;

    /// <summary>The MX records at <see cref="CanonicalName"/> (type MX, kind Success).</summary>
    public ImmutableArray<MxAnswer> MxRecords { get; init; } = ImmutableArray<MxAnswer>.Empty;

    /// <summary>The addresses at <see cref="CanonicalName"/> (type A or AAAA, kind Success).</summary>
    public ImmutableArray<IPAddress> Addresses { get; init; } = ImmutableArray<IPAddress>.Empty;

    /// <summary>
    /// The RDATA of the records of <see cref="Type"/> at <see cref="CanonicalName"/>, as received,
    /// for types other than MX, A and AAAA (TXT and TLSA above all; kind Success). Each array is the
    /// answer's own: never written.
    /// </summary>
    public ImmutableArray<byte[]> RecordData { get; init; } = ImmutableArray<byte[]>.Empty;

    /// <summary>
    /// Whether the answer is DNSSEC-secure: every reply it was built from had AD set by a name
    /// server trusted to set it (RFC 4035 §3.2.3, RFC 6840 §5.7). A CNAME chain followed over
    /// several replies is secure only if every one of them was. Failures are never secure; a bogus
    /// answer reaches the stub as SERVFAIL and stays a failure.
    /// </summary>
    public bool IsSecure { get; init; }

    /// <summary>
    /// Seconds the answer may be reused: for records, the smallest TTL among them and the CNAMEs
    /// followed (RFC 2181 §5.2); for negative answers, min(SOA TTL, SOA MINIMUM) (RFC 2308 §5);
    /// 0 for failures and for negative answers without SOA.
    /// </summary>
    public uint TimeToLive { get; init; }

    /// <summary>Whether a negative answer carried an SOA record (and so a negative TTL; R25).</summary>
    public bool HasSoa { get; init; }

    /// <summary>The failure category when <see cref="Kind"/> is <see cref="DnsAnswerKind.Failure"/>.</summary>
    public DnsQueryError? Error { get; init; }

    /// <summary>A human-readable description of a failure or alias loop.</summary>
    public string? ErrorMessage { get; init; }

    /// <summary>Whether the answer was served from cache past its expiry (RFC 8767; R28).</summary>
    public bool IsStale { get; init; }

    /// <summary>A failure answer for the question.</summary>
    public static DnsAnswer Failed(string name, DnsRecordType type, DnsQueryError error, string message)
        => new(name, type, DnsAnswerKind.Failure) { Error = error, ErrorMessage = message };
}
