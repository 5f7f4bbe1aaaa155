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

        // One address at a time: the operation may deliver a message, which must never happen twice
        // in parallel, so there is no racing here (RFC 8305 applies to connecting, not to sessions).
        foreach (AttemptGroup group in AttemptPlan.Build(resolution.Targets, _health))
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
                    T value = await operation(new MxDestination(group.Target, address, port, record.Number), run.Token).ConfigureAwait(false);
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
