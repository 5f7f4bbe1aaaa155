using System.Diagnostics;
using System.Net;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MxResolver.Caching;
using MxResolver.Diagnostics;
using MxResolver.Dns;
using MxResolver.Lookup;
using MxResolver.Resolution;
using MxResolver.Input;
using MxResolver.Transport;

namespace MxResolver;

/// <summary>
/// Resolves where mail for a domain goes (RFC 5321 §5.1, RFC 7505), asking the configured name
/// servers directly. Thread-safe; create one and share it.
/// </summary>
/// <remarks>
/// Every expected outcome is a <see cref="MxResolutionStatus"/>, never an exception. Rule numbers
/// (R1–R38) in this library's documentation refer to the behaviour rules in
/// <c>docs/behaviour.md</c> of the repository: input (R1–R3), the MX set (R4–R10), ordering
/// (R11–R14), addresses (R15–R19) and caching (R24–R28).
/// </remarks>
/// <example>
/// <code>
/// var resolver = new MailExchangeResolver(new MxResolverOptions { NameServers = { "192.0.2.53" } });
/// MxResolution result = await resolver.ResolveAsync("example.com");
/// </code>
/// </example>
public sealed partial class MailExchangeResolver : IMxResolver
{
    private readonly ResolverSettings _settings;
    private readonly IDnsLookup _lookup;
    private readonly TimeProvider _timeProvider;
    private readonly Random _random;
    private readonly ILogger _logger;
    private readonly MxResolverTelemetry? _telemetry;
    private readonly ResolutionDeadlines? _deadlines;
    private readonly Func<MxCandidate, bool>? _isLocal;

    /// <summary>Creates a resolver with the default <see cref="MxResolverOptions"/> (the system's name servers).</summary>
    /// <exception cref="InvalidOperationException">The system's configuration names no name server.</exception>
    public MailExchangeResolver()
        : this(new MxResolverOptions())
    {
    }

    /// <summary>
    /// Creates a resolver that queries the name servers of <paramref name="options"/>, with a DNS
    /// answer and resolution cache of its own unless <see cref="MxCacheOptions.Enabled"/> is off
    /// (<see cref="MxResolverOptions.Cache"/>); <see cref="IMxResolverCache"/> flushes it.
    /// </summary>
    /// <param name="options">
    /// The settings; checked against the same rules as with dependency injection (see
    /// <see cref="MxResolverOptions"/>) and copied, so later changes have no effect.
    /// <see cref="MxResolverOptions.Failover"/> is not read: it belongs to <see cref="MxConnector"/>.
    /// </param>
    /// <param name="timeProvider">
    /// The clock of timeouts, the resolution deadline and cache lifetimes. Default:
    /// <see cref="TimeProvider.System"/>.
    /// </param>
    /// <param name="loggerFactory">
    /// Gives the resolver, its DNS client and its cache their loggers (the categories dependency
    /// injection uses). Default: no logging.
    /// </param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">
    /// A setting breaks a rule; the message names its configuration key and is the text dependency
    /// injection reports, e.g. <c>MxResolver:QueryAttempts '11' must be between 1 and 10.</c>
    /// </exception>
    /// <exception cref="InvalidOperationException"><see cref="MxResolverOptions.NameServers"/> is empty and the system's configuration names no name server.</exception>
    public MailExchangeResolver(MxResolverOptions options, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
        : this(ResolverSettings.From(options), options.Cache, timeProvider ?? TimeProvider.System, loggerFactory ?? NullLoggerFactory.Instance)
    {
    }

    private MailExchangeResolver(ResolverSettings settings, MxCacheOptions cache, TimeProvider timeProvider, ILoggerFactory loggerFactory)
        : this(
            settings,
            NetworkLookup.Create(settings, cache, timeProvider, NetworkLookup.SharedTelemetry, loggerFactory),
            timeProvider,
            Random.Shared,
            loggerFactory.CreateLogger<MailExchangeResolver>(),
            NetworkLookup.SharedTelemetry)
    {
    }

    private MailExchangeResolver(ResolverSettings settings, DnsStack stack, TimeProvider timeProvider, Random random, ILogger? logger, MxResolverTelemetry? telemetry)
        : this(settings, stack.Lookup, stack.AnswerCache, timeProvider, random, logger, telemetry)
    {
        _client = stack.Client;
    }

    /// <summary>Creates a resolver over any lookup; tests pass a fake, the DI layer a cached lookup.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="lookup">Answers the questions.</param>
    /// <param name="timeProvider">The clock of the resolution deadline.</param>
    /// <param name="random">
    /// The source of the tie shuffle (R12). Used without locking: pass <see cref="Random.Shared"/>
    /// or an instance the resolver alone uses from one thread at a time.
    /// </param>
    /// <param name="logger">Where to log; none when <see langword="null"/>.</param>
    internal MailExchangeResolver(MxResolverOptions options, IDnsLookup lookup, TimeProvider timeProvider, Random random, ILogger? logger)
        : this(ResolverSettings.From(options), lookup, answerCache: null, timeProvider, random, logger, telemetry: null)
    {
    }

    /// <summary>
    /// Creates a resolver over a DNS answer cache, which it also uses for its flush API and to size
    /// and time its cache of whole resolutions.
    /// </summary>
    internal MailExchangeResolver(MxResolverOptions options, CachingDnsLookup answerCache, TimeProvider timeProvider, Random random, ILogger? logger)
        : this(ResolverSettings.From(options), answerCache, answerCache, timeProvider, random, logger, telemetry: null)
    {
    }

    /// <summary>Creates a resolver over a built stack, counting resolutions by status on <paramref name="telemetry"/> (the DI layer passes its singletons).</summary>
    internal MailExchangeResolver(MxResolverOptions options, DnsStack stack, TimeProvider timeProvider, Random random, ILogger? logger, MxResolverTelemetry? telemetry)
        : this(ResolverSettings.From(options), stack.Lookup, stack.AnswerCache, timeProvider, random, logger, telemetry)
    {
        _client = stack.Client;
    }

    private MailExchangeResolver(ResolverSettings settings, IDnsLookup lookup, CachingDnsLookup? answerCache, TimeProvider timeProvider, Random random, ILogger? logger, MxResolverTelemetry? telemetry)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(random);
        _settings = settings;
        _lookup = lookup;
        _timeProvider = timeProvider;
        _random = random;
        _logger = logger ?? NullLogger.Instance;
        _telemetry = telemetry;
        _answerCache = answerCache;
        _resolutionCache = answerCache is null ? null : new ResolutionCache(answerCache.TimeProvider, answerCache.MaxEntries, settings.MaxAddresses);
        _deadlines = settings.ResolutionTimeout == Timeout.InfiniteTimeSpan ? null : new ResolutionDeadlines(settings.ResolutionTimeout, timeProvider);

        // Made once: a method group converted per resolution would be a delegate per resolution.
        _isLocal = settings.LocalHostNames.Count > 0 || settings.LocalAddresses.Count > 0 ? IsLocal : null;
    }

