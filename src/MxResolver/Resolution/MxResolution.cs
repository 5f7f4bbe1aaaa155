namespace MxResolver;

/// <summary>
/// The result of one MX resolution: the status, the ordered targets, and everything that was
/// dropped or looked odd on the way. Immutable.
/// </summary>
/// <remarks>
/// <para>
/// Rule numbers (R1–R38) in this library's documentation refer to the behaviour rules in
/// <c>docs/behaviour.md</c> of the repository, which say what each status, target order and drop
/// reason guarantees.
/// </para>
/// <para>
/// Equality is by value: two resolutions are equal when every property is equal and the lists
/// (<see cref="Aliases"/>, <see cref="Targets"/>, <see cref="DroppedExchanges"/>,
/// <see cref="DroppedAddresses"/>, <see cref="Warnings"/>) hold equal elements in the same order.
/// Order counts, so two resolutions of the same domain whose tied targets were shuffled
/// differently (R12) are not equal.
/// </para>
/// </remarks>
public sealed record MxResolution
{
    /// <summary>Creates a resolution; the other properties are set with initialisers.</summary>
    /// <param name="input">The string passed to <see cref="IMxResolver.ResolveAsync"/>.</param>
    /// <param name="status">The outcome.</param>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is <see langword="null"/>.</exception>
    public MxResolution(string input, MxResolutionStatus status)
    {
        ArgumentNullException.ThrowIfNull(input);
        Input = input;
        Status = status;
    }

    /// <summary>The string passed to <see cref="IMxResolver.ResolveAsync"/>, unchanged.</summary>
    public string Input { get; }

    /// <summary>
    /// The domain in Unicode form (U-labels), lower case, without trailing dot; <see langword="null"/>
    /// for an address literal and for input that is not a valid domain.
    /// </summary>
    public string? Domain { get; init; }

    /// <summary>
    /// The domain in ASCII form (A-labels, the form queried), lower case, without trailing dot;
    /// <see langword="null"/> for an address literal and for input that is not a valid domain.
    /// </summary>
    public string? AsciiDomain { get; init; }

    /// <summary>
    /// Where the CNAME chain at the domain ended (R4), lower case, without trailing dot; equal to
    /// <see cref="AsciiDomain"/> when the domain is not an alias; <see langword="null"/> when no
    /// MX lookup was answered.
    /// </summary>
    public string? CanonicalName { get; init; }

    /// <summary>The aliases followed from the domain to <see cref="CanonicalName"/>, in order; empty when none.</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    /// <summary>The outcome.</summary>
    public MxResolutionStatus Status { get; }

    /// <summary>Whether there are targets to try: <see cref="MxResolutionStatus.Success"/> or <see cref="MxResolutionStatus.ImplicitMx"/>.</summary>
    public bool IsSuccess => Status is MxResolutionStatus.Success or MxResolutionStatus.ImplicitMx;

    /// <summary>Whether the failure is permanent: the message should be bounced, not retried.</summary>
    public bool IsPermanentFailure => !IsSuccess && !IsTemporaryFailure;

    /// <summary>Whether the failure is temporary: the message must be queued and retried later (RFC 5321 §5.1).</summary>
    public bool IsTemporaryFailure => Status == MxResolutionStatus.TemporaryFailure;

    /// <summary>
    /// The RFC 3463 enhanced status code of a failure: 5.1.10 null MX (RFC 7505), 5.1.2
    /// no such domain or no mail host, 5.4.4 no usable target, 5.4.6 loops to self, 4.4.3
    /// temporary DNS failure, 5.1.3 invalid input (bad destination address syntax);
    /// <see langword="null"/> on success.
    /// </summary>
    public string? EnhancedStatusCode => Status switch
    {
        MxResolutionStatus.NullMx => "5.1.10",
        MxResolutionStatus.NoSuchDomain or MxResolutionStatus.NoMailHost => "5.1.2",
        MxResolutionStatus.NoUsableTarget => "5.4.4",
        MxResolutionStatus.LoopsToSelf => "5.4.6",
        MxResolutionStatus.TemporaryFailure => "4.4.3",
        MxResolutionStatus.InvalidInput => "5.1.3",
        _ => null,
    };

