using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MxResolver.Diagnostics;

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

    /// <summary>
    /// Where the policy in force came from, for logs and metrics: <c>fetched</c>, <c>cache</c>,
    /// <c>cache-after-failure</c> (a fetch failed, a valid stored policy stays in force), <c>failed</c>
    /// or <c>none</c>.
    /// </summary>
    public string Source => SourceOf(Stored, Fetched, Failure);

    /// <summary>The <see cref="Source"/> of a lookup with these outcomes.</summary>
    public static string SourceOf(MtaStsStoredPolicy? stored, bool fetched, TlsRptResultType? failure) => (stored, fetched, failure) switch
    {
        (not null, true, _) => "fetched",
        (not null, false, null) => "cache",
        (not null, false, not null) => "cache-after-failure",
        (null, _, not null) => "failed",
        _ => "none",
    };

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
    private readonly ILogger _logger;
    private readonly MxResolverTelemetry? _telemetry;
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
    /// <param name="logger">Where policy fetches, failures and refreshes are logged.</param>
    /// <param name="telemetry">Where policy decisions are counted (<c>mxresolver.mta_sts.policy_lookups</c>).</param>
    public MtaStsPolicyCache(
        IMtaStsPolicyStore store,
        Func<string, CancellationToken, Task<MtaStsFetchResult>> fetch,
        TimeProvider time,
        double refreshAfterFraction = 0.75,
        ILogger? logger = null,
        MxResolverTelemetry? telemetry = null)
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
        _logger = logger ?? NullLogger.Instance;
        _telemetry = telemetry;
    }

    /// <summary>
    /// When a lookup will next do more than read the store for <paramref name="policy"/>: the start
    /// of the last part of its lifetime, when a refresh is started. A cache above this one must not
    /// keep a decision past it, or the refresh ahead of expiry would never run.
    /// </summary>
    public DateTimeOffset ReviewAt(MtaStsStoredPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return policy.FetchedAt + (policy.Policy.MaxAge * _refreshAfterFraction);
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
            return valid is null ? Counted(MtaStsLookupResult.None) : FromStore(domain, valid);
        }

        if (valid is not null && string.Equals(valid.Id, record.Id, StringComparison.Ordinal))
        {
            if (now >= ReviewAt(valid))
            {
                StartRefresh(domain, record.Id);
            }

            return FromStore(domain, valid);
        }

        // A new id, or nothing valid stored: the policy is fetched before it is used.
        MtaStsFetchResult fetched = await FetchSharedAsync(domain, cancellationToken).ConfigureAwait(false);
        if (fetched.Policy is not null)
        {
            var fresh = new MtaStsStoredPolicy(domain, record.Id, fetched.Policy, fetched.Text!, _time.GetUtcNow());
            await _store.SetAsync(fresh, cancellationToken).ConfigureAwait(false);
            PolicyLog.PolicyFetched(_logger, domain, fresh.Id, PolicyTelemetry.ModeName(fresh.Policy.Mode), (long)fresh.Policy.MaxAge.TotalSeconds, fresh.Policy.MxPatterns.Count);
            return Counted(MtaStsLookupResult.FromFetch(fresh));
        }

        // RFC 8461 §5.1: when the new policy cannot be had, a valid earlier one stays in force.
        TlsRptResultType failure = fetched.Failure ?? TlsRptResultType.StsPolicyFetchError;
        string error = fetched.Error ?? "The policy could not be fetched.";
        if (valid is not null)
        {
            PolicyLog.StoredPolicyKept(_logger, domain, TlsRptNames.Of(failure), error, valid.Id, valid.ExpiresAt);
            return Counted(MtaStsLookupResult.FromStore(valid, failure, error));
        }

        PolicyLog.PolicyFetchFailed(_logger, domain, TlsRptNames.Of(failure), error);
        return Counted(MtaStsLookupResult.Failed(failure, error));
    }

    private MtaStsLookupResult FromStore(string domain, MtaStsStoredPolicy valid)
    {
        PolicyLog.PolicyFromStore(_logger, domain, valid.Id, PolicyTelemetry.ModeName(valid.Policy.Mode), valid.ExpiresAt);
        return Counted(MtaStsLookupResult.FromStore(valid));
    }

    private MtaStsLookupResult Counted(MtaStsLookupResult result)
    {
        _telemetry?.PolicyLookups.Add(1, new KeyValuePair<string, object?>(MxResolverTags.MtaStsSource, result.Source));
        return result;
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

        PolicyLog.PolicyRefreshStarted(_logger, domain, id);
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
