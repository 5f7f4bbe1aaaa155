using System.Net;
using Microsoft.Extensions.Logging;

namespace MxResolver;

/// <summary>Settings of a <see cref="DnsStubClient"/>: which name servers to ask, and how long and how often.</summary>
/// <remarks>
/// <para>
/// Every query tries the servers in order (or rotated), one exchange each, and repeats the round
/// <see cref="AttemptsPerServer"/> times. Each exchange may take up to <see cref="AttemptTimeout"/>,
/// so an unresponsive set of servers costs at most servers × attempts × timeout; a retry over TCP
/// after a truncated reply, or without EDNS after a server rejected it, gets its own timeout. The
/// whole query never takes longer than <see cref="QueryDeadline"/>, whatever the product.
/// </para>
/// <para>
/// With the defaults and one server that never answers, a query fails after 2 × 2 s = 4 s; with
/// three such servers after 10 s (the deadline; the product would be 12 s).
/// </para>
/// </remarks>
public sealed class DnsStubClientOptions
{
    /// <summary>The default time one exchange with one server may take: 2 seconds.</summary>
    public static readonly TimeSpan DefaultAttemptTimeout = TimeSpan.FromSeconds(2);

    /// <summary>The default number of rounds over the servers: 2.</summary>
    public const int DefaultAttemptsPerServer = 2;

    /// <summary>The default EDNS(0) UDP payload size advertised: 1232 bytes (DNS Flag Day 2020).</summary>
    public const int DefaultUdpPayloadSize = 1232;

    /// <summary>The default bound on one whole query: 10 seconds.</summary>
    public static readonly TimeSpan DefaultQueryDeadline = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The name servers to ask, in order (port 53 unless the endpoint says otherwise). Empty (the
    /// default) means the system's configuration: <c>/etc/resolv.conf</c> on Linux and other Unix
    /// systems, the DNS addresses of the active network interfaces elsewhere.
    /// </summary>
    public IList<IPEndPoint> NameServers { get; set; } = new List<IPEndPoint>();

    /// <summary>
    /// How long one exchange with one server may take, from sending the query to the final reply.
    /// <see langword="null"/> (the default) means the <c>timeout:</c> option of <c>/etc/resolv.conf</c>
    /// when the servers come from the system configuration and it sets one, otherwise
    /// <see cref="DefaultAttemptTimeout"/> (2 s). Must be positive.
    /// </summary>
    public TimeSpan? AttemptTimeout { get; set; }

    /// <summary>
    /// How many rounds over the servers a query makes. <see langword="null"/> (the default) means the
    /// <c>attempts:</c> option of <c>/etc/resolv.conf</c> when the servers come from the system
    /// configuration and it sets one, otherwise <see cref="DefaultAttemptsPerServer"/> (2). Must be at least 1.
    /// </summary>
    public int? AttemptsPerServer { get; set; }

    /// <summary>
    /// Whether successive queries start at successive servers, spreading the load (like the
    /// <c>rotate</c> option of <c>/etc/resolv.conf</c>, which also turns it on). Default: <see langword="false"/>,
    /// the first server is always asked first.
    /// </summary>
    public bool Rotate { get; set; }

    /// <summary>
    /// Whether to query over TCP only, never UDP (like the <c>use-vc</c> option of
    /// <c>/etc/resolv.conf</c>, which also turns it on). Default: <see langword="false"/>: UDP, and TCP
    /// only when a reply is truncated.
    /// </summary>
    public bool UseTcpOnly { get; set; }

    /// <summary>
    /// The UDP payload size advertised in the EDNS(0) OPT record (RFC 6891 §6.2.3) and the size of
    /// the receive buffer. Default 1232; values below 512 are treated as 512; at most 65,535.
    /// </summary>
    public int UdpPayloadSize { get; set; } = DefaultUdpPayloadSize;

    /// <summary>
    /// The most time one query may take in total, over every server, attempt and retry. Default
    /// 10 s; must be positive or <see cref="Timeout.InfiniteTimeSpan"/> (bounded by servers × attempts
    /// × timeout only).
    /// </summary>
    public TimeSpan QueryDeadline { get; set; } = DefaultQueryDeadline;

    /// <summary>
    /// Whether the AD bit (RFC 4035 §3.2.3) is believed in replies from loopback name servers
    /// (127.0.0.0/8, ::1). Default: <see langword="true"/>.
    /// </summary>
    /// <remarks>
    /// AD only says that the server claims to have validated the data; nothing protects the claim on
    /// its way, so it is worth only as much as the path to the validator (RFC 6840 §5.7, RFC 7672 §8).
    /// A validating resolver on the same host is such a path; a server across the network is not,
    /// unless the operator knows the path is secure and lists it in <see cref="TrustedAuthenticatedDataServers"/>.
    /// </remarks>
    public bool TrustLoopbackAuthenticatedData { get; set; } = true;

    /// <summary>
    /// Name server addresses whose AD bit is believed besides loopback ones (see
    /// <see cref="TrustLoopbackAuthenticatedData"/>): list only validating resolvers reached over a
    /// path no one can tamper with. Default: empty.
    /// </summary>
    public IList<IPAddress> TrustedAuthenticatedDataServers { get; set; } = new List<IPAddress>();

    /// <summary>The clock for timeouts, deadlines and round-trip times. Default: <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// Where failover between servers, discarded (possibly forged) replies and truncation
    /// fallbacks are logged (event IDs 1000–1099). Nothing is logged per successful query at
    /// Information level or above. Default: none.
    /// </summary>
    public ILogger? Logger { get; set; }
}
