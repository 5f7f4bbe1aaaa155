using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;

namespace MxResolver.Resolution;

internal sealed partial class BulkResolution
{
    /// <summary>
    /// One resolution in flight: waits for the resolver's task and hands the outcome to
    /// <see cref="Complete"/>. Reused for a later input once it has, so a run costs one per place
    /// in the window rather than an asynchronous method (and its task) per input.
    /// </summary>
    private sealed class InFlight
    {
        private readonly BulkResolution _run;
        private readonly Action _onCompleted;
        private ConfiguredValueTaskAwaitable<MxResolution>.ConfiguredValueTaskAwaiter _awaiter;
        private int _index;
        private string _input = string.Empty;
        private CancellationToken _stop;

        public InFlight(BulkResolution run)
        {
            _run = run;
            _onCompleted = OnCompleted;
        }

        /// <summary>Starts resolving <paramref name="input"/>; a resolver that throws at once fails this input only.</summary>
        public void Start(int index, string input, CancellationToken stop)
        {
            _index = index;
            _input = input;
            _stop = stop;
            try
            {
                _awaiter = _run.StartResolution(input, stop).ConfigureAwait(false).GetAwaiter();
            }
            catch (Exception e)
            {
                Finish(null, e);
                return;
            }

            if (_awaiter.IsCompleted)
            {
                OnCompleted();
            }
            else
            {
                // Nothing after the wait depends on the execution context: the result goes to a channel.
                _awaiter.UnsafeOnCompleted(_onCompleted);
            }
        }

        private void OnCompleted()
        {
            MxResolution? resolution = null;
            Exception? failure = null;
            try
            {
                resolution = _awaiter.GetResult();
            }
            catch (Exception e)
            {
                failure = e;
            }

            _awaiter = default;
            Finish(resolution, failure);
        }

        private void Finish(MxResolution? resolution, Exception? failure)
        {
            (BulkResolution run, int index, string input, CancellationToken stop) = (_run, _index, _input, _stop);
            _input = string.Empty;
            _stop = default;

            // Back to the run's pool first: once the result is out, the reader may start the next input at once.
            run._resolutions.TryReturn(this);
            run.Complete(index, input, resolution, failure, stop);
        }
    }

    /// <summary>
    /// The places of the window: taken by the reader of the inputs (the only one ever waiting for
    /// one), given back by the caller's enumerator as it takes results. A wait reuses one awaitable
    /// and one registration on the run's token, so it allocates nothing.
    /// </summary>
    private sealed class Window(int size) : IValueTaskSource
    {
        private readonly object _lock = new();
        private ManualResetValueTaskSourceCore<bool> _free = new() { RunContinuationsAsynchronously = true };
        private int _places = size;
        private bool _waiting;
        private CancellationToken _token;
        private CancellationTokenRegistration _registration;

        /// <summary>Takes a place, waiting until one is given back.</summary>
        /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled (also while waiting).</exception>
        public ValueTask WaitAsync(CancellationToken cancellationToken)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                return ValueTask.FromCanceled(cancellationToken);
            }

            lock (_lock)
            {
                if (_places > 0)
                {
                    _places--;
                    return ValueTask.CompletedTask;
                }

                _free.Reset();
                _waiting = true;
                _token = cancellationToken;

                // Under the lock, so that Release and GetResult see the registration; a token canceled
                // meanwhile runs Cancel right here (the lock is re-entrant).
                _registration = cancellationToken.UnsafeRegister(static s => ((Window)s!).Cancel(), this);
                return new ValueTask(this, _free.Version);
            }
        }

        /// <summary>Gives a place back: to the waiting reader, if it waits.</summary>
        public void Release()
        {
            lock (_lock)
            {
                if (!_waiting)
                {
                    _places++;
                    return;
                }

                _waiting = false;
            }

            _free.SetResult(true);
        }

        void IValueTaskSource.GetResult(short token)
        {
            CancellationTokenRegistration registration;
            lock (_lock)
            {
                registration = _registration;
                _registration = default;
            }

            registration.Dispose();
            _free.GetResult(token);
        }

        ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _free.GetStatus(token);

        void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
            => _free.OnCompleted(continuation, state, token, flags);

        private void Cancel()
        {
            lock (_lock)
            {
                if (!_waiting)
                {
                    return;
                }

                _waiting = false;
            }

            _free.SetException(new OperationCanceledException(_token));
        }
    }
}
