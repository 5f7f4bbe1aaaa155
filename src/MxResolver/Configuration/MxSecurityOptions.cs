using System.Net.Http;

namespace MxResolver;

/// <summary>
/// Settings of <see cref="IMxSecurityResolver"/>: which transport-security policies are looked up
/// for a domain (DANE, MTA-STS, TLS-RPT) and how MTA-STS policies are fetched and kept. A plain
/// mutable class so that it binds from configuration (<c>MxResolver:Security</c> under
/// <see cref="MxResolverOptions.Security"/>); validated with the other options.
/// </summary>
public sealed class MxSecurityOptions
{
    /// <summary>
    /// Whether TLSA records are looked up for targets whose addresses are DNSSEC-secure (RFC 7672).
    /// DANE needs a validating resolver whose AD bit is trusted (<see cref="MxResolverOptions.TrustLoopbackAuthenticatedData"/>).
    /// Default: <see langword="true"/>.
    /// </summary>
    public bool Dane { get; set; } = true;

    /// <summary>Whether the domain's MTA-STS policy is discovered, fetched and applied (RFC 8461). Default: <see langword="true"/>.</summary>
    public bool MtaSts { get; set; } = true;

    /// <summary>Whether the domain's TLS-RPT record is looked up (RFC 8460). Default: <see langword="true"/>.</summary>
    public bool TlsRpt { get; set; } = true;

    /// <summary>The SMTP port TLSA records are looked up for (<c>_25._tcp</c>): the port the connector uses. 1 to 65,535. Default: 25.</summary>
    public int SmtpPort { get; set; } = 25;

    /// <summary>The most one MTA-STS policy fetch may take, connection and body included. Positive, under 24 days. Default: 20 seconds.</summary>
    public TimeSpan MtaStsFetchTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>The largest MTA-STS policy body accepted, in bytes. 1,024 to 16,777,216. Default: 65,536.</summary>
    public int MtaStsMaxPolicyBytes { get; set; } = 65_536;

    /// <summary>
    /// A directory where fetched MTA-STS policies are kept across restarts (RFC 8461 §5 asks senders
    /// to keep them for their max_age); <see langword="null"/> (the default) keeps them in memory only.
    /// </summary>
    public string? MtaStsPolicyDirectory { get; set; }

    private Action<SocketsHttpHandler>? _configureMtaStsHttpHandler;

    /// <summary>
    /// Adjusts the HTTP handler MTA-STS policies are fetched with (a proxy, for instance). Code only:
    /// a method rather than a property so that configuration binding never sees it. Redirects stay
    /// off and the certificate check stays in force (RFC 8461 §3.3) unless the action changes them.
    /// </summary>
    /// <param name="configure">The adjustment, or <see langword="null"/> for none (the default).</param>
    public void ConfigureMtaStsHttpHandler(Action<SocketsHttpHandler>? configure) => _configureMtaStsHttpHandler = configure;

    /// <summary>The adjustment set by <see cref="ConfigureMtaStsHttpHandler"/>, if any.</summary>
    internal Action<SocketsHttpHandler>? GetMtaStsHttpHandlerConfiguration() => _configureMtaStsHttpHandler;
}
