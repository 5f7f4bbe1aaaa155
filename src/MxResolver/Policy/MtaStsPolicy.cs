using System.Diagnostics.CodeAnalysis;
using MxResolver.Policy;

namespace MxResolver;

/// <summary>
/// A parsed MTA-STS policy (RFC 8461 §3.2): its mode, lifetime and the MX host patterns that may
/// receive mail for the Policy Domain. Immutable; create it with <see cref="TryParse"/> from the
/// body fetched at <c>https://mta-sts.&lt;domain&gt;/.well-known/mta-sts.txt</c>.
/// </summary>
public sealed class MtaStsPolicy
{
    /// <summary>The largest <c>max_age</c> a policy may give, in seconds (RFC 8461 §3.2: 31557600, about a year).</summary>
    public const int MaxAgeLimitSeconds = 31_557_600;

    internal MtaStsPolicy(MtaStsMode mode, TimeSpan maxAge, IReadOnlyList<string> mxPatterns, IReadOnlyList<string> lines)
    {
        Mode = mode;
        MaxAge = maxAge;
        MxPatterns = mxPatterns;
        Lines = lines;
    }

    /// <summary>The policy mode (RFC 8461 §3.2 <c>mode</c>).</summary>
    public MtaStsMode Mode { get; }

    /// <summary>
    /// How long the policy may be cached after it was fetched (RFC 8461 §3.2 <c>max_age</c>,
    /// 0 to <see cref="MaxAgeLimitSeconds"/> seconds).
    /// </summary>
    public TimeSpan MaxAge { get; }

    /// <summary>
    /// The MX host patterns (RFC 8461 §3.2 <c>mx</c>, §4.1) in the order given: lower case, A-label
    /// form, without trailing dot; a pattern may start with <c>*.</c>. Empty only when
    /// <see cref="Mode"/> is <see cref="MtaStsMode.None"/>.
    /// </summary>
    public IReadOnlyList<string> MxPatterns { get; }

    /// <summary>
    /// The non-blank lines of the policy as fetched, without line terminators: the
    /// <c>policy-string</c> of a TLS-RPT report for this policy (RFC 8460 §4.3).
    /// </summary>
    public IReadOnlyList<string> Lines { get; }

    /// <summary>
    /// Parses a policy body (RFC 8461 §3.2). A malformed policy is an expected outcome: it returns
    /// <see langword="false"/> with a one-line reason, and the caller treats the domain as having
    /// no valid policy (RFC 8461 §3.3, TLS-RPT result <c>sts-policy-invalid</c>). Limiting the size
    /// of the body (RFC 8461 §3.3: 64 KiB) is the fetcher's job.
    /// </summary>
    /// <param name="text">The policy body, lines separated by LF or CRLF.</param>
    /// <param name="policy">The policy, when valid.</param>
    /// <param name="error">Why the policy is invalid, when it is.</param>
    /// <returns>Whether the text is a valid policy.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    public static bool TryParse(
        string text,
        [NotNullWhen(true)] out MtaStsPolicy? policy,
        [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        return MtaStsPolicyParser.TryParse(text, out policy, out error);
    }

    /// <summary>
    /// Whether <paramref name="host"/> is an MX host this policy allows (RFC 8461 §4.1): it equals
    /// a pattern, or a pattern <c>*.suffix</c> whose wildcard stands for exactly one leftmost
    /// label. Case-insensitive; a trailing dot is ignored; internationalised names compare as
    /// A-labels. A name that is not a host name (empty, empty labels, invalid IDN) matches nothing.
    /// </summary>
    /// <param name="host">The MX host name, as found in the MX record.</param>
    /// <returns>Whether some pattern matches.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="host"/> is <see langword="null"/>.</exception>
    public bool Matches(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        if (!PolicyNames.TryNormalize(host, out string normalized))
        {
            return false;
        }

        foreach (string pattern in MxPatterns)
        {
            if (PolicyNames.MatchesNormalized(pattern, normalized))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A one-line summary: mode, max age in seconds and patterns.</summary>
    public override string ToString() =>
        $"mode={Mode} max_age={(long)MaxAge.TotalSeconds} mx=[{string.Join(", ", MxPatterns)}]";
}
