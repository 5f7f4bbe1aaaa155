using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using MxResolver.Transport;

namespace MxResolver.Resolution;

/// <summary>
/// One run of <see cref="MxResolverBulkExtensions.ResolveManyAsync(IMxResolver, IAsyncEnumerable{string}, MxBulkResolutionOptions?, CancellationToken)"/>.
/// </summary>
/// <remarks>
/// <para>
/// A reader on the thread pool takes one input at a time, waits for a free place in the window,
/// and starts its resolution; each finished resolution goes to a channel; the caller's enumerator
/// takes results from the channel. A place in the window is given back only when the caller has
/// taken the result (and asked for the next), so what is resolving, plus what waits in the channel
/// or the reorder buffer, never exceeds the window: the channel is unbounded in type but bounded
/// by construction, and a slow caller slows the reading of inputs instead of filling memory.
/// </para>
/// <para>
/// In input order, a result that is not next waits in a ring of window size. Every input started
/// and not yet given back lies in [next, next + window), because inputs start in order and give
/// their places back in order, so each has its own slot (index modulo window).
/// </para>
/// </remarks>
internal sealed partial class BulkResolution : IDisposable
{
    private readonly IMxResolver _resolver;
    private readonly Window _window;
    private readonly BoundedPool<InFlight> _resolutions;
    private readonly Channel<MxBulkResult> _results = Channel.CreateUnbounded<MxBulkResult>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop;
    private readonly TaskCompletionSource _idle = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // The reader of the inputs counts as one until it ends, then one per resolution in flight: at
    // zero nothing the run started is running, and no result can come any more.
    private int _running = 1;
    private Exception? _inputFailure;

    private BulkResolution(IMxResolver resolver, int window, CancellationToken cancellationToken)
    {
        _resolver = resolver;
        _window = new Window(window);
        _resolutions = new BoundedPool<InFlight>(window);
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    }

    public static async IAsyncEnumerable<MxBulkResult> RunAsync(
        IMxResolver resolver, IAsyncEnumerable<string> inputs, int window, bool preserveOrder, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var run = new BulkResolution(resolver, window, cancellationToken);
        _ = Task.Run(() => run.ReadInputsAsync(inputs), CancellationToken.None);
        try
        {
            ChannelReader<MxBulkResult> results = run._results.Reader;
            if (!preserveOrder)
            {
                while (await results.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    while (results.TryRead(out MxBulkResult? result))
                    {
                        yield return result;
                        run._window.Release();
                    }
                }
            }
            else
            {
                var waiting = new MxBulkResult?[window];
                int next = 0;
                while (await results.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    while (results.TryRead(out MxBulkResult? result))
                    {
                        waiting[result.Index % window] = result;
                        while (waiting[next % window] is { } ready)
                        {
                            waiting[next % window] = null;
                            next++;
                            yield return ready;
                            run._window.Release();
                        }
                    }
                }
            }

            // The results ran out: every input read has its result, unless the run was stopped or
            // the inputs failed.
            cancellationToken.ThrowIfCancellationRequested();
            if (run._inputFailure is { } failure)
            {
                ExceptionDispatchInfo.Throw(failure);
            }
        }
        finally
        {
            // Done, stopped, failed or abandoned (break): cancel what is left and wait for it, so
            // that nothing started here outlives the enumeration (no query, no socket, no read of
            // the inputs). Each resolution honours cancellation, so this is prompt.
            await run._stop.CancelAsync().ConfigureAwait(false);
            await run._idle.Task.ConfigureAwait(false);
        }
    }

    public void Dispose() => _stop.Dispose();

    private async Task ReadInputsAsync(IAsyncEnumerable<string> inputs)
    {
        CancellationToken stop = _stop.Token;
        try
        {
            int index = 0;
            await foreach (string? input in inputs.WithCancellation(stop).ConfigureAwait(false))
            {
                if (input is null)
                {
                    throw new ArgumentException($"The input at index {index} is null.", nameof(inputs));
                }

                if (index == int.MaxValue)
                {
                    throw new ArgumentException($"More than {int.MaxValue} inputs.", nameof(inputs));
                }

                await _window.WaitAsync(stop).ConfigureAwait(false);
                Interlocked.Increment(ref _running);
                (_resolutions.TryRent(out InFlight? resolution) ? resolution : new InFlight(this)).Start(index++, input, stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopped by the caller, or the enumeration was abandoned: no failure to report.
        }
        catch (Exception e)
        {
            // The inputs themselves failed (or held a null): the results of the inputs already
            // read still come, then the enumeration throws this.
            _inputFailure = e;
        }
        finally
        {
            Leave();
        }
    }

    /// <summary>The resolver's task for one input; awaited exactly once (by <see cref="InFlight"/>), so it may be the resolver's pooled one.</summary>
    private ValueTask<MxResolution> StartResolution(string input, CancellationToken stop)
        => _resolver is MailExchangeResolver resolver ? resolver.ResolvePooledAsync(input, stop) : _resolver.ResolveAsync(input, stop);

    /// <summary>One resolution ended: its result goes to the channel (unless the run was stopped), and it leaves the run.</summary>
    private void Complete(int index, string input, MxResolution? resolution, Exception? failure, CancellationToken stop)
    {
        try
        {
            if (failure is OperationCanceledException && stop.IsCancellationRequested)
            {
                return;
            }

            if (failure is null && resolution is null)
            {
                failure = new InvalidOperationException($"{_resolver.GetType().Name}.ResolveAsync returned null.");
            }

            // Expected outcomes are values, so an exception is a bug in the resolver. It fails this
            // input only: one bad input must not cost the results of a million others. A temporary
            // failure, because a sender retries it rather than bouncing the mail.
            MxBulkResult result = failure is null
                ? new MxBulkResult(index, input, resolution!, exception: null)
                : new MxBulkResult(index, input, Unexpected(input, failure), failure);

            // Unbounded, and open until the last resolution leaves: the write always succeeds.
            _results.Writer.TryWrite(result);
        }
        finally
        {
            Leave();
        }
    }

    private static MxResolution Unexpected(string input, Exception e)
        => new(input, MxResolutionStatus.TemporaryFailure) { Error = $"The resolver failed unexpectedly: {e.GetType().Name}: {e.Message}" };

    private void Leave()
    {
        if (Interlocked.Decrement(ref _running) == 0)
        {
            _results.Writer.TryComplete();
            _idle.TrySetResult();
        }
    }
}
