using MxResolver.Lookup;

namespace MxResolver.Resolution;

/// <summary>Collects what one resolution learns on its way (drops, warnings, TTLs) and builds the result.</summary>
internal sealed class MxResolutionBuilder
{
    private readonly string _input;
    // Made on first use: most resolutions warn of nothing and drop nothing.
    private List<string>? _warnings;
    private List<DroppedExchange>? _droppedExchanges;
    private List<DroppedAddress>? _droppedAddresses;
    private uint? _timeToLive;
    private bool _isStale;

    public MxResolutionBuilder(string input)
    {
        _input = input;
    }

    public string? AsciiDomain { get; set; }

    public string? UnicodeDomain { get; set; }

    public string? CanonicalName { get; set; }

    public IReadOnlyList<string> Aliases { get; set; } = [];

    /// <summary>
    /// Whether the MX answer (for an implicit MX, the answer that there is none) was DNSSEC-secure,
    /// every CNAME on the way included (<see cref="DnsAnswer.IsSecure"/>).
    /// </summary>
    public bool IsMxSecure { get; set; }

    public IReadOnlyList<DroppedExchange> DroppedExchanges => _droppedExchanges ?? (IReadOnlyList<DroppedExchange>)[];

    /// <summary>Whether a DNS answer taken into account was a failure (the result is then not cached).</summary>
    public bool AnyLookupFailed { get; private set; }

    public void Warn(string warning) => (_warnings ??= []).Add(warning);

    public void Drop(MxCandidate candidate, ExchangeDropReason reason)
        => (_droppedExchanges ??= []).Add(new DroppedExchange(candidate.Host, candidate.Preference, reason));

    public void Drop(string host, ushort preference, ExchangeDropReason reason)
        => (_droppedExchanges ??= []).Add(new DroppedExchange(host, preference, reason));

    public void Drop(DroppedAddress dropped) => (_droppedAddresses ??= []).Add(dropped);

    /// <summary>
    /// Takes part in the result's TTL and staleness: positive and negative answers count for the
    /// TTL (RFC 2181 §5.2, RFC 2308 §5); failures carry no TTL and do not.
    /// </summary>
    public void Consider(DnsAnswer answer)
    {
        AnyLookupFailed |= answer.Kind is DnsAnswerKind.Failure or DnsAnswerKind.AliasLoop;

        // RFC 8767 §4: a result built from any answer served past its expiry is stale (R28).
        _isStale |= answer.IsStale;
        if (answer.Kind is DnsAnswerKind.Success or DnsAnswerKind.NoData or DnsAnswerKind.NxDomain)
        {
            _timeToLive = Math.Min(_timeToLive ?? uint.MaxValue, answer.TimeToLive);
        }
    }

    /// <summary>Builds the result; a temporary failure carries no TTL (nothing in it is reusable).</summary>
    public MxResolution Build(MxResolutionStatus status, IReadOnlyList<MxTarget>? targets = null, string? error = null)
        => new(_input, status)
        {
            Domain = UnicodeDomain,
            AsciiDomain = AsciiDomain,
            CanonicalName = CanonicalName,
            Aliases = Aliases,
            Targets = targets ?? [],
            DroppedExchanges = _droppedExchanges?.ToArray() ?? [],
            DroppedAddresses = _droppedAddresses?.ToArray() ?? [],
            Warnings = _warnings?.ToArray() ?? [],
            Error = error,
            IsStale = _isStale,
            IsMxSecure = IsMxSecure && status != MxResolutionStatus.TemporaryFailure,
            TimeToLive = status == MxResolutionStatus.TemporaryFailure || _timeToLive is null
                ? null
                : TimeSpan.FromSeconds(_timeToLive.Value),
        };

    /// <summary>Strips the trailing dot of an absolute name and lower-cases it; the root stays <c>.</c>.</summary>
    public static string ToHost(string absoluteName) => ToHost(absoluteName, out _);

    /// <summary>
    /// <see cref="ToHost(string)"/>, and <paramref name="absoluteName"/> itself in <paramref name="absolute"/>
    /// when it already is the host's absolute form (lower case, trailing dot), else <see langword="null"/>.
    /// </summary>
    public static string ToHost(string absoluteName, out string? absolute)
    {
        string lower = absoluteName.ToLowerInvariant();
        if (lower.Length > 1 && lower.EndsWith('.'))
        {
            absolute = ReferenceEquals(lower, absoluteName) ? absoluteName : null;
            return lower[..^1];
        }

        absolute = null;
        return lower;
    }
}