    /// <inheritdoc />
    public ValueTask<MxResolution> ResolveAsync(string domainOrAddress, CancellationToken cancellationToken = default)
    {
        // Callers may do with the task what a task allows (wait on it, await it twice): a resolution
        // that has to wait is handed out as a Task, never as the pooled box it runs in.
        ValueTask<MxResolution> resolution = ResolvePooledAsync(domainOrAddress, cancellationToken);
        return resolution.IsCompletedSuccessfully ? new ValueTask<MxResolution>(resolution.Result) : new ValueTask<MxResolution>(resolution.AsTask());
    }

    /// <summary>
    /// <see cref="ResolveAsync"/> for a caller that awaits the task exactly once and does nothing
    /// else with it (<c>ResolveManyAsync</c>): the task may be a pooled box, which is reused for
    /// another resolution once its result has been read.
    /// </summary>
    internal ValueTask<MxResolution> ResolvePooledAsync(string domainOrAddress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(domainOrAddress);
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        cancellationToken.ThrowIfCancellationRequested();

        // The span is started inside an async method so that Activity.Current is restored for the caller.
        return MxResolverTelemetry.ActivitySource.HasListeners()
            ? ResolveTracedAsync(domainOrAddress, cancellationToken)
            : ResolveCoreAsync(domainOrAddress, cancellationToken);
    }

    private async ValueTask<MxResolution> ResolveTracedAsync(string domainOrAddress, CancellationToken cancellationToken)
    {
        using Activity? activity = MxResolverTelemetry.ActivitySource.StartActivity(MxResolverTags.ResolutionActivity);
        MxResolution result = await ResolveCoreAsync(domainOrAddress, cancellationToken).ConfigureAwait(false);
        if (activity is not null)
        {
            // Not the input: it may be an email address, which does not belong in traces.
            activity.SetTag(MxResolverTags.Domain, result.AsciiDomain);
            activity.SetTag(MxResolverTags.Status, MxResolutionStatusNames.Get(result.Status));
            activity.SetTag(MxResolverTags.TargetCount, result.Targets.Count);
            activity.SetTag(MxResolverTags.Stale, result.IsStale);
            if (result.IsTemporaryFailure)
            {
                activity.SetStatus(ActivityStatusCode.Error, result.Error);
            }
        }

        return result;
    }

