using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MxResolver.Configuration;
using MxResolver.Diagnostics;
using MxResolver.Input;
using MxResolver.Policy;
using MxResolver.Resolution;

namespace MxResolver;

/// <summary>
/// Resolves a domain and decides each target's TLS requirement (<see cref="IMxSecurityResolver"/>).
/// The MTA-STS and TLS-RPT TXT lookups start with the MX lookup, and the policy fetch as soon as the
/// TXT record is known, so an uncached domain costs at most the TLSA round trip more than a plain
/// resolution; TLSA lookups of all targets run at once. With a cache, a repeated domain is answered
/// from the decisions already made while the resolution and every answer they rest on are valid (R38).
/// </summary>
/// <remarks>
/// <para>
/// <c>AddMxResolver</c> registers one as <see cref="IMxSecurityResolver"/>; without dependency
/// injection, create one over a <see cref="MailExchangeResolver"/>: it asks its questions through that
/// resolver's DNS client and cache, so policy and resolution see the same DNS.
/// </para>
/// <para>
/// Telemetry: a <c>MxResolver.ResolveSecure</c> span per call (tags <c>mxresolver.domain</c>,
/// <c>mxresolver.cached</c>, <c>mxresolver.mta_sts.mode</c>, <c>mxresolver.mta_sts.source</c>),
/// <c>MxResolver.MtaStsFetch</c> spans for policy fetches, and the counters
/// <c>mxresolver.security.cache.hits</c>/<c>.misses</c>, <c>mxresolver.mta_sts.policy_lookups</c>,
/// <c>mxresolver.mta_sts.fetches</c> and <c>mxresolver.dane.targets</c>; log events 1400–1410.
/// </para>
/// </remarks>
public sealed class MxSecurityResolver : IMxSecurityResolver, IDisposable
{
    private readonly IMxResolver _resolver;
    private readonly IPolicyLookups _lookups;
    private readonly MtaStsPolicyCache? _policies;
    private readonly SecuritySettings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly MxResolverTelemetry? _telemetry;
    private readonly SecureResolutionCache? _cache;
    private readonly IDisposable? _owned;

    /// <summary>
    /// Creates a security resolver over <paramref name="resolver"/>, with its own MTA-STS policy
    /// store (in memory, or the directory of <see cref="MxSecurityOptions.MtaStsPolicyDirectory"/>)
    /// and fetcher. When the resolver has a cache, so does this one, of the same size.
    /// </summary>
    /// <param name="resolver">Resolves the targets; its DNS client and cache answer the policy questions.</param>
    /// <param name="options">Which policies to apply and how to fetch MTA-STS policies; default: <see cref="MxSecurityOptions"/>'s defaults. Copied.</param>
    /// <param name="loggerFactory">Gives the resolver its logger (category <c>MxResolver.MxSecurityResolver</c>); default: no logging.</param>
    /// <exception cref="ArgumentNullException"><paramref name="resolver"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A setting breaks a rule; the message names its configuration key, as with dependency injection.</exception>
    public MxSecurityResolver(MailExchangeResolver resolver, MxSecurityOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        options ??= new MxSecurityOptions();
        OptionsRules.ThrowIfInvalid(options);
        ILogger logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<MxSecurityResolver>();
        MxResolverTelemetry telemetry = NetworkLookup.SharedTelemetry;
        var lookups = new DnsPolicyLookups(resolver.Lookup);
        MtaStsFetcher? fetcher = null;
        MtaStsPolicyCache? policies = null;
        if (options.MtaSts)
        {
            fetcher = new MtaStsFetcher(
                new MtaStsFetchSettings(options.MtaStsFetchTimeout, options.MtaStsMaxPolicyBytes),
                lookups.LookupAddressesAsync,
                options.GetMtaStsHttpHandlerConfiguration(),
                resolver.TimeProvider,
                telemetry);
            IMtaStsPolicyStore store = options.MtaStsPolicyDirectory is { } directory ? new FileMtaStsPolicyStore(directory) : new InMemoryMtaStsPolicyStore();
            policies = new MtaStsPolicyCache(store, fetcher.FetchAsync, resolver.TimeProvider, logger: logger, telemetry: telemetry);
        }

        _resolver = resolver;
        _lookups = lookups;
        _policies = policies;
        _settings = SecuritySettings.From(options, resolver.ResolutionCacheCapacity);
        _time = resolver.TimeProvider;
        _logger = logger;
        _telemetry = telemetry;
        _cache = _settings.CacheEntries > 0 ? new SecureResolutionCache(_time, _settings.CacheEntries) : null;
        _owned = fetcher;
    }

