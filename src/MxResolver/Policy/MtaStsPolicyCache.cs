using System.Collections.Concurrent;

namespace MxResolver.Policy;

/// <summary>What the <c>_mta-sts</c> TXT lookup found.</summary>
internal enum MtaStsRecordState
{
    /// <summary>Exactly one valid <c>v=STSv1</c> record with an <c>id</c>.</summary>
    Found,

    /// <summary>No valid record: NXDOMAIN, NODATA, no <c>v=STSv1</c> record, several, or one without a valid id (RFC 8461 §3.1).</summary>
    Absent,

    /// <summary>The lookup failed (SERVFAIL, timeout): nothing is known.</summary>
    Failed,
}

/// <summary>The TXT lookup's result as the policy cache needs it.</summary>
/// <param name="State">What was found.</param>
/// <param name="Id">The record's <c>id</c> when <see cref="MtaStsRecordState.Found"/>.</param>
internal readonly record struct MtaStsRecordLookup(MtaStsRecordState State, string? Id);

/// <summary>The policy to apply to one delivery, and where it came from.</summary>
internal sealed class MtaStsLookupResult
{
    private MtaStsLookupResult(MtaStsStoredPolicy? stored, bool fetched, TlsRptResultType? failure, string? error)
    {
        Stored = stored;
        Fetched = fetched;
        Failure = failure;
        Error = error;
    }

    /// <summary>The policy in force, with its id and fetch time; <see langword="null"/> when the domain has none.</summary>
    public MtaStsStoredPolicy? Stored { get; }

    /// <summary>The policy in force, or <see langword="null"/>.</summary>
    public MtaStsPolicy? Policy => Stored?.Policy;

    /// <summary>Whether the policy was fetched for this lookup (a cache miss) rather than taken from the store.</summary>
    public bool Fetched { get; }

    /// <summary>The failure met on the way, also when a stored policy was used instead (RFC 8460 result type).</summary>
    public TlsRptResultType? Failure { get; }

    /// <summary>Why a fetch failed, worded for a log.</summary>
    public string? Error { get; }

    public static MtaStsLookupResult None { get; } = new(null, false, null, null);

    public static MtaStsLookupResult FromStore(MtaStsStoredPolicy stored, TlsRptResultType? failure = null, string? error = null) => new(stored, false, failure, error);

    public static MtaStsLookupResult FromFetch(MtaStsStoredPolicy stored) => new(stored, true, null, null);

    public static MtaStsLookupResult Failed(TlsRptResultType failure, string error) => new(null, false, failure, error);
}