    private ValueTask<MxResolution> ResolveCoreAsync(string domainOrAddress, CancellationToken cancellationToken)
    {
        // A separate method, so that a cache hit does not pay for the closures of a resolution.
        return TryGetCached(domainOrAddress, out MxResolution? cached)
            ? new ValueTask<MxResolution>(Count(cached))
            : ResolveUncachedAsync(domainOrAddress, cancellationToken);
    }

    private ValueTask<MxResolution> ResolveUncachedAsync(string domainOrAddress, CancellationToken cancellationToken)
    {
        var builder = new MxResolutionBuilder(domainOrAddress);
        MxInput input = MxInputParser.Parse(domainOrAddress);
        switch (input.Kind)
        {
            case MxInputKind.Invalid:
                // R3: rejected before any query, permanently.
                return new ValueTask<MxResolution>(Log(builder.Build(MxResolutionStatus.InvalidInput, error: input.Error)));

            case MxInputKind.AddressLiteral:
                // R2: a literal needs no DNS (so nothing to wait for, and no deadline); it still goes
                // through self-pruning and the filter.
                MxCandidate literal = new(input.LiteralText!, 0, IsImplicit: false, input.Address);
                return new ValueTask<MxResolution>(Log(ResolveCandidates([literal], isImplicit: false, builder)));

            default:
                if (TryGetCached(input.AsciiDomain!, domainOrAddress, out MxResolution? cached))
                {
                    return new ValueTask<MxResolution>(Count(cached));
                }

                builder.AsciiDomain = input.AsciiDomain;
                builder.UnicodeDomain = input.UnicodeDomain;
                return ResolveDomainAsync(input.AsciiDomain!, builder, cancellationToken);
        }
    }

