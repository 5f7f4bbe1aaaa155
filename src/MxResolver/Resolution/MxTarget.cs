using System.Net;

namespace MxResolver;

/// <summary>A mail target: one exchange of the domain and its addresses in attempt order.</summary>
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

    /// <summary>A one-line form: preference, host and addresses.</summary>
    public override string ToString() => $"{Preference} {Host} [{string.Join(", ", Addresses)}]";
}