    /// <summary>The targets in attempt order: by preference, ties in random order (RFC 5321 §5.1); empty on failure.</summary>
    public IReadOnlyList<MxTarget> Targets { get; init; } = [];

    /// <summary>Exchanges of the MX set that are not among the targets, and why.</summary>
    public IReadOnlyList<DroppedExchange> DroppedExchanges { get; init; } = [];

    /// <summary>Addresses of targets that will not be tried, and why.</summary>
    public IReadOnlyList<DroppedAddress> DroppedAddresses { get; init; } = [];

    /// <summary>
    /// Human-readable notes about a resolution that still went ahead: a null MX mixed with real
    /// ones, an invalid or IP-address exchange, an exchange that is an alias, a failed lookup of
    /// one target among several.
    /// </summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>A human-readable description of a failure; <see langword="null"/> on success.</summary>
    public string? Error { get; init; }

    /// <summary>
    /// How long the result may be reused: the smallest TTL among the DNS answers it was built
    /// from (positive answers, and negative answers per RFC 2308 §5). <see langword="null"/> when
    /// no DNS answer was involved (address literal, invalid input) or the result is a temporary failure.
    /// </summary>
    public TimeSpan? TimeToLive { get; init; }

    /// <summary>
    /// Whether the MX RRset (or, for an implicit MX, the answer that the domain has none) and every
    /// CNAME on the way to it were DNSSEC-secure: authenticated by a validating name server whose AD
    /// bit the resolver trusts. It decides the names a DANE-TA certificate may carry (RFC 7672 §3.2.2).
    /// <see langword="false"/> for an address literal, invalid input and failures.
    /// </summary>
    public bool IsMxSecure { get; init; }

    /// <summary>
    /// Whether any DNS answer the result was built from was served from cache past its expiry
    /// (serve-stale, RFC 8767). Always <see langword="false"/> without a cache that serves stale answers.
    /// </summary>
    public bool IsStale { get; init; }

    /// <summary>
    /// Whether <paramref name="other"/> has equal properties and lists with equal elements in the
    /// same order (strings compared ordinally).
    /// </summary>
    /// <param name="other">The resolution to compare with.</param>
    public bool Equals(MxResolution? other)
        => ReferenceEquals(this, other)
            || (other is not null
                && string.Equals(Input, other.Input, StringComparison.Ordinal)
                && Status == other.Status
                && string.Equals(Domain, other.Domain, StringComparison.Ordinal)
                && string.Equals(AsciiDomain, other.AsciiDomain, StringComparison.Ordinal)
                && string.Equals(CanonicalName, other.CanonicalName, StringComparison.Ordinal)
                && string.Equals(Error, other.Error, StringComparison.Ordinal)
                && TimeToLive == other.TimeToLive
                && IsStale == other.IsStale
                && IsMxSecure == other.IsMxSecure
                && Aliases.SequenceEqual(other.Aliases, StringComparer.Ordinal)
                && Targets.SequenceEqual(other.Targets)
                && DroppedExchanges.SequenceEqual(other.DroppedExchanges)
                && DroppedAddresses.SequenceEqual(other.DroppedAddresses)
                && Warnings.SequenceEqual(other.Warnings, StringComparer.Ordinal));

    /// <summary>A hash consistent with <see cref="Equals(MxResolution?)"/>.</summary>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Input, StringComparer.Ordinal);
        hash.Add(Status);
        hash.Add(AsciiDomain, StringComparer.Ordinal);
        hash.Add(TimeToLive);
        hash.Add(IsStale);
        foreach (MxTarget target in Targets)
        {
            hash.Add(target);
        }

        hash.Add(Aliases.Count);
        hash.Add(DroppedExchanges.Count);
        hash.Add(DroppedAddresses.Count);
        hash.Add(Warnings.Count);
        return hash.ToHashCode();
    }
}
