namespace MxResolver;

/// <summary>
/// Settings of <see cref="MailExchangeResolver"/>. A plain mutable class so that it binds from
/// configuration; the resolver copies and validates it when constructed.
/// </summary>
/// <remarks>
/// <para>
/// Each setting has one set of bounds, the same with and without dependency injection: a value
/// outside them is rejected (never clamped) with a message naming its configuration key, e.g.
/// <c>MxResolver:QueryAttempts '11' must be between 1 and 10.</c>; the constructors throw an
/// <see cref="ArgumentException"/> with that message, the container an
/// <see cref="Microsoft.Extensions.Options.OptionsValidationException"/> when the host starts.
/// </para>
/// <para>
/// With dependency injection the options bind from the configuration section <c>MxResolver</c>
/// (see <see cref="MxResolverServiceCollectionExtensions"/>) and are validated when the host starts.
/// Rule numbers (R10, R14, R17, ...) refer to the behaviour rules in <c>docs/behaviour.md</c> of
/// the repository.
/// </para>
/// </remarks>
public sealed class MxResolverOptions
{
    /// <summary>
    /// The recursive name servers to ask, in order: <c>192.0.2.53</c>, <c>192.0.2.53:5353</c>,
    /// <c>2001:db8::53</c> or <c>[2001:db8::53]:5353</c> (UDP, port 53 when omitted; TCP on a pooled
    /// connection for truncated replies), <c>tcp://192.0.2.53</c> (pipelined TCP only), or
    /// <c>tls://192.0.2.53#dns.example</c> / <c>tls://192.0.2.53?pin=sha256/BASE64</c> (DNS over TLS,
    /// port 853, the server authenticated by name or key pin; never a plaintext fallback). See
    /// <see cref="DnsStubClientOptions.NameServerEntries"/>. Default: empty, meaning the servers the system is configured with.
    /// </summary>
    public IList<string> NameServers { get; set; } = new List<string>();

    /// <summary>
    /// How long to wait for one reply from one server. <see langword="null"/> (the default) means
    /// the <c>timeout:</c> option of <c>/etc/resolv.conf</c> when <see cref="NameServers"/> is empty
    /// and the system sets one, otherwise 2 seconds.
    /// </summary>
    public TimeSpan? QueryTimeout { get; set; }

    /// <summary>
    /// How many rounds over the servers one query makes. <see langword="null"/> (the default) means
    /// the <c>attempts:</c> option of <c>/etc/resolv.conf</c> when <see cref="NameServers"/> is empty
    /// and the system sets one, otherwise 2. Each query is also bounded by 10 seconds overall.
    /// When set, 1 to 10.
    /// </summary>
    public int? QueryAttempts { get; set; }

    /// <summary>Whether to query over TCP only, never UDP. Default: <see langword="false"/> (UDP, TCP when truncated).</summary>
    public bool UseTcpOnly { get; set; }

    /// <summary>
    /// Whether the AD bit of replies from loopback name servers (127.0.0.0/8, ::1) is believed, making
    /// answers DNSSEC-secure (<see cref="MxResolution.IsMxSecure"/>, <see cref="MxTarget.IsSecure"/>) and so
    /// DANE possible. Default: <see langword="true"/>. AD crosses the network unprotected: it is only as
    /// good as the path to the validating resolver (RFC 6840 §5.7, RFC 7672 §8), and a resolver on
    /// the same host is the path that needs no further protection.
    /// </summary>
    public bool TrustLoopbackAuthenticatedData { get; set; } = true;

    /// <summary>
    /// IP addresses of further name servers whose AD bit is believed (see
    /// <see cref="TrustLoopbackAuthenticatedData"/>): only validating resolvers reached over a path
    /// no one can tamper with. Default: empty. Each entry must be an IP address.
    /// </summary>
    public IList<string> TrustedAuthenticatedDataServers { get; set; } = new List<string>();

    /// <summary>
    /// The deadline of one <see cref="IMxResolver.ResolveAsync"/> call, all lookups included; when it
    /// passes the result is <see cref="MxResolutionStatus.TemporaryFailure"/>.
    /// <see cref="Timeout.InfiniteTimeSpan"/> disables it. Default: 30 seconds.
    /// </summary>
    public TimeSpan ResolutionTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The order of address families within a target (R17). Default:
    /// <see cref="AddressFamilyPreference.Both"/> (interleaved, IPv6 first, RFC 8305 §4).
    /// </summary>
    public AddressFamilyPreference AddressFamily { get; set; } = AddressFamilyPreference.Both;