    /// <summary>
    /// The whole resolution of a domain under its deadline (R6): the MX lookup, then the address
    /// lookups of every candidate at once (R15). One asynchronous method, so that a resolution
    /// costs one state machine rather than one per step.
    /// </summary>
    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    private async ValueTask<MxResolution> ResolveDomainAsync(string asciiDomain, MxResolutionBuilder builder, CancellationToken cancellationToken)
    {
        // The deadline's source is linked to the caller's token by a registration rather than a
        // linked source; both go back to the pool (or away) once every lookup started has ended.
        CancellationTokenSource? deadline = _deadlines?.Rent();
        CancellationTokenRegistration link = deadline is null ? default : cancellationToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), deadline);
        CancellationToken token = deadline?.Token ?? cancellationToken;
        try
        {
            long cacheGeneration = _resolutionCache?.Generation ?? 0;

            // R1: always the absolute name; no search list, no ndots.
            string name = asciiDomain + ".";
            DnsAnswer answer;
            try
            {
                answer = await _lookup.LookupAsync(name, DnsRecordType.MX, token).ConfigureAwait(false);
            }
            catch (DnsQueryException e)
            {
                // The failure contract of IDnsLookup, enforced: a lookup that throws it fails as a value.
                answer = DnsAnswer.Failed(name, DnsRecordType.MX, e.Error, e.Message);
            }

            builder.IsMxSecure = answer.IsSecure;
            MxSet set = MxSetReader.Read(answer, asciiDomain, _settings, builder);
            MxResolution result;
            if (set.Status is { } status)
            {
                result = builder.Build(status, error: set.Error);
            }
            else if (OrderCandidates(set.Candidates!, builder, out ushort best, out ushort? self) is not { Count: > 0 } ordered)
            {
                result = builder.Build(MxResolutionStatus.LoopsToSelf, error: LoopsToSelfError(builder));
            }
            else
            {
                // R15: every lookup is started before any is awaited, so that a domain with five
                // exchanges costs about one round trip after the MX lookup, not ten. Each is awaited
                // even after another failed: none may outlive the resolution (nor its deadline's source).
                ValueTask<DnsAnswer>[] pending = StartAddressLookups(ordered, token);
                TargetAnswers[] answers = WithoutAnswers(ordered);
                Exception? failure = null;
                for (int i = 0; i < pending.Length; i++)
                {
                    MxCandidate candidate = ordered[i / 2];
                    if (candidate.Address is not null)
                    {
                        continue;
                    }

                    DnsRecordType type = i % 2 == 0 ? DnsRecordType.A : DnsRecordType.AAAA;
                    DnsAnswer address;
                    try
                    {
                        address = await pending[i].ConfigureAwait(false);
                    }
                    catch (DnsQueryException e)
                    {
                        address = DnsAnswer.Failed(candidate.QueryName, type, e.Error, e.Message);
                    }
                    catch (Exception e)
                    {
                        failure ??= e;
                        continue;
                    }

                    answers[i / 2] = type == DnsRecordType.A ? answers[i / 2] with { IPv4 = address } : answers[i / 2] with { IPv6 = address };
                }

                if (failure is not null)
                {
                    ExceptionDispatchInfo.Throw(failure);
                }

                result = SelectTargets(ordered, answers, set.IsImplicit, best, self, builder);
            }

            _resolutionCache?.Store(asciiDomain, result, builder.AnyLookupFailed, cacheGeneration);
            return Log(result);
        }
        catch (OperationCanceledException) when (deadline is not null && deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // The deadline is ours, not the caller's: the outcome is a value, and temporary (R6).
            ResolutionLog.DeadlinePassed(_logger, asciiDomain, _settings.ResolutionTimeout);
            return Log(builder.Build(
                MxResolutionStatus.TemporaryFailure,
                error: $"The resolution of {asciiDomain} did not finish within its deadline of {_settings.ResolutionTimeout.TotalSeconds:0.###} s."));
        }
        finally
        {
            // The registration first: once disposed, the caller's cancellation no longer reaches the source.
            link.Dispose();
            if (deadline is not null)
            {
                _deadlines!.Return(deadline);
            }
        }
    }

    /// <summary>Starts the A and AAAA lookups (at 2i and 2i + 1) of every candidate that needs them (R15).</summary>
    private ValueTask<DnsAnswer>[] StartAddressLookups(List<MxCandidate> candidates, CancellationToken cancellationToken)
    {
        var pending = new ValueTask<DnsAnswer>[candidates.Count * 2];
        for (int i = 0; i < candidates.Count; i++)
        {
            MxCandidate candidate = candidates[i];
            if (candidate.Address is null)
            {
                string name = candidate.QueryName; // R1: absolute, never completed with a search list
                pending[2 * i] = _lookup.LookupAsync(name, DnsRecordType.A, cancellationToken);
                pending[(2 * i) + 1] = _lookup.LookupAsync(name, DnsRecordType.AAAA, cancellationToken);
            }
        }

        return pending;
    }

    /// <summary>
    /// R13, R11, R12, R14 (by name) and R19: puts <paramref name="ordered"/> (the candidates, a list of
    /// the caller's own) in attempt order, in place, and returns it; empty when this host is the best
    /// of them (<paramref name="self"/> then says at which preference).
    /// </summary>
    private List<MxCandidate> OrderCandidates(List<MxCandidate> ordered, MxResolutionBuilder builder, out ushort best, out ushort? self)
    {
        ExchangeOrdering.Deduplicate(ordered, builder); // R13
        ExchangeOrdering.SortAndShuffle(ordered, _random); // R11, R12
        best = ordered[0].Preference;

        // R14, by name (and by the address of a literal) before any address lookup.
        self = _isLocal is { } isLocal ? ExchangeOrdering.PruneSelf(ordered, isLocal, builder) : null;
        if (ordered.Count > 0)
        {
            ExchangeOrdering.Cap(ordered, _settings.MaxTargets, builder); // R19
        }

        return ordered;
    }

    /// <summary>The result for candidates that need no lookup: an address literal (R2).</summary>
    private MxResolution ResolveCandidates(List<MxCandidate> candidates, bool isImplicit, MxResolutionBuilder builder)
    {
        List<MxCandidate> ordered = OrderCandidates(candidates, builder, out ushort best, out ushort? self);
        return ordered.Count == 0
            ? builder.Build(MxResolutionStatus.LoopsToSelf, error: LoopsToSelfError(builder))
            : SelectTargets(ordered, WithoutAnswers(ordered), isImplicit, best, self, builder);
    }

    /// <summary>One entry per candidate, in order, with no answer yet.</summary>
    private static TargetAnswers[] WithoutAnswers(List<MxCandidate> ordered)
    {
        var answers = new TargetAnswers[ordered.Count];
        for (int i = 0; i < answers.Length; i++)
        {
            answers[i] = new TargetAnswers(ordered[i], null, null);
        }

        return answers;
    }

    /// <summary>The result from the ordered candidates and their address answers (<see langword="null"/> where no lookup was needed).</summary>
    private MxResolution SelectTargets(List<MxCandidate> ordered, TargetAnswers[] targets, bool isImplicit, ushort best, ushort? self, MxResolutionBuilder builder)
    {

        // R14, by the addresses the targets resolved to.
        if (_settings.LocalAddresses.Count > 0)
        {
            var local = targets.Where(HasLocalAddress).Select(answer => answer.Candidate).ToHashSet();
            ushort? selfByAddress = ExchangeOrdering.PruneSelf(ordered, local.Contains, builder);
            if (selfByAddress is not null)
            {
                self = self is null ? selfByAddress : Math.Min(self.Value, selfByAddress.Value);
                var remaining = ordered.ToHashSet();
                targets = targets.Where(answer => remaining.Contains(answer.Candidate)).ToArray();
            }
        }

        TargetSelectionResult selection = TargetSelection.Select(targets, _settings, builder); // R16-R19
        if (selection.Targets.Count > 0)
        {
            return builder.Build(isImplicit ? MxResolutionStatus.ImplicitMx : MxResolutionStatus.Success, selection.Targets);
        }

        if (selection.TemporaryFailures.Count > 0)
        {
            // R16 (and R7: a temporary failure of the implicit MX's lookup is temporary).
            return builder.Build(
                MxResolutionStatus.TemporaryFailure,
                error: $"No target has a usable address, and lookups failed: {string.Join("; ", selection.TemporaryFailures)}");
        }

        if (self is not null && self <= best)
        {
            return builder.Build(MxResolutionStatus.LoopsToSelf, error: LoopsToSelfError(builder));
        }

        if (isImplicit && selection.AllWithoutAddress)
        {
            // R7
            return builder.Build(MxResolutionStatus.NoMailHost, error: $"{builder.CanonicalName} has neither MX nor address records.");
        }

        return builder.Build(MxResolutionStatus.NoUsableTarget, error: NoUsableTargetError(builder));
    }

    private bool IsLocal(MxCandidate candidate)
        => _settings.LocalHostNames.Contains(candidate.Host)
            || (candidate.Address is not null && _settings.LocalAddresses.Contains(AddressClassifier.Normalize(candidate.Address)));

    private bool HasLocalAddress(TargetAnswers answers)
        => HasLocalAddress(answers.IPv4) || HasLocalAddress(answers.IPv6);

    private bool HasLocalAddress(DnsAnswer? answer)
    {
        if (answer is not { Kind: DnsAnswerKind.Success })
        {
            return false;
        }

        foreach (IPAddress address in answer.Addresses)
        {
            if (_settings.LocalAddresses.Contains(AddressClassifier.Normalize(address)))
            {
                return true;
            }
        }

        return false;
    }

    private static string LoopsToSelfError(MxResolutionBuilder builder)
    {
        DroppedExchange? self = builder.DroppedExchanges.FirstOrDefault(dropped => dropped.Reason == ExchangeDropReason.SelfPruned);
        return $"This host ({self?.Host}) is the best mail exchanger{(builder.AsciiDomain is null ? string.Empty : $" of {builder.AsciiDomain}")}: delivering would loop (RFC 5321 §5.1).";
    }

    private static string NoUsableTargetError(MxResolutionBuilder builder)
    {
        IEnumerable<string> reasons = builder.DroppedExchanges
            .Where(dropped => dropped.Reason is not ExchangeDropReason.Duplicate and not ExchangeDropReason.NullMx)
            .Select(dropped => $"{dropped.Host} ({dropped.Reason})");
        return $"No target has a usable address: {string.Join(", ", reasons)}.";
    }

    /// <summary>Counts a resolution by status (<c>mxresolver.resolutions</c>); cached ones too, without logging them.</summary>
    private MxResolution Count(MxResolution result)
    {
        _telemetry?.Resolutions.Add(1, new KeyValuePair<string, object?>(MxResolverTags.Status, MxResolutionStatusNames.Get(result.Status)));
        return result;
    }

    private MxResolution Log(MxResolution result)
    {
        Count(result);
        if (result.IsSuccess)
        {
            ResolutionLog.Resolved(_logger, ResolutionLog.Subject(result), result.Status, result.Targets.Count, result.DroppedExchanges.Count);
        }
        else
        {
            // The input may be an email address, which is personal data: logs name the domain only.
            ResolutionLog.Failed(_logger, ResolutionLog.Subject(result), result.Status, ResolutionLog.LoggableError(result));
        }

        return result;
    }
}
