namespace MxResolver;

/// <summary>Why an exchange of the MX set is not among the targets.</summary>
public enum ExchangeDropReason
{
    /// <summary>A null MX (<c>.</c>) published next to real exchanges (RFC 7505 §3); ignored with a warning.</summary>
    NullMx = 1,

    /// <summary>The exchange is not a valid host name (letters, digits, hyphens; RFC 1123 §2.1).</summary>
    InvalidHostName = 2,

    /// <summary>The exchange is written as an IP address and <see cref="MxResolverOptions.AllowIPLiteralExchanges"/> is off.</summary>
    IPAddressExchange = 3,

    /// <summary>The same exchange is listed again at this (worse or equal) preference.</summary>
    Duplicate = 4,

    /// <summary>
    /// The exchange is at or after the preference of this host (a configured local name or
    /// address), so it is not used (RFC 5321 §5.1).
    /// </summary>
    SelfPruned = 5,

    /// <summary>The exchange does not exist or has no address records (a permanent condition).</summary>
    NoAddress = 6,

    /// <summary>The address lookups of the exchange failed (a temporary condition).</summary>
    LookupFailed = 7,

    /// <summary>Every address of the exchange was dropped (filtered, duplicate or of an excluded family).</summary>
    NoUsableAddress = 8,

    /// <summary>A cap (<see cref="MxResolverOptions.MaxTargets"/> or <see cref="MxResolverOptions.MaxAddresses"/>) was reached.</summary>
    LimitExceeded = 9,
}

/// <summary>An exchange of the MX set that is not among the targets, and why.</summary>
/// <remarks>
/// Equal, by value, to another with the same host, preference and reason. Rule numbers (R9, R10,
/// R13, R14, R19) refer to <c>docs/behaviour.md</c> of the repository.
/// </remarks>
public sealed record DroppedExchange
{
    /// <summary>Creates the record.</summary>
    /// <param name="host">The exchange, lower case, without trailing dot (<c>.</c> for a null MX).</param>
    /// <param name="preference">Its MX preference.</param>
    /// <param name="reason">Why it was dropped.</param>
    /// <exception cref="ArgumentNullException"><paramref name="host"/> is <see langword="null"/>.</exception>
    public DroppedExchange(string host, ushort preference, ExchangeDropReason reason)
    {
        ArgumentNullException.ThrowIfNull(host);
        Host = host;
        Preference = preference;
        Reason = reason;
    }

    /// <summary>The exchange, lower case, without trailing dot (<c>.</c> for a null MX).</summary>
    public string Host { get; }

    /// <summary>Its MX preference.</summary>
    public ushort Preference { get; }

    /// <summary>Why it was dropped.</summary>
    public ExchangeDropReason Reason { get; }
}