    /// <summary>Creates the resolver from parts (the DI layer, tests).</summary>
    /// <param name="resolver">Resolves the targets.</param>
    /// <param name="lookups">Asks the policy questions (TXT, TLSA, policy host addresses).</param>
    /// <param name="policies">Decides which MTA-STS policy applies; required when MTA-STS is on.</param>
    /// <param name="settings">Which policies to look up, and the size of the cache.</param>
    /// <param name="timeProvider">The cache's clock.</param>
    /// <param name="logger">Where decisions are logged.</param>
    /// <param name="telemetry">Where they are counted.</param>
    internal MxSecurityResolver(
        IMxResolver resolver,
        IPolicyLookups lookups,
        MtaStsPolicyCache? policies,
        SecuritySettings settings,
        TimeProvider? timeProvider = null,
        ILogger? logger = null,
        MxResolverTelemetry? telemetry = null)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        ArgumentNullException.ThrowIfNull(lookups);
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.MtaSts && policies is null)
        {
            throw new ArgumentException("MTA-STS is on but no policy cache was given.", nameof(policies));
        }

        _resolver = resolver;
        _lookups = lookups;
        _policies = policies;
        _settings = settings;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _telemetry = telemetry;
        _cache = settings.CacheEntries > 0 ? new SecureResolutionCache(_time, settings.CacheEntries) : null;
    }

    /// <summary>The number of secure resolutions held in the cache (tests).</summary>
    internal int CachedCount => _cache?.Count ?? 0;

    /// <inheritdoc />
    public ValueTask<MxSecureResolution> ResolveSecureAsync(string domainOrAddress, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(domainOrAddress);
        cancellationToken.ThrowIfCancellationRequested();

        if (_cache is null || !_cache.TryGet(domainOrAddress, out SecureResolutionCache.Entry? entry))
        {
            return ResolveSlowAsync(domainOrAddress, entry: null, pending: null, activity: null, cancellationToken);
        }

        // The fast path: the resolver answers from its own cache synchronously, and the decisions
        // made for that very resolution are reused. Its span is started here, synchronously, and
        // handed to the slow path when the fast path does not apply.
        Activity? previous = Activity.Current;
        Activity? activity = MxResolverTelemetry.ActivitySource.StartActivity(MxResolverTags.SecureResolutionActivity);
        ValueTask<MxSecureResolution> slow;
        try
        {
            ValueTask<MxResolution> pending = _resolver.ResolveAsync(domainOrAddress, cancellationToken);
            if (pending.IsCompletedSuccessfully && SecureResolutionCache.TryServe(entry, pending.Result) is { } hit)
            {
                activity?.SetTag(MxResolverTags.Domain, entry.Key);
                MxSecureResolution served = Served(hit, cached: true, activity);
                activity?.Dispose();
                return new ValueTask<MxSecureResolution>(served);
            }

            slow = ResolveSlowAsync(domainOrAddress, entry, pending.AsTask(), activity, cancellationToken);
        }
        catch
        {
            activity?.Dispose();
            throw;
        }
        finally
        {
            // Whatever the async part does, the caller's current span is the one it had.
            Activity.Current = previous;
        }

        return slow;
    }

    /// <summary>Disposes the MTA-STS fetcher this resolver created (none when it came from dependency injection).</summary>
    public void Dispose() => _owned?.Dispose();

    private async ValueTask<MxSecureResolution> ResolveSlowAsync(
        string domainOrAddress,
        SecureResolutionCache.Entry? entry,
        Task<MxResolution>? pending,
        Activity? activity,
        CancellationToken cancellationToken)
    {
        // The span is started inside the async method so that Activity.Current is restored for the caller.
        using Activity? span = activity ?? MxResolverTelemetry.ActivitySource.StartActivity(MxResolverTags.SecureResolutionActivity);
        activity = span;

        MxInput input = MxInputParser.Parse(domainOrAddress);
        string? domain = input.Kind == MxInputKind.Domain ? input.AsciiDomain : null;
        activity?.SetTag(MxResolverTags.Domain, domain);

        if (entry is not null)
        {
            MxResolution resolution = await (pending ?? _resolver.ResolveAsync(domainOrAddress, cancellationToken).AsTask()).ConfigureAwait(false);
            if (SecureResolutionCache.TryServe(entry, resolution) is { } hit)
            {
                return Served(hit, cached: true, activity);
            }

            pending = Task.FromResult(resolution);
        }

        // Policy discovery runs beside the MX lookup (RFC 8461 §3.1 TXT, RFC 8460 §3 TXT).
        Task<PolicyDiscovery> policyTask = _settings.MtaSts && domain is not null
            ? DiscoverPolicyAsync(domain, cancellationToken)
            : Task.FromResult(PolicyDiscovery.Off);
        Task<ReportDiscovery> reportTask = _settings.TlsRpt && domain is not null
            ? DiscoverTlsRptAsync(domain, cancellationToken)
            : Task.FromResult(ReportDiscovery.Off);

        MxResolution resolved = await (pending ?? _resolver.ResolveAsync(domainOrAddress, cancellationToken).AsTask()).ConfigureAwait(false);

        // TLSA only for targets whose addresses are secure (RFC 7672 §2.2); literals have no name to ask about.
        var tlsaTasks = new Task<TlsaLookup>?[resolved.Targets.Count];
        if (_settings.Dane && domain is not null)
        {
            for (int i = 0; i < tlsaTasks.Length; i++)
            {
                MxTarget target = resolved.Targets[i];
                if (target.IsSecure)
                {
                    tlsaTasks[i] = _lookups.LookupTlsaAsync(target.Host, _settings.SmtpPort, cancellationToken).AsTask();
                }
            }
        }

        PolicyDiscovery policy = await policyTask.ConfigureAwait(false);
        ReportDiscovery report = await reportTask.ConfigureAwait(false);
        var decisions = new MxSecureTarget[tlsaTasks.Length];
        var droppedFlags = new bool[tlsaTasks.Length];
        var targets = new List<MxSecureTarget>(tlsaTasks.Length);
        var dropped = new List<MxSecureTarget>();
        uint lifetime = Math.Min(policy.TimeToLive, report.TimeToLive);
        bool anyFailed = policy.Failed || report.Failed;
        for (int i = 0; i < tlsaTasks.Length; i++)
        {
            TlsaLookup? tlsa = tlsaTasks[i] is { } task ? await task.ConfigureAwait(false) : null;
            if (tlsa is { } made)
            {
                anyFailed |= made.Kind == TlsaLookupKind.Failed;
                lifetime = Math.Min(lifetime, made.TimeToLive);
            }

            MxSecureTarget decided = TlsRequirementRules.Decide(resolved.Targets[i], tlsa, domain ?? string.Empty, resolved.IsMxSecure, policy.Result.Policy);
            decisions[i] = decided;
            droppedFlags[i] = TlsRequirementRules.IsDroppedByPolicy(decided, policy.Result.Policy);
            (droppedFlags[i] ? dropped : targets).Add(decided);
            Report(domain, decided, droppedFlags[i], policy.Result);
        }

        var result = new MxSecureResolution(resolved, targets, dropped, policy.Result.Stored, policy.Result.Fetched, policy.Result.Failure, policy.Result.Error, report.Record);
        if (_cache is not null && domain is not null && !anyFailed && !resolved.IsStale && !resolved.IsTemporaryFailure && resolved.TimeToLive is { } ttl)
        {
            TimeSpan keep = TimeSpan.FromSeconds(Math.Min(ttl.TotalSeconds, lifetime));
            if (policy.Result.Stored is { } stored && _policies is not null)
            {
                TimeSpan untilReview = _policies.ReviewAt(stored) - _time.GetUtcNow();
                keep = untilReview < keep ? untilReview : keep;
            }

            _cache.Store(domain, resolved, decisions, droppedFlags, policy.Result, report.Record, keep);
        }

        return Served(result, cached: false, activity);
    }

    private MxSecureResolution Served(MxSecureResolution result, bool cached, Activity? activity = null)
    {
        if (_cache is not null && _telemetry is not null)
        {
            (cached ? _telemetry.SecureCacheHits : _telemetry.SecureCacheMisses).Add(1);
        }

        string mode = result.MtaStsPolicy is { } stored ? PolicyTelemetry.ModeName(stored.Policy.Mode) : "none";
        string source = cached ? "cache" : MtaStsLookupResult.SourceOf(result.MtaStsPolicy, result.MtaStsFetched, result.MtaStsFailure);
        if (activity is not null)
        {
            activity.SetTag(MxResolverTags.Cached, cached);
            activity.SetTag(MxResolverTags.MtaStsMode, mode);
            activity.SetTag(MxResolverTags.MtaStsSource, source);
            activity.SetTag(MxResolverTags.TargetCount, result.Targets.Count);
            if (!result.CanDeliver && result.Resolution.IsSuccess)
            {
                activity.SetStatus(ActivityStatusCode.Error, "No target can be attempted under the policy.");
            }
        }

        if (_logger.IsEnabled(LogLevel.Debug))
        {
            PolicyLog.SecureResolved(
                _logger,
                result.Resolution.AsciiDomain ?? "(not a domain)",
                result.Targets.Count,
                result.DroppedByPolicy.Count,
                result.IsMxSecure,
                mode,
                source,
                cached);
        }

        return result;
    }

    private void Report(string? domain, MxSecureTarget decided, bool droppedByPolicy, MtaStsLookupResult policy)
    {
        string status = PolicyTelemetry.DaneStatusName(decided.Dane);
        _telemetry?.DaneOutcomes.Add(1, new KeyValuePair<string, object?>(MxResolverTags.DaneStatus, status));
        string subject = domain ?? "(not a domain)";
        PolicyLog.TargetDecided(_logger, subject, decided.Target.Host, status, decided.Requirement);
        if (droppedByPolicy)
        {
            PolicyLog.TargetDroppedByPolicy(_logger, subject, decided.Target.Host, policy.Stored?.Id ?? string.Empty);
        }
        else if (decided.SkipReason is { } reason)
        {
            PolicyLog.TargetNotAttempted(_logger, subject, decided.Target.Host, reason);
        }
    }

    private async Task<PolicyDiscovery> DiscoverPolicyAsync(string domain, CancellationToken cancellationToken)
    {
        TxtLookup txt = await _lookups.LookupTxtAsync("_mta-sts." + domain, cancellationToken).ConfigureAwait(false);
        MtaStsRecordLookup record = txt.Kind switch
        {
            TxtLookupKind.Failed => new MtaStsRecordLookup(MtaStsRecordState.Failed, null),
            TxtLookupKind.Records when MtaStsRecord.TryParse(txt.Records, out MtaStsRecord? found, out _) => new MtaStsRecordLookup(MtaStsRecordState.Found, found.Id),
            _ => new MtaStsRecordLookup(MtaStsRecordState.Absent, null),
        };
        MtaStsLookupResult result = await _policies!.GetAsync(domain, record, cancellationToken).ConfigureAwait(false);
        return new PolicyDiscovery(result, txt.TimeToLive, txt.Kind == TxtLookupKind.Failed || result.Failure is not null);
    }

    private async Task<ReportDiscovery> DiscoverTlsRptAsync(string domain, CancellationToken cancellationToken)
    {
        TxtLookup txt = await _lookups.LookupTxtAsync("_smtp._tls." + domain, cancellationToken).ConfigureAwait(false);
        TlsRptRecord? record = txt.Kind == TxtLookupKind.Records && TlsRptRecord.TryParse(txt.Records, out TlsRptRecord? found, out _) ? found : null;
        return new ReportDiscovery(record, txt.TimeToLive, txt.Kind == TxtLookupKind.Failed);
    }

    /// <summary>The MTA-STS part of a secure resolution, with how long it may be reused.</summary>
    private readonly record struct PolicyDiscovery(MtaStsLookupResult Result, uint TimeToLive, bool Failed)
    {
        public static PolicyDiscovery Off { get; } = new(MtaStsLookupResult.None, uint.MaxValue, false);
    }

    /// <summary>The TLS-RPT part of a secure resolution, with how long it may be reused.</summary>
    private readonly record struct ReportDiscovery(TlsRptRecord? Record, uint TimeToLive, bool Failed)
    {
        public static ReportDiscovery Off { get; } = new(null, uint.MaxValue, false);
    }
}
