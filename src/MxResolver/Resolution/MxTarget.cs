using System.Net;

namespace MxResolver;

/// <summary>A mail target: one exchange of the domain and its addresses in attempt order.</summary>
/// <remarks>
/// Rule numbers (R11, R17, ...) in this library's documentation refer to the behaviour rules in
/// <c>docs/behaviour.md</c> of the repository. Two targets are equal when their host, preference,
/// implicit flag and addresses are equal, the addresses compared element by element in order
/// (attempt order is part of the value).
/// </remarks>
public sealed record MxTarget
{
    /// <summary>Creates a target.</summary>
    /// <param name="host">The host name, lower case, without trailing dot; for an address literal its text.</param>
    /// <param name="preference">The MX preference (lower is tried first).</param>
    /// <param name="isImplicit">Whether the target is the implicit MX of a domain without MX records.</param>
    /// <param name="addresses">The addresses in attempt order.</param>
    /// <exception cref="ArgumentNullException"><paramref name="host"/> or <paramref name="addresses"/> is <see langword="null"/>.</exception>
    public MxTarget(string host, ushort preference, bool isImplicit, IReadOnlyList<IPAddress> addresses)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(addresses);
        Host = host;
        Preference = preference;
        IsImplicit = isImplicit;
        Addresses = addresses;
    }

    /// <summary>
    /// The host name in lower case without the trailing dot (A-label form for internationalised
    /// names), or for an address literal the literal as written in an address
    /// (<c>[192.0.2.1]</c>, <c>[IPv6:2001:db8::1]</c>).
    /// </summary>
    public string Host { get; }

    /// <summary>The MX preference: lower values are tried first; 0 for an implicit MX and for an address literal.</summary>
    public ushort Preference { get; }

    /// <summary>Whether this is the implicit MX of a domain without MX records (RFC 5321 §5.1).</summary>
    public bool IsImplicit { get; }

    /// <summary>The addresses to try, in attempt order (address family order of <see cref="MxResolverOptions.AddressFamily"/>).</summary>
    public IReadOnlyList<IPAddress> Addresses { get; }

    /// <summary>
    /// Whether every address RRset this target's addresses came from (and every CNAME on the way)
    /// was DNSSEC-secure: authenticated by a validating name server whose AD bit the resolver trusts
    /// (see docs/behaviour.md, "Secure delivery"). Only then may its TLSA records count for DANE
    /// (RFC 7672 §2.2). <see langword="false"/> for an address literal.
    /// </summary>
    public bool IsSecure { get; init; }

    /// <summary>
    /// Whether <paramref name="other"/> has the same host (ordinal), preference, implicit flag and
    /// the same addresses in the same order.
    /// </summary>
    /// <param name="other">The target to compare with.</param>
    public bool Equals(MxTarget? other)
        => ReferenceEquals(this, other)
            || (other is not null
                && string.Equals(Host, other.Host, StringComparison.Ordinal)
                && Preference == other.Preference
                && IsImplicit == other.IsImplicit
                && IsSecure == other.IsSecure
                && Addresses.SequenceEqual(other.Addresses));

    /// <summary>A hash consistent with <see cref="Equals(MxTarget?)"/>.</summary>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Host, StringComparer.Ordinal);
        hash.Add(Preference);
        hash.Add(IsImplicit);
        foreach (IPAddress address in Addresses)
        {
            hash.Add(address);
        }

        return hash.ToHashCode();
    }

    /// <summary>A one-line form: preference, host and addresses.</summary>
    public override string ToString() => $"{Preference} {Host} [{string.Join(", ", Addresses)}]";
}
