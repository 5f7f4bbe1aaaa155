using MxResolver.Policy;

namespace MxResolver;

/// <summary>
/// The policy that applied to a set of TLS sessions, as the <c>policy</c> object of a TLS-RPT
/// report (RFC 8460 §4.3, §4.4). Sessions are counted per distinct policy; two instances with the
/// same type, domain, policy strings and MX host patterns are equal. Immutable.
/// </summary>
public sealed class TlsRptPolicy : IEquatable<TlsRptPolicy>
{
    /// <summary>Creates a policy description.</summary>
    /// <param name="type">The policy type.</param>
    /// <param name="domain">The Policy Domain (the recipient domain the policy belongs to); lower-cased, a trailing dot dropped.</param>
    /// <param name="policyStrings">The policy as strings (for MTA-STS, its lines; for TLSA, one record per string); empty or <see langword="null"/> for none.</param>
    /// <param name="mxHosts">The MX host patterns the policy lists; empty or <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="domain"/> or an element of a list is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="type"/> is not defined.</exception>
    /// <exception cref="ArgumentException"><paramref name="domain"/> is empty.</exception>
    public TlsRptPolicy(TlsRptPolicyType type, string domain, IEnumerable<string>? policyStrings = null, IEnumerable<string>? mxHosts = null)
    {
        ArgumentNullException.ThrowIfNull(domain);
        if (!TlsRptNames.IsDefined(type))
        {
            throw new ArgumentOutOfRangeException(nameof(type), type, "Not a TLS-RPT policy type.");
        }

        string trimmed = domain.EndsWith('.') ? domain[..^1] : domain;
        ArgumentException.ThrowIfNullOrEmpty(trimmed, nameof(domain));
        Type = type;
        Domain = trimmed.ToLowerInvariant();
        PolicyStrings = Copy(policyStrings, nameof(policyStrings));
        MxHosts = Copy(mxHosts, nameof(mxHosts));
    }

    /// <summary>The <c>policy-type</c> (RFC 8460 §4.3).</summary>
    public TlsRptPolicyType Type { get; }

    /// <summary>The <c>policy-domain</c> (RFC 8460 §4.3): lower case, without trailing dot.</summary>
    public string Domain { get; }

    /// <summary>The <c>policy-string</c> (RFC 8460 §4.3); omitted from the report when empty.</summary>
    public IReadOnlyList<string> PolicyStrings { get; }

    /// <summary>The <c>mx-host</c> patterns (RFC 8460 §4.3); omitted from the report when empty.</summary>
    public IReadOnlyList<string> MxHosts { get; }

    /// <summary>
    /// The description of an MTA-STS policy (RFC 8460 §4.3): type <c>sts</c>, the policy's lines
    /// as <c>policy-string</c> and its MX patterns as <c>mx-host</c>.
    /// </summary>
    /// <param name="domain">The Policy Domain.</param>
    /// <param name="policy">The policy that applied.</param>
    /// <returns>The description.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static TlsRptPolicy ForSts(string domain, MtaStsPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return new TlsRptPolicy(TlsRptPolicyType.Sts, domain, policy.Lines, policy.MxPatterns);
    }

    /// <summary>
    /// The description of a DANE TLSA policy (RFC 8460 §4.3): type <c>tlsa</c>, each TLSA record
    /// in presentation form (<c>usage selector matching-type hex</c>) as <c>policy-string</c>.
    /// </summary>
    /// <param name="domain">The Policy Domain.</param>
    /// <param name="associations">The TLSA records that applied.</param>
    /// <param name="mxHost">The MX host the records belong to, reported as <c>mx-host</c>; <see langword="null"/> for none.</param>
    /// <returns>The description.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="domain"/> or <paramref name="associations"/> is <see langword="null"/>.</exception>
    public static TlsRptPolicy ForTlsa(string domain, IEnumerable<TlsaAssociation> associations, string? mxHost = null)
    {
        ArgumentNullException.ThrowIfNull(associations);
        return new TlsRptPolicy(
            TlsRptPolicyType.Tlsa,
            domain,
            associations.Select(a => a.ToString()),
            mxHost is null ? null : [mxHost]);
    }

    /// <summary>The description for sessions to a domain with neither policy: type <c>no-policy-found</c> (RFC 8460 §4.3).</summary>
    /// <param name="domain">The recipient domain.</param>
    /// <returns>The description.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="domain"/> is <see langword="null"/>.</exception>
    public static TlsRptPolicy NoPolicyFound(string domain) => new(TlsRptPolicyType.NoPolicyFound, domain);

    /// <inheritdoc/>
    public bool Equals(TlsRptPolicy? other) =>
        other is not null
        && Type == other.Type
        && Domain == other.Domain
        && PolicyStrings.SequenceEqual(other.PolicyStrings, StringComparer.Ordinal)
        && MxHosts.SequenceEqual(other.MxHosts, StringComparer.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as TlsRptPolicy);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Type);
        hash.Add(Domain, StringComparer.Ordinal);
        foreach (string s in PolicyStrings)
        {
            hash.Add(s, StringComparer.Ordinal);
        }

        hash.Add(PolicyStrings.Count);
        foreach (string s in MxHosts)
        {
            hash.Add(s, StringComparer.Ordinal);
        }

        return hash.ToHashCode();
    }

    /// <summary>A one-line form: type and domain.</summary>
    public override string ToString() => $"{TlsRptNames.Of(Type)} {Domain}";

    private static IReadOnlyList<string> Copy(IEnumerable<string>? values, string parameterName)
    {
        if (values is null)
        {
            return [];
        }

        string[] copy = values.ToArray();
        foreach (string value in copy)
        {
            if (value is null)
            {
                throw new ArgumentNullException(parameterName, "The list contains null.");
            }
        }

        return Array.AsReadOnly(copy);
    }
}
