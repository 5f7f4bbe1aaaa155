using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MxResolver.Diagnostics;
using MxResolver.Failover;
using MxResolver.Resolution;

namespace MxResolver;

/// <summary>
/// Connects to the mail exchangers of a domain in attempt order and fails over to the next address
/// when one fails (R20–R23), remembering failed addresses (R22). Thread-safe; create one and share
/// it, since the host health it keeps is only useful when shared.
/// </summary>
/// <remarks>
/// Rule numbers (R20–R23) refer to the behaviour rules in <c>docs/behaviour.md</c> of the
/// repository. Logs, spans and metrics name the domain (ASCII form) or the address literal, never
/// the input, which may be an email address.
/// </remarks>
/// <example>
/// <code>
/// var resolver = new MailExchangeResolver();
/// using var connector = new MxConnector(resolver, new MxFailoverOptions { CheckGreeting = true });
/// MxFailoverResult&lt;MxConnection&gt; result = await connector.ConnectAsync("example.com");
/// if (result.IsSuccess)
/// {
///     await using MxConnection connection = result.Value;
///     // speak SMTP over connection.Stream; the 220 greeting is in connection.Greeting
/// }
/// </code>
/// </example>
public sealed partial class MxConnector : IMxConnector, IDisposable
{
    private readonly IMxResolver _resolver;
    private readonly FailoverSettings _settings;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly MxResolverTelemetry _telemetry;
    private readonly bool _ownsTelemetry;
    private readonly HostHealthTable _health;
    private readonly IMxSecurityResolver? _security;

    /// <summary>Creates a connector over <paramref name="resolver"/>.</summary>
    /// <param name="resolver">Resolves the domains; not disposed by the connector.</param>
    /// <param name="options">
    /// The settings; checked against the same rules as with dependency injection (see
    /// <see cref="MxResolverOptions"/>) and copied, so later changes have no effect. Default: the
    /// defaults of <see cref="MxFailoverOptions"/>.
    /// </param>
    /// <param name="timeProvider">The clock of every timeout, delay and back-off. Default: <see cref="TimeProvider.System"/>.</param>
    /// <param name="logger">Where to log; none when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="resolver"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">
    /// A setting of <paramref name="options"/> breaks a rule; the message names its configuration key
    /// and is the text dependency injection reports, e.g. <c>MxResolver:Failover:MaxAttempts '0' must be between 1 and 1000.</c>
    /// </exception>
    public MxConnector(IMxResolver resolver, MxFailoverOptions? options = null, TimeProvider? timeProvider = null, ILogger? logger = null)
        : this(resolver, options ?? new MxFailoverOptions(), timeProvider ?? TimeProvider.System, logger, telemetry: null)
    {
    }

    /// <summary>Creates a connector that records into a shared <paramref name="telemetry"/> (the DI layer's singleton), or its own when <see langword="null"/>.</summary>
    internal MxConnector(IMxResolver resolver, MxFailoverOptions options, TimeProvider timeProvider, ILogger? logger, MxResolverTelemetry? telemetry, IMxSecurityResolver? security = null)
    {
        _security = security;
        ArgumentNullException.ThrowIfNull(resolver);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _settings = FailoverSettings.From(options);
        _resolver = resolver;
        _timeProvider = timeProvider;
        _logger = logger ?? NullLogger.Instance;
        _ownsTelemetry = telemetry is null;
        _telemetry = telemetry ?? new MxResolverTelemetry();
        _health = new HostHealthTable(timeProvider, _settings.HealthBackoff, _settings.MaxHealthBackoff, _settings.MaxHealthEntries);
    }

    /// <summary>The host health shared by every call (R22); exposed for tests.</summary>
    internal HostHealthTable Health => _health;

    /// <summary>Releases the metrics instruments the connector created for itself.</summary>
    public void Dispose()
    {
        if (_ownsTelemetry)
        {
            _telemetry.Dispose();
        }
    }

