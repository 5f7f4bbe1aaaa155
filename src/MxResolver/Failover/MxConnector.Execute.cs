using System.Net;
using System.Net.Sockets;
using MxResolver.Failover;

namespace MxResolver;

public sealed partial class MxConnector
{
    /// <inheritdoc />
    public async ValueTask<MxFailoverResult<T>> ExecuteAsync<T>(
        string domainOrAddress,
        Func<MxDestination, CancellationToken, ValueTask<T>> operation,
        Func<Exception, bool>? isRetryable = null,
        int port = 25,
        CancellationToken cancellationToken = default)
    {
        Validate(domainOrAddress, port);
        ArgumentNullException.ThrowIfNull(operation);
        cancellationToken.ThrowIfCancellationRequested();
        isRetryable ??= IsRetryableByDefault;

        using var run = new FailoverRun(domainOrAddress, port, _settings, _timeProvider, cancellationToken);
        MxResolution resolution = await ResolveAsync(run).ConfigureAwait(false);
        if (!resolution.IsSuccess)
        {
            return ResolutionFailed<T>(run, resolution);
        }

        return await AttemptInOrderAsync(run, resolution, resolution.Targets, security: null, operation, isRetryable, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<MxFailoverResult<T>> ExecuteSecureAsync<T>(
        string domainOrAddress,
        Func<MxDestination, CancellationToken, ValueTask<T>> operation,
        Func<Exception, bool>? isRetryable = null,
        int port = 25,
        CancellationToken cancellationToken = default)
    {
        Validate(domainOrAddress, port);
        ArgumentNullException.ThrowIfNull(operation);
        IMxSecurityResolver security = _security
            ?? throw new InvalidOperationException("This connector has no security resolver: ExecuteSecureAsync needs the connector that AddMxResolver registers.");
        cancellationToken.ThrowIfCancellationRequested();
        isRetryable ??= IsRetryableByDefault;

        using var run = new FailoverRun(domainOrAddress, port, _settings, _timeProvider, cancellationToken);
        MxSecureResolution secure;
        try
        {
            secure = await security.ResolveSecureAsync(run.Input, run.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (run.DeadlinePassed)
        {
            return ResolutionFailed<T>(run, new MxResolution(run.Input, MxResolutionStatus.TemporaryFailure)
            {
                Error = $"The overall deadline of {_settings.OverallTimeout.TotalSeconds:0.###} s passed while resolving {run.Subject}.",
            });
        }

        MxResolution resolution = secure.Resolution;
        if (!resolution.IsSuccess)
        {
            return ResolutionFailed<T>(run, resolution);
        }

        // Targets whose requirement is unknown are never attempted (RFC 7672 §2.2): recorded, not connected.
        var byTarget = new Dictionary<MxTarget, MxSecureTarget>(ReferenceEqualityComparer.Instance);
        var attemptable = new List<MxTarget>(secure.Targets.Count);
        foreach (MxSecureTarget target in secure.Targets)
        {
            if (target.CanAttempt)
            {
                byTarget[target.Target] = target;
                attemptable.Add(target.Target);
            }
            else if (target.Target.Addresses.Count > 0)
            {
                AttemptRecord skipped = StartAttempt(run, target.Target, target.Target.Addresses[0]);
                EndAttempt(run, skipped, MxAttemptOutcome.SkippedByPolicy, target.SkipReason, affectsHealth: false);
            }
        }

        return await AttemptInOrderAsync(run, resolution, attemptable, byTarget, operation, isRetryable, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<MxFailoverResult<T>> AttemptInOrderAsync<T>(
        FailoverRun run,
        MxResolution resolution,
        IReadOnlyList<MxTarget> targets,
        Dictionary<MxTarget, MxSecureTarget>? security,
        Func<MxDestination, CancellationToken, ValueTask<T>> operation,
        Func<Exception, bool> isRetryable,
        CancellationToken cancellationToken)
    {
        int port = run.Port;
        // One address at a time: the operation may deliver a message, which must never happen twice
        // in parallel, so there is no racing here (RFC 8305 applies to connecting, not to sessions).
        foreach (AttemptGroup group in AttemptPlan.Build(targets, _health))
        {
            foreach (IPAddress address in group.Addresses)
            {
                if (!run.CanStart)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    return AllAttemptsFailed<T>(run, resolution);
                }

                AttemptRecord record = StartAttempt(run, group.Target, address);
                try
                {
                    T value = await operation(new MxDestination(group.Target, address, port, record.Number, security?.GetValueOrDefault(group.Target)), run.Token).ConfigureAwait(false);
                    EndAttempt(run, record, MxAttemptOutcome.Succeeded, error: null);
                    return Succeeded(run, resolution, record, value);
                }
                catch (Exception e) when (cancellationToken.IsCancellationRequested)
                {
                    EndAttempt(run, record, MxAttemptOutcome.Cancelled, e.Message, affectsHealth: false);
                    throw;
                }
                catch (Exception e) when (run.DeadlinePassed)
                {
                    EndAttempt(run, record, MxAttemptOutcome.DeadlinePassed, e.Message, affectsHealth: false);
                    return AllAttemptsFailed<T>(run, resolution);
                }
                catch (Exception e) when (isRetryable(e))
                {
                    EndAttempt(run, record, OutcomeOf(e), e.Message);
                }
                catch (Exception e)
                {
                    // Not the address's fault (e.g. a recipient refused with 5xx): health untouched.
                    EndAttempt(run, record, MxAttemptOutcome.OperationFailed, e.Message, affectsHealth: false);
                    throw;
                }
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        return AllAttemptsFailed<T>(run, resolution);
    }

    /// <summary>
    /// The default of <see cref="IMxConnector.ExecuteAsync{T}"/>'s <c>isRetryable</c>: network and
    /// I/O errors and timeouts. It only ever sees an <see cref="OperationCanceledException"/> that is
    /// the operation's own timeout: the caller's cancellation and the deadline are handled before.
    /// </summary>
    internal static bool IsRetryableByDefault(Exception exception)
        => exception is SocketException or IOException or TimeoutException or OperationCanceledException;

    private static MxAttemptOutcome OutcomeOf(Exception exception) => exception switch
    {
        SocketException socket => Classify(socket.SocketErrorCode),
        IOException { InnerException: SocketException socket } => Classify(socket.SocketErrorCode),
        TimeoutException or OperationCanceledException => MxAttemptOutcome.TimedOut,
        _ => MxAttemptOutcome.OperationFailed,
    };
}
