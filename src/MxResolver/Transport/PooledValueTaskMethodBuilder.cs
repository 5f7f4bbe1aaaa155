using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading.Tasks.Sources;

namespace MxResolver.Transport;

/// <summary>
/// The builder of <c>async ValueTask&lt;TResult&gt;</c> methods on the query path
/// (<c>[AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder&lt;&gt;))]</c>): a method that has to
/// wait keeps its state in a box taken from a pool shared by all calls of that method, and the box
/// goes back to the pool once the caller has the result. A method that completes without waiting
/// uses no box at all.
/// </summary>
/// <remarks>
/// <para>
/// Why not <see cref="PoolingAsyncValueTaskMethodBuilder{TResult}"/>: its cache holds one box per
/// thread and one per core, which is right for a method awaited one call at a time, but a resolver
/// starts several queries before awaiting any (R15), hundreds at a time under
/// <c>ResolveManyAsync</c>, so nearly every call missed the cache and allocated its box.
/// </para>
/// <para>
/// The contract is the one of every pooled <see cref="ValueTask{TResult}"/>: await it (or read its
/// result) exactly once. Each method's pool keeps at most <see cref="Capacity"/> idle boxes; more
/// are left to the collector. The execution context is captured at each wait and restored for the
/// continuation, as with the built-in builders, so <see cref="AsyncLocal{T}"/> values (and
/// <c>Activity.Current</c>) flow into the method and changes made inside do not leak out.
/// </para>
/// </remarks>
/// <typeparam name="TResult">The method's result.</typeparam>
[StructLayout(LayoutKind.Auto)]
internal struct PooledValueTaskMethodBuilder<TResult>
{
    /// <summary>The most idle boxes kept per method.</summary>
    internal const int Capacity = 256;

    // Stands for "completed without waiting, the result is in _result".
    private static readonly Box s_completedSynchronously = new FaultBox();

    private Box? _box;
    private TResult _result;

    /// <summary>Called by the compiler.</summary>
    public static PooledValueTaskMethodBuilder<TResult> Create() => default;

    /// <summary>The method's task: its result when it completed without waiting, else its box.</summary>
    public ValueTask<TResult> Task
    {
        get
        {
            if (ReferenceEquals(_box, s_completedSynchronously))
            {
                return new ValueTask<TResult>(_result);
            }

            // A method still running has waited once, so it has its box (AwaitUnsafeOnCompleted).
            Box box = _box ?? throw new InvalidOperationException("The asynchronous method has neither completed nor waited.");
            return new ValueTask<TResult>(box, box.Version);
        }
    }

    /// <summary>Runs the method up to its first wait (with the execution context restored afterwards, as the built-in builders do).</summary>
    public readonly void Start<TStateMachine>(ref TStateMachine stateMachine)
        where TStateMachine : IAsyncStateMachine
        => AsyncTaskMethodBuilder.Create().Start(ref stateMachine);

    /// <summary>Not used: the state machine is copied into its box at the first wait.</summary>
    public readonly void SetStateMachine(IAsyncStateMachine stateMachine) => ArgumentNullException.ThrowIfNull(stateMachine);

    /// <summary>Completes the method with <paramref name="result"/>.</summary>
    public void SetResult(TResult result)
    {
        if (_box is null)
        {
            _result = result;
            _box = s_completedSynchronously;
        }
        else
        {
            _box.SetResult(result);
        }
    }

    /// <summary>Completes the method with <paramref name="exception"/> (canceled when it is an <see cref="OperationCanceledException"/>).</summary>
    public void SetException(Exception exception)
    {
        // Failing before any wait is rare (a canceled token, a bad argument): a box of its own, not pooled.
        (_box ??= new FaultBox()).SetException(exception);
    }

    /// <summary>Called by the compiler at a wait.</summary>
    public void AwaitOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : INotifyCompletion
        where TStateMachine : IAsyncStateMachine
        => awaiter.OnCompleted(GetBox(ref stateMachine).MoveNextAction);

    /// <summary>Called by the compiler at a wait.</summary>
    public void AwaitUnsafeOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : ICriticalNotifyCompletion
        where TStateMachine : IAsyncStateMachine
        => awaiter.UnsafeOnCompleted(GetBox(ref stateMachine).MoveNextAction);

    private StateMachineBox<TStateMachine> GetBox<TStateMachine>(ref TStateMachine stateMachine)
        where TStateMachine : IAsyncStateMachine
    {
        ExecutionContext? context = ExecutionContext.Capture();
        if (_box is StateMachineBox<TStateMachine> current)
        {
            // A later wait: the state machine already lives in the box (this builder is the box's copy).
            current.Context = context;
            return current;
        }

        StateMachineBox<TStateMachine> box = StateMachineBox<TStateMachine>.Rent();

        // Set before the copy, so that the state machine in the box carries its builder's box.
        _box = box;
        box.StateMachine = stateMachine;
        box.Context = context;
        return box;
    }

    /// <summary>What the method's <see cref="ValueTask{TResult}"/> waits on.</summary>
    private abstract class Box : IValueTaskSource<TResult>
    {
        private ManualResetValueTaskSourceCore<TResult> _core;

        public short Version => _core.Version;

        public void SetResult(TResult result) => _core.SetResult(result);

        public void SetException(Exception exception) => _core.SetException(exception);

        public TResult GetResult(short token)
        {
            bool current = token == _core.Version;
            try
            {
                return _core.GetResult(token);
            }
            finally
            {
                // A second GetResult (misuse) throws above and must not return the box twice.
                if (current)
                {
                    _core.Reset();
                    Release();
                }
            }
        }

        public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
            => _core.OnCompleted(continuation, state, token, flags);

        /// <summary>The result was taken: the box may be reused.</summary>
        protected abstract void Release();
    }

    /// <summary>A method that failed before it waited; never reused.</summary>
    private sealed class FaultBox : Box
    {
        protected override void Release()
        {
        }
    }

    /// <summary>A box for the state machine of one method, from that method's pool.</summary>
    private sealed class StateMachineBox<TStateMachine> : Box
        where TStateMachine : IAsyncStateMachine
    {
        private static readonly ConcurrentQueue<StateMachineBox<TStateMachine>> s_pool = new();
        private static readonly ContextCallback s_moveNext = static box => ((StateMachineBox<TStateMachine>)box!).StateMachine.MoveNext();
        private static int s_idle;

        private Action? _moveNextAction;

        // A field, not a property: the state machine runs in place.
        public TStateMachine StateMachine = default!;

        public ExecutionContext? Context { get; set; }

        public Action MoveNextAction => _moveNextAction ??= MoveNext;

        public static StateMachineBox<TStateMachine> Rent()
        {
            if (s_pool.TryDequeue(out StateMachineBox<TStateMachine>? box))
            {
                Interlocked.Decrement(ref s_idle);
                return box;
            }

            return new StateMachineBox<TStateMachine>();
        }

        protected override void Release()
        {
            // Nothing of the finished call stays reachable from the pool.
            StateMachine = default!;
            Context = null;
            if (Interlocked.Increment(ref s_idle) <= Capacity)
            {
                s_pool.Enqueue(this);
            }
            else
            {
                Interlocked.Decrement(ref s_idle);
            }
        }

        private void MoveNext()
        {
            // Nothing may touch the box after the state machine's last step: completing it can hand
            // the result to the caller, who gives the box back to the pool for another call.
            ExecutionContext? context = Context;
            if (context is null)
            {
                StateMachine.MoveNext();
            }
            else
            {
                ExecutionContext.Run(context, s_moveNext, this);
            }
        }
    }
}
