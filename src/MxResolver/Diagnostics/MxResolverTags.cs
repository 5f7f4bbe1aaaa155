namespace MxResolver.Diagnostics;

/// <summary>
/// Every span name and every tag name on spans and measurements, in one place and one style.
/// Span names are <c>MxResolver.&lt;Operation&gt;</c> (PascalCase after the activity source's
/// name); tag names are lower case and dotted: the OpenTelemetry semantic conventions where one
/// exists (<c>dns.question.name</c>, <c>error.type</c>, <c>server.address</c>), otherwise under the
/// <c>mxresolver.</c> prefix with snake_case words. Nothing here ever carries the caller's input,
/// which may be an email address.
/// </summary>
internal static class MxResolverTags
{
    /// <summary>The span of one <see cref="IMxResolver.ResolveAsync"/> call.</summary>
    public const string ResolutionActivity = "MxResolver.Resolve";

    /// <summary>The span of one DNS question sent to the name servers (failover and retries included).</summary>
    public const string DnsQueryActivity = "MxResolver.DnsQuery";

    /// <summary>The span of one connection attempt of <c>MxConnector</c> to one address (kind client).</summary>
    public const string ConnectActivity = "MxResolver.Connect";

    /// <summary>The name asked, as sent (absolute, with its trailing dot).</summary>
    public const string QuestionName = "dns.question.name";

    /// <summary>The record type asked: <c>MX</c>, <c>A</c>, <c>AAAA</c>.</summary>
    public const string QuestionType = "dns.question.type";

    /// <summary>
    /// Why an operation failed: for a DNS query the snake_case of <c>DnsQueryError</c>; for a
    /// connection attempt the snake_case of its <c>MxAttemptOutcome</c>.
    /// </summary>
    public const string ErrorType = "error.type";

    /// <summary>The kind of a final answer: <c>success</c>, <c>no_data</c>, <c>nx_domain</c>.</summary>
    public const string ResponseKind = "mxresolver.dns.answer";

    /// <summary>The domain resolved, in ASCII form; never the input itself, which may be an email address.</summary>
    public const string Domain = "mxresolver.domain";

    /// <summary>The outcome of a resolution, kebab-case (<c>success</c>, <c>temporary-failure</c>, ...).</summary>
    public const string Status = "mxresolver.status";

    /// <summary>Whether a resolution was built from answers served past their expiry (RFC 8767).</summary>
    public const string Stale = "mxresolver.stale";

    /// <summary>The number of targets of a resolution.</summary>
    public const string TargetCount = "mxresolver.target_count";

    /// <summary>The host name of the target a connection attempt goes to (OpenTelemetry <c>server.address</c>).</summary>
    public const string ServerAddress = "server.address";

    /// <summary>The TCP port of a connection attempt (OpenTelemetry <c>server.port</c>).</summary>
    public const string ServerPort = "server.port";

    /// <summary>The IP address a connection attempt goes to (OpenTelemetry <c>network.peer.address</c>).</summary>
    public const string PeerAddress = "network.peer.address";

    /// <summary>The MX preference of the target of a connection attempt.</summary>
    public const string Preference = "mxresolver.preference";

    /// <summary>How a connection attempt ended, snake_case of <c>MxAttemptOutcome</c> (<c>succeeded</c>, <c>refused</c>, ...).</summary>
    public const string ConnectOutcome = "mxresolver.connect.outcome";

    /// <summary>The span of one secure resolution (resolution plus DANE, MTA-STS and TLS-RPT).</summary>
    public const string SecureResolutionActivity = "MxResolver.ResolveSecure";

    /// <summary>The span of one MTA-STS policy fetch over HTTPS (kind client).</summary>
    public const string PolicyFetchActivity = "MxResolver.MtaStsFetch";

    /// <summary>The span of one server certificate check under DANE or MTA-STS.</summary>
    public const string VerifyCertificateActivity = "MxResolver.VerifyCertificate";

    /// <summary>Whether a secure resolution was answered whole from the security resolver's cache.</summary>
    public const string Cached = "mxresolver.cached";

    /// <summary>The MTA-STS mode in force for a secure resolution: <c>enforce</c>, <c>testing</c>, <c>none</c> (no policy).</summary>
    public const string MtaStsMode = "mxresolver.mta_sts.mode";

    /// <summary>
    /// Where the MTA-STS policy in force came from: <c>cache</c>, <c>fetched</c>, <c>cache-after-failure</c>
    /// (a fetch failed and a valid stored policy stays in force), <c>none</c>, <c>failed</c>.
    /// </summary>
    public const string MtaStsSource = "mxresolver.mta_sts.source";

    /// <summary>
    /// The result of a policy fetch or a certificate check: <c>success</c>, or the RFC 8460 §4.3
    /// result type (<c>sts-policy-fetch-error</c>, <c>certificate-host-mismatch</c>, ...).
    /// </summary>
    public const string TlsResult = "mxresolver.tls.result";

    /// <summary>The policy a certificate check applied: <c>dane</c> or <c>mta-sts</c>.</summary>
    public const string TlsPolicy = "mxresolver.tls.policy";

    /// <summary>A target's DANE status, kebab-case of <c>DaneStatus</c> (<c>usable</c>, <c>no-records</c>, <c>lookup-failed</c>, ...).</summary>
    public const string DaneStatus = "mxresolver.dane.status";

    /// <summary>The short code of why a certificate check ended as it did (<c>dane-ee</c>, <c>dane-no-match</c>, <c>pkix-name-mismatch</c>, ...).</summary>
    public const string TlsReason = "mxresolver.tls.reason";
}