    /// <summary>
    /// The address categories never returned as targets' addresses (R18), checked after unwrapping
    /// IPv4-mapped and NAT64 addresses; dropped addresses are reported in
    /// <see cref="MxResolution.DroppedAddresses"/>. Default: <see cref="AddressCategories.Default"/>
    /// (unspecified, broadcast, multicast, loopback, link-local; private ranges are allowed).
    /// Binds from configuration as a comma-separated list, e.g. <c>"Unspecified, Multicast"</c>.
    /// </summary>
    public AddressCategories BlockedAddresses { get; set; } = AddressCategories.Default;

    /// <summary>
    /// Whether an MX exchange written as an IP address (<c>MX 10 192.0.2.55.</c>, not a valid host
    /// name) is used as a target with that address (R10). Default: <see langword="false"/>: such
    /// exchanges are dropped with a warning.
    /// </summary>
    public bool AllowIPLiteralExchanges { get; set; }

    /// <summary>
    /// The names of this host (R14): when one is among the exchanges, it and every exchange of the
    /// same or a worse preference are discarded (RFC 5321 §5.1). Unicode or ASCII, with or without
    /// trailing dot. Default: empty.
    /// </summary>
    public IList<string> LocalHostNames { get; set; } = new List<string>();

    /// <summary>
    /// The addresses of this host (R14), as text (<c>192.0.2.25</c>, <c>2001:db8::25</c>): a target
    /// with one of them is treated as this host. Default: empty.
    /// </summary>
    public IList<string> LocalAddresses { get; set; } = new List<string>();

    /// <summary>
    /// The most targets returned and whose addresses are looked up (R19); exchanges beyond it are
    /// reported as <see cref="ExchangeDropReason.LimitExceeded"/>. 1 to 1,000. Default: 10.
    /// </summary>
    public int MaxTargets { get; set; } = 10;

    /// <summary>The most addresses kept per target (R19), 1 to 1,000. Default: 4 (two per family when interleaved).</summary>
    public int MaxAddressesPerTarget { get; set; } = 4;

    /// <summary>
    /// The most addresses kept over all targets (R19), filled in attempt order. RFC 5321 §5.1 asks
    /// senders to try at least two addresses; Postfix stops at 5 (<c>smtp_mx_address_limit</c>).
    /// 1 to 10,000. Default: 10, enough for a few dual-stack exchanges.
    /// </summary>
    public int MaxAddresses { get; set; } = 10;

    /// <summary>
    /// The DNS answer and resolution cache of the resolver (configuration section
    /// <c>MxResolver:Cache</c>): on by default, 10,000 answers, TTLs clamped to at most one day (one
    /// hour for negative answers), failures kept 5 seconds, no stale answers. See
    /// <see cref="MxCacheOptions"/>. The resolver that
    /// <see cref="MxResolverServiceCollectionExtensions.AddMxResolver(Microsoft.Extensions.DependencyInjection.IServiceCollection)"/>
    /// registers (configuration section <c>MxResolver:Cache</c>): on by default, 10,000 answers,
    /// TTLs clamped to at most one day (one hour for negative answers), failures kept 5 seconds, no
    /// stale answers. See <see cref="MxCacheOptions"/>. A resolver created with the public
    /// <see cref="MailExchangeResolver"/> constructors has a cache of its own, with these same
    /// settings (turn it off with <see cref="MxCacheOptions.Enabled"/>).
    /// </summary>
    public MxCacheOptions Cache { get; set; } = new();

    /// <summary>Settings of the connection failover of <see cref="MxConnector"/> (R20–R23). Default: the defaults of <see cref="MxFailoverOptions"/>.</summary>
    public MxFailoverOptions Failover { get; set; } = new();

    /// <summary>
    /// What <see cref="IMxSecurityResolver"/> looks up beside the resolution: DANE, MTA-STS and
    /// TLS-RPT, all on by default (configuration section <c>MxResolver:Security</c>).
    /// </summary>
    public MxSecurityOptions Security { get; set; } = new();
}
