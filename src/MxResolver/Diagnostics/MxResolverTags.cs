namespace MxResolver.Diagnostics;

/// <summary>
/// Names of the spans and of the tags on spans and measurements. DNS tags follow the
/// OpenTelemetry semantic conventions (<c>dns.question.name</c>, <c>error.type</c>); the rest use
/// the <c>mxresolver.</c> prefix.
/// </summary>
internal static class MxResolverTags
{
    /// <summary>The span of one <see cref="IMxResolver.ResolveAsync"/> call.</summary>
    public const string ResolutionActivity = "MxResolver.Resolve";

    /// <summary>The span of one DNS question sent to the name servers (failover and retries included).</summary>
    public const string DnsQueryActivity = "MxResolver.DnsQuery";

    /// <summary>The name asked, as sent (absolute, with its trailing dot).</summary>
    public const string QuestionName = "dns.question.name";

    /// <summary>The record type asked: <c>MX</c>, <c>A</c>, <c>AAAA</c>.</summary>
    public const string QuestionType = "dns.question.type";

    /// <summary>Why a query got no final answer (snake_case of <c>DnsQueryError</c>) or the exception's type.</summary>
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
}
