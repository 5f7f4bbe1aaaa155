using System.Net;
using System.Security.Cryptography.X509Certificates;
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
    /// <remarks>These are asked over UDP (TCP for truncated replies, or always with <see cref="UseTcpOnly"/>). To choose a transport per server, use <see cref="NameServerEntries"/> instead; setting both is an error.</remarks>
    public IList<IPEndPoint> NameServers { get; set; } = new List<IPEndPoint>();

    /// <summary>
    /// The name servers to ask, in order, each in the text form
    /// <c>[udp|tcp|tls://]address[:port|@port][#auth-name][?pin=sha256/BASE64]</c>:
    /// <c>192.0.2.53</c> (UDP, TCP through a pooled connection for truncated replies; port 53),
    /// <c>tcp://192.0.2.53</c> (pipelined TCP only, RFC 7766; port 53),
    /// <c>tls://192.0.2.53#dns.example</c> (DNS over TLS, RFC 7858; port 853; the server must present
    /// a certificate for <c>dns.example</c> or a key matching a <c>pin</c>: RFC 8310 strict profile,
    /// never a fallback to plaintext). Empty (the default) means <see cref="NameServers"/>, or the system's configuration when both are empty.
    /// </summary>
    /// <remarks>Entries are parsed when the client is created; a malformed entry throws <see cref="FormatException"/> naming the part that is wrong. Setting both this and <see cref="NameServers"/> is an error.</remarks>
    public IList<string> NameServerEntries { get; set; } = new List<string>();

    /// <summary>
    /// The most connections kept open to one TCP or TLS server; queries spread over them, and another
    /// is opened only when every open one is busy (RFC 7766 §6.2.2 asks for few). Default 4; at least 1.
    /// </summary>
    public int MaxConnectionsPerServer { get; set; } = 4;

    /// <summary>
    /// The most queries in flight at once on one TCP or TLS connection (RFC 7766 §6.2.1.1 pipelining);
    /// further queries wait for a free slot. Default 64; 1 to 8,192.
    /// </summary>
    public int MaxQueriesPerConnection { get; set; } = 64;

    /// <summary>
    /// How long a TCP or TLS connection with nothing in flight stays open (RFC 7766 §6.2.3); a server's
    /// edns-tcp-keepalive (RFC 7828) may shorten it. Default 10 s; zero or more, or <see cref="Timeout.InfiniteTimeSpan"/>.
    /// </summary>
    public TimeSpan IdleConnectionTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Certificates of the roots DNS over TLS servers authenticated by name must chain to, instead of
    /// the machine's trust store (a private CA). <see langword="null"/> or empty (the default): the
    /// machine's store. Servers authenticated by an SPKI pin need no root.
    /// </summary>
    public X509Certificate2Collection? TlsTrustedRoots { get; set; }

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
    /// <c>/etc/resolv.conf</c>, which also turns it on): every UDP entry is asked as a <c>tcp://</c> one,
    /// over persistent pipelined connections. Default: <see langword="false"/>: UDP, and TCP only when
    /// a reply is truncated.
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
    /// unless the operator knows the path is secure and lists it in <see cref="TrustedAuthenticatedDataServers"/>,
    /// or reaches it over DNS over TLS authenticated by name or key (a <c>tls://</c> entry of
    /// <see cref="NameServerEntries"/>): then nobody on the path can set the bit.
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