    private static void Validate(string domainOrAddress, int port)
    {
        ArgumentNullException.ThrowIfNull(domainOrAddress);
        ArgumentOutOfRangeException.ThrowIfLessThan(port, IPEndPoint.MinPort + 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, IPEndPoint.MaxPort);
    }

    /// <summary>Resolves within the overall deadline; a deadline that passes is a temporary failure, a cancelled caller an exception.</summary>
    private async ValueTask<MxResolution> ResolveAsync(FailoverRun run)
    {
        try
        {
            return await _resolver.ResolveAsync(run.Input, run.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (run.DeadlinePassed)
        {
            return new MxResolution(run.Input, MxResolutionStatus.TemporaryFailure)
            {
                Error = $"The overall deadline of {_settings.OverallTimeout.TotalSeconds:0.###} s passed while resolving {run.Subject}.",
            };
        }
    }

    private MxFailoverResult<T> ResolutionFailed<T>(FailoverRun run, MxResolution resolution)
    {
        FailoverLog.ResolutionFailed(_logger, run.Subject, resolution.Status, ResolutionLog.LoggableError(resolution));
        return new MxFailoverResult<T>(MxFailoverStatus.ResolutionFailed, resolution, [], run.Elapsed, resolution.Error ?? $"The resolution of {run.Subject} failed: {resolution.Status}.");
    }

    /// <summary>R23: every attempt failed, or the cap or the deadline stopped them; temporary, 4.4.1.</summary>
    private MxFailoverResult<T> AllAttemptsFailed<T>(FailoverRun run, MxResolution resolution)
    {
        IReadOnlyList<MxAttempt> attempts = run.Attempts();
        string why = run.DeadlinePassed
            ? $"the overall deadline of {_settings.OverallTimeout.TotalSeconds:0.###} s passed"
            : run.ReachedMaxAttempts && attempts.Count < resolution.Targets.Sum(target => target.Addresses.Count)
                ? $"the limit of {_settings.MaxAttempts} attempt(s) was reached"
                : "every address failed";
        string error = $"No mail exchanger of {run.Subject} accepted ({why}): {string.Join("; ", attempts)}.";
        FailoverLog.AllAttemptsFailed(_logger, run.Subject, attempts.Count, run.Elapsed.TotalMilliseconds, error);
        return new MxFailoverResult<T>(MxFailoverStatus.AllAttemptsFailed, resolution, attempts, run.Elapsed, error);
    }

    private MxFailoverResult<T> Succeeded<T>(FailoverRun run, MxResolution resolution, AttemptRecord record, T value)
    {
        TimeSpan elapsed = run.Elapsed;
        _telemetry.TimeToConnect.Record(elapsed.TotalSeconds);
        FailoverLog.Succeeded(_logger, run.Subject, record.Target.Host, record.EndPoint, run.AttemptCount, elapsed.TotalMilliseconds);
        return new MxFailoverResult<T>(MxFailoverStatus.Succeeded, resolution, run.Attempts(), elapsed, error: null, value, record.Target, record.Address);
    }

    private AttemptRecord StartAttempt(FailoverRun run, MxTarget target, IPAddress address)
    {
        if (run.FailoverPending)
        {
            run.FailoverPending = false;
            _telemetry.Failovers.Add(1);
        }

        // StartActivity makes the span current; put the caller's back so that attempts racing in
        // this flow are siblings under the caller's span, not nested in one another.
        Activity? parent = Activity.Current;
        Activity? activity = MxResolverTelemetry.ActivitySource.StartActivity(MxResolverTags.ConnectActivity, ActivityKind.Client);
        Activity.Current = parent;
        if (activity is not null)
        {
            activity.SetTag(MxResolverTags.ServerAddress, target.Host);
            activity.SetTag(MxResolverTags.ServerPort, run.Port);
            activity.SetTag(MxResolverTags.PeerAddress, address.ToString());
            activity.SetTag(MxResolverTags.Preference, (int)target.Preference);
        }

        AttemptRecord record = run.Start(target, address, activity);
        FailoverLog.AttemptStarted(_logger, record.Number, run.Subject, target.Host, target.Preference, record.EndPoint);
        return record;
    }

    /// <summary>Ends an attempt: the log, the metrics, the span and host health (R22).</summary>
    private void EndAttempt(FailoverRun run, AttemptRecord record, MxAttemptOutcome outcome, string? error, bool affectsHealth = true)
    {
        TimeSpan elapsed = run.ElapsedSince(record.StartTimestamp);
        record.Result = new MxAttempt(record.Target.Host, record.Target.Preference, record.Address, record.Port, outcome, record.StartedAfter, elapsed, error);
        _telemetry.ConnectionAttempts.Add(1, new KeyValuePair<string, object?>(MxResolverTags.ConnectOutcome, OutcomeTag(outcome)));

        if (record.Activity is { } activity)
        {
            activity.SetTag(MxResolverTags.ConnectOutcome, OutcomeTag(outcome));
            if (outcome != MxAttemptOutcome.Succeeded)
            {
                activity.SetTag(MxResolverTags.ErrorType, OutcomeTag(outcome));
                activity.SetStatus(ActivityStatusCode.Error, error);
            }

            activity.Stop();
        }

        switch (outcome)
        {
            case MxAttemptOutcome.Succeeded:
                _health.ReportSuccess(record.Address);
                FailoverLog.AttemptEnded(_logger, record.Number, run.Subject, record.Target.Host, record.EndPoint, outcome, elapsed.TotalMilliseconds);
                break;

            case MxAttemptOutcome.Cancelled or MxAttemptOutcome.DeadlinePassed:
                // Not the address's fault: it lost a race or ran out of our time.
                FailoverLog.AttemptEnded(_logger, record.Number, run.Subject, record.Target.Host, record.EndPoint, outcome, elapsed.TotalMilliseconds);
                break;

            default:
                FailoverLog.AttemptFailed(_logger, record.Number, run.Subject, record.Target.Host, record.EndPoint, outcome, elapsed.TotalMilliseconds, error);
                run.FailoverPending = true;
                if (affectsHealth)
                {
                    (TimeSpan backoff, int failures) = _health.ReportFailure(record.Address);
                    if (failures > 0)
                    {
                        FailoverLog.MarkedUnhealthy(_logger, record.Address, backoff, failures);
                    }
                }

                break;
        }
    }

    /// <summary>How a socket error counts (R20): refused and unreachable move on at once, the rest too, but say so.</summary>
    internal static MxAttemptOutcome Classify(SocketError error) => error switch
    {
        SocketError.ConnectionRefused => MxAttemptOutcome.Refused,
        SocketError.NetworkUnreachable or SocketError.HostUnreachable or SocketError.NetworkDown or SocketError.HostDown
            or SocketError.AddressNotAvailable or SocketError.AddressFamilyNotSupported => MxAttemptOutcome.Unreachable,
        SocketError.TimedOut => MxAttemptOutcome.TimedOut,
        _ => MxAttemptOutcome.NetworkError,
    };

    private static string OutcomeTag(MxAttemptOutcome outcome) => outcome switch
    {
        MxAttemptOutcome.Succeeded => "succeeded",
        MxAttemptOutcome.Refused => "refused",
        MxAttemptOutcome.Unreachable => "unreachable",
        MxAttemptOutcome.TimedOut => "timed_out",
        MxAttemptOutcome.NetworkError => "network_error",
        MxAttemptOutcome.GreetingRejected => "greeting_rejected",
        MxAttemptOutcome.GreetingTimedOut => "greeting_timed_out",
        MxAttemptOutcome.GreetingInvalid => "greeting_invalid",
        MxAttemptOutcome.OperationFailed => "operation_failed",
        MxAttemptOutcome.Cancelled => "cancelled",
        MxAttemptOutcome.DeadlinePassed => "deadline_passed",
        _ => "unknown",
    };
}
