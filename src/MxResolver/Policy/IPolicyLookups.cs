using System.Net;

namespace MxResolver.Policy;

/// <summary>What a TXT lookup found.</summary>
internal enum TxtLookupKind
{
    /// <summary>One or more TXT records.</summary>
    Records,

    /// <summary>NXDOMAIN or NODATA.</summary>
    None,

    /// <summary>SERVFAIL, timeout or network error.</summary>
    Failed,
}

/// <summary>A TXT lookup's result: each record as its list of character-strings (RFC 1035 §3.3.14).</summary>
/// <param name="Kind">What came back.</param>
/// <param name="Records">The records, each a list of strings; empty unless <see cref="TxtLookupKind.Records"/>.</param>
/// <param name="Error">Why the lookup failed, for a log.</param>
/// <param name="TimeToLive">How long, in seconds, the answer stays valid (the negative TTL for none); zero when unknown or failed.</param>
internal readonly record struct TxtLookup(TxtLookupKind Kind, IReadOnlyList<IReadOnlyList<string>> Records, string? Error = null, uint TimeToLive = 0);

/// <summary>
/// The DNS questions the policy layer asks beyond resolution: TXT for MTA-STS and TLS-RPT, TLSA
/// for DANE, and the addresses of the MTA-STS policy host. Implemented over the library's own
/// lookup and cache, so a policy sees the same DNS as the resolution it applies to.
/// </summary>
internal interface IPolicyLookups
{
    /// <summary>The TXT records at <paramref name="name"/> (ASCII, without the trailing dot).</summary>
    ValueTask<TxtLookup> LookupTxtAsync(string name, CancellationToken cancellationToken);

    /// <summary>
    /// The TLSA records for <paramref name="host"/> and <paramref name="port"/>, following the CNAME
    /// rules of RFC 7672 §2.2.2: at <c>_port._tcp.</c> of the host's secure CNAME expansion first,
    /// then of the name as given.
    /// </summary>
    ValueTask<TlsaLookup> LookupTlsaAsync(string host, int port, CancellationToken cancellationToken);

    /// <summary>The addresses of <paramref name="host"/>, IPv6 and IPv4, for connecting to it.</summary>
    ValueTask<IReadOnlyList<IPAddress>> LookupAddressesAsync(string host, CancellationToken cancellationToken);
}