/// <summary>
/// Decides which MTA-STS policy applies (RFC 8461 §5.1): a stored policy is used while it is valid
/// and its TXT <c>id</c> is unchanged; a new id or no valid policy means a fetch; when DNS or HTTPS
/// fails, a valid stored policy stays in force; and a policy close to expiry is refreshed in the
/// background while the stored one is used. Fetches for one domain share one request.
/// </summary>
internal sealed class MtaStsPolicyCache
{
    private readonly IMtaStsPolicyStore _store;
    private readonly Func<string, CancellationToken, Task<MtaStsFetchResult>> _fetch;
    private readonly TimeProvider _time;
    private readonly double _refreshAfterFraction;
    private readonly ConcurrentDictionary<string, Lazy<Task<MtaStsFetchResult>>> _inFlight = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, Task> _refreshes = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Creates the cache.</summary>
    /// <param name="store">Where policies are kept.</param>
    /// <param name="fetch">Fetches a domain's policy over HTTPS.</param>
    /// <param name="time">The clock of expiry.</param>
    /// <param name="refreshAfterFraction">
    /// How much of a policy's lifetime passes before a lookup refreshes it ahead of expiry (0.75: the
    /// last quarter of <c>max_age</c>).
    /// </param>
    public MtaStsPolicyCache(IMtaStsPolicyStore store, Func<string, CancellationToken, Task<MtaStsFetchResult>> fetch, TimeProvider time, double refreshAfterFraction = 0.75)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(fetch);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(refreshAfterFraction);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(refreshAfterFraction, 1.0);
        _store = store;
        _fetch = fetch;
        _time = time;
        _refreshAfterFraction = refreshAfterFraction;
    }

    /// <summary>The background refresh under way for <paramref name="domain"/>, if any (tests wait on it).</summary>
    internal Task? PendingRefresh(string domain) => _refreshes.TryGetValue(domain, out Task? task) ? task : null;

    /// <summary>The policy for <paramref name="domain"/> given what its TXT lookup found.</summary>
    /// <param name="domain">The policy domain, ASCII, lower case.</param>
    /// <param name="record">The result of the <c>_mta-sts</c> TXT lookup.</param>
    /// <param name="cancellationToken">Stops the lookup.</param>
    public async ValueTask<MtaStsLookupResult> GetAsync(string domain, MtaStsRecordLookup record, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(domain);
        DateTimeOffset now = _time.GetUtcNow();
        MtaStsStoredPolicy? stored = await _store.GetAsync(domain, cancellationToken).ConfigureAwait(false);
        MtaStsStoredPolicy? valid = stored is not null && stored.IsValidAt(now) ? stored : null;

        if (record.State != MtaStsRecordState.Found || record.Id is null)
        {
            // RFC 8461 §5.1: a record that disappears or a DNS failure does not end a policy early;
            // the stored one stays in force until it expires.
            return valid is null ? MtaStsLookupResult.None : MtaStsLookupResult.FromStore(valid);
        }

        if (valid is not null && string.Equals(valid.Id, record.Id, StringComparison.Ordinal))
        {
            if (now >= valid.FetchedAt + (valid.Policy.MaxAge * _refreshAfterFraction))
            {
                StartRefresh(domain, record.Id);
            }

            return MtaStsLookupResult.FromStore(valid);
        }

        // A new id, or nothing valid stored: the policy is fetched before it is used.
        MtaStsFetchResult fetched = await FetchSharedAsync(domain, cancellationToken).ConfigureAwait(false);
        if (fetched.Policy is not null)
        {
            var fresh = new MtaStsStoredPolicy(domain, record.Id, fetched.Policy, fetched.Text!, _time.GetUtcNow());
            await _store.SetAsync(fresh, cancellationToken).ConfigureAwait(false);
            return MtaStsLookupResult.FromFetch(fresh);
        }

        // RFC 8461 §5.1: when the new policy cannot be had, a valid earlier one stays in force.
        return valid is not null
            ? MtaStsLookupResult.FromStore(valid, fetched.Failure, fetched.Error)
            : MtaStsLookupResult.Failed(fetched.Failure ?? TlsRptResultType.StsPolicyFetchError, fetched.Error ?? "The policy could not be fetched.");
    }

    private Task<MtaStsFetchResult> FetchSharedAsync(string domain, CancellationToken cancellationToken)
    {
        // One fetch per domain at a time; a caller's cancellation leaves the shared fetch running for the others.
        var lazy = new Lazy<Task<MtaStsFetchResult>>(() => FetchAndForgetAsync(domain));
        Lazy<Task<MtaStsFetchResult>> shared = _inFlight.GetOrAdd(domain, lazy);
        return shared.Value.WaitAsync(cancellationToken);
    }

    private async Task<MtaStsFetchResult> FetchAndForgetAsync(string domain)
    {
        try
        {
            return await _fetch(domain, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _inFlight.TryRemove(domain, out _);
        }
    }

    private void StartRefresh(string domain, string id)
    {
        if (_refreshes.ContainsKey(domain))
        {
            return;
        }

        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_refreshes.TryAdd(domain, started.Task))
        {
            return;
        }

        _ = RefreshAsync(domain, id, started);
    }

    private async Task RefreshAsync(string domain, string id, TaskCompletionSource done)
    {
        try
        {
            MtaStsFetchResult fetched = await FetchSharedAsync(domain, CancellationToken.None).ConfigureAwait(false);
            if (fetched.Policy is not null)
            {
                await _store.SetAsync(new MtaStsStoredPolicy(domain, id, fetched.Policy, fetched.Text!, _time.GetUtcNow())).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or HttpRequestException)
        {
            // A failed refresh leaves the stored policy in force until it expires; the next lookup tries again.
        }
        finally
        {
            _refreshes.TryRemove(domain, out _);
            done.TrySetResult();
        }
    }
}
