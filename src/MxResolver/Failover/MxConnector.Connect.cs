using System.Net;
using System.Net.Sockets;
using MxResolver.Failover;

namespace MxResolver;

public sealed partial class MxConnector
{
    /// <inheritdoc />
    public async ValueTask<MxFailoverResult<MxConnection>> ConnectAsync(string domainOrAddress, int port = 25, CancellationToken cancellationToken = default)
    {
        Validate(domainOrAddress, port);
        cancellationToken.ThrowIfCancellationRequested();

        using var run = new FailoverRun(domainOrAddress, port, _settings, _timeProvider, cancellationToken);
        MxResolution resolution = await ResolveAsync(run).ConfigureAwait(false);
        if (!resolution.IsSuccess)
        {
            return ResolutionFailed<MxConnection>(run, resolution);
        }

        foreach (AttemptGroup group in AttemptPlan.Build(resolution.Targets, _health))
        {
            var pending = new Queue<IPAddress>(group.Addresses);
            while (pending.Count > 0 && run.CanStart)
            {
                (Socket Socket, AttemptRecord Record)? winner = await RaceAsync(run, group.Target, pending).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                if (winner is not var (socket, record))
                {
                    break;
                }

                if (!_settings.CheckGreeting)
                {
                    EndAttempt(run, record, MxAttemptOutcome.Succeeded, error: null);
                    return Succeeded(run, resolution, record, new MxConnection(socket, []));
                }

                // R21: the greeting decides; read after the race, on the winner only, so that a
                // server that greets slowly on purpose never sees a second connection from us.
                SmtpGreeting greeting = await SmtpGreetingReader.ReadAsync(socket, _settings.GreetingTimeout, _timeProvider, run.Token).ConfigureAwait(false);
                if (greeting.Outcome == MxAttemptOutcome.Succeeded)
                {
                    EndAttempt(run, record, MxAttemptOutcome.Succeeded, error: null);
                    return Succeeded(run, resolution, record, new MxConnection(socket, greeting.Lines));
                }

                socket.Dispose();
                MxAttemptOutcome outcome = greeting.Outcome == MxAttemptOutcome.Cancelled && run.DeadlinePassed ? MxAttemptOutcome.DeadlinePassed : greeting.Outcome;
                EndAttempt(run, record, outcome, greeting.Error);
                cancellationToken.ThrowIfCancellationRequested();
            }

            if (run.Token.IsCancellationRequested || !run.CanStart)
            {
                break;
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        return AllAttemptsFailed<MxConnection>(run, resolution);
    }

    /// <summary>
    /// Connects to the addresses of one target RFC 8305 style (§5): the first at once, the next when
    /// the one before fails or <see cref="MxFailoverOptions.ConnectionAttemptDelay"/> passes without
    /// a connection, whichever is first. The first to connect wins; the rest are cancelled and their
    /// sockets closed. Takes the addresses it starts from <paramref name="pending"/>.
    /// </summary>
    /// <returns>The winning socket and its attempt (still open), or <see langword="null"/> when every started attempt failed.</returns>
    private async Task<(Socket Socket, AttemptRecord Record)?> RaceAsync(FailoverRun run, MxTarget target, Queue<IPAddress> pending)
    {
        using var race = CancellationTokenSource.CreateLinkedTokenSource(run.Token);
        var inFlight = new List<(Task<ConnectResult> Task, AttemptRecord Record)>();

        bool StartNext()
        {
            if (pending.Count == 0 || !run.CanStart)
            {
                return false;
            }

            AttemptRecord record = StartAttempt(run, target, pending.Dequeue());
            inFlight.Add((ConnectOneAsync(record.EndPoint, race.Token), record));
            return true;
        }

        if (!StartNext())
        {
            return null;
        }

        var waitFor = new List<Task>();
        while (inFlight.Count > 0)
        {
            using var delay = CancellationTokenSource.CreateLinkedTokenSource(race.Token);
            Task? nextAfterDelay = pending.Count > 0 && run.CanStart ? Task.Delay(_settings.ConnectionAttemptDelay, _timeProvider, delay.Token) : null;
            waitFor.Clear();
            waitFor.AddRange(inFlight.Select(attempt => (Task)attempt.Task));
            if (nextAfterDelay is not null)
            {
                waitFor.Add(nextAfterDelay);
            }

            Task finished = await Task.WhenAny(waitFor).ConfigureAwait(false);
            await delay.CancelAsync().ConfigureAwait(false);
            if (finished == nextAfterDelay)
            {
                if (nextAfterDelay.IsCompletedSuccessfully)
                {
                    StartNext();
                }

                continue;
            }

            int index = inFlight.FindIndex(attempt => attempt.Task == finished);
            (Task<ConnectResult> task, AttemptRecord record) = inFlight[index];
            inFlight.RemoveAt(index);
            ConnectResult result = await task.ConfigureAwait(false);
            if (result.Socket is { } socket)
            {
                await race.CancelAsync().ConfigureAwait(false);
                foreach ((Task<ConnectResult> loserTask, AttemptRecord loser) in inFlight)
                {
                    ConnectResult lost = await loserTask.ConfigureAwait(false);
                    lost.Socket?.Dispose();
                    EndAttempt(run, loser, run.DeadlinePassed ? MxAttemptOutcome.DeadlinePassed : MxAttemptOutcome.Cancelled, $"{record.EndPoint} of the same target connected first.");
                }

                return (socket, record);
            }

            MxAttemptOutcome outcome = result.Outcome == MxAttemptOutcome.Cancelled && run.DeadlinePassed ? MxAttemptOutcome.DeadlinePassed : result.Outcome;
            EndAttempt(run, record, outcome, result.Error);

            // RFC 8305 §5: a failed attempt starts the next one at once, without waiting for the delay.
            StartNext();
        }

        return null;
    }

    /// <summary>One TCP connect, bounded by <see cref="MxFailoverOptions.ConnectTimeout"/>. Never throws.</summary>
    private async Task<ConnectResult> ConnectOneAsync(IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_settings.ConnectTimeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        Socket? socket = null;
        try
        {
            socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(endPoint, linked.Token).ConfigureAwait(false);
            socket.NoDelay = true;
            return new ConnectResult(socket, MxAttemptOutcome.Succeeded, null);
        }
        catch (SocketException e)
        {
            socket?.Dispose();
            return new ConnectResult(null, Classify(e.SocketErrorCode), $"{e.SocketErrorCode}: {e.Message}");
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            socket?.Dispose();
            return new ConnectResult(null, MxAttemptOutcome.TimedOut, $"No connection within {_settings.ConnectTimeout.TotalMilliseconds:0} ms.");
        }
        catch (OperationCanceledException)
        {
            socket?.Dispose();
            return new ConnectResult(null, MxAttemptOutcome.Cancelled, "Cancelled while connecting.");
        }
    }

    private readonly record struct ConnectResult(Socket? Socket, MxAttemptOutcome Outcome, string? Error);
}
