using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;
using MxResolver.Transport;

namespace MxResolver.Tests.Transport;

/// <summary>
/// The builder of the pooled query-path methods: results and exceptions come through as with the
/// built-in builders, the execution context flows as with them, and a method that waits reuses its
/// box from the pool instead of allocating one per call.
/// </summary>
/// <remarks>
/// The methods under test wait on a <see cref="Gate"/>, a reusable awaitable whose continuation
/// runs on the thread that opens it, so each test runs on one thread and never blocks.
/// </remarks>
public sealed class PooledValueTaskMethodBuilderTests
{
    private static readonly AsyncLocal<string?> Flowing = new();

    [Fact]
    public async Task Task_CompletesWithoutWaiting_HasTheResultAtOnce()
    {
        ValueTask<int> task = ImmediateAsync(42);

        Assert.True(task.IsCompletedSuccessfully);
        Assert.Equal(42, await task);
    }

    [Fact]
    public async Task Task_CompletesAfterAWait_HasTheResultOnceTheWaitEnds()
    {
        var gate = new Gate();

        ValueTask<int> task = WaitThenAddAsync(gate, 1, 2);
        Assert.False(task.IsCompleted);
        gate.Open();

        Assert.True(task.IsCompletedSuccessfully);
        Assert.Equal(3, await task);
    }

    [Fact]
    public void Task_ManyCallsWaitingAtOnce_AllocateNothingOnceTheirBoxesArePooled()
    {
        // Forty calls waiting at the same time, as queries do under ResolveManyAsync: a pool of one
        // box per thread would allocate nearly all of them every round.
        Gate[] gates = [.. Enumerable.Range(0, 40).Select(_ => new Gate())];
        var tasks = new ValueTask<int>[gates.Length];
        RunRound(gates, tasks);

        long before = GC.GetAllocatedBytesForCurrentThread();
        int sum = 0;
        for (int round = 0; round < 25; round++)
        {
            sum += RunRound(gates, tasks);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(25 * Enumerable.Range(0, 40).Sum(), sum);
        Assert.Equal(0, allocated);

        static int RunRound(Gate[] gates, ValueTask<int>[] tasks)
        {
            for (int i = 0; i < gates.Length; i++)
            {
                tasks[i] = WaitThenAddAsync(gates[i], i, 0);
            }

            int sum = 0;
            for (int i = 0; i < gates.Length; i++)
            {
                gates[i].Open();
                sum += tasks[i].Result;
            }

            return sum;
        }
    }

    [Fact]
    public void Task_ConcurrentCallsThatWait_EachGetsItsOwnResult()
    {
        var gates = Enumerable.Range(0, 40).Select(_ => new Gate()).ToArray();
        ValueTask<int>[] tasks = [.. gates.Select((gate, i) => WaitThenAddAsync(gate, i, 1000))];

        // Out of order: each completion hands its box back while others are still waiting in theirs.
        for (int i = gates.Length - 1; i >= 0; i -= 2)
        {
            gates[i].Open();
        }

        for (int i = gates.Length - 2; i >= 0; i -= 2)
        {
            gates[i].Open();
        }

        Assert.Equal(Enumerable.Range(1000, 40), tasks.Select(task => task.Result));
    }

    [Fact]
    public async Task Task_ThrowsBeforeWaiting_IsFaultedWithTheException()
    {
        ValueTask<int> task = ThrowImmediatelyAsync(new InvalidOperationException("early"));

        Assert.True(task.IsFaulted);
        Assert.Equal("early", (await Assert.ThrowsAsync<InvalidOperationException>(async () => await task)).Message);
    }

    [Fact]
    public async Task Task_CanceledBeforeWaiting_IsCanceled()
    {
        using var source = new CancellationTokenSource();
        source.Cancel();

        ValueTask<int> task = CanceledImmediatelyAsync(source.Token);

        Assert.True(task.IsCanceled);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await task);
    }

    [Fact]
    public async Task Task_ThrowsAfterAWait_RethrowsTheExceptionAndCanBeRunAgain()
    {
        var gate = new Gate();

        ValueTask<int> failing = WaitThenThrowAsync(gate, new InvalidOperationException("late"));
        gate.Open();
        Assert.True(failing.IsFaulted);
        Assert.Equal("late", (await Assert.ThrowsAsync<InvalidOperationException>(async () => await failing)).Message);

        // The box went back to the pool after the failure: the next call works as usual.
        ValueTask<int> next = WaitThenAddAsync(gate, 5, 5);
        gate.Open();
        Assert.Equal(10, await next);
    }

    [Fact]
    public async Task Task_AfterAWait_SeesTheCallersExecutionContextAndLeaksNothingBack()
    {
        var gate = new Gate();
        Flowing.Value = "caller";
        try
        {
            ValueTask<string?> task = WaitThenReadAndSetAsync(gate);

            // The method set the value inside; the caller still sees its own.
            Assert.Equal("caller", Flowing.Value);

            // The continuation runs here, on a thread whose context has no value: the method's
            // own captured context must be restored for it, and taken away after.
            Flowing.Value = null;
            gate.Open();

            Assert.True(task.IsCompletedSuccessfully);
            Assert.Null(Flowing.Value);
            Assert.Equal("inside", await task);
        }
        finally
        {
            Flowing.Value = null;
        }
    }

    [Fact]
    public async Task Task_ReadTwice_ThrowsTheSecondTimeWithoutBreakingThePool()
    {
        var gate = new Gate();
        ValueTask<int> task = WaitThenAddAsync(gate, 2, 2);
        gate.Open();
        IValueTaskSource<int> source = GetSource(task);
        short token = GetToken(task);
        Assert.Equal(4, await task);

        Assert.Throws<InvalidOperationException>(() => source.GetResult(token));

        // Had the misuse returned the box twice, two of more calls than the pool holds would share it.
        Gate[] gates = [.. Enumerable.Range(0, PooledValueTaskMethodBuilder<int>.Capacity + 40).Select(_ => new Gate())];
        ValueTask<int>[] tasks = [.. gates.Select((gate, i) => WaitThenAddAsync(gate, i, 0))];
        for (int i = gates.Length - 1; i >= 0; i--)
        {
            gates[i].Open();
        }

        int[] results = new int[tasks.Length];
        for (int i = 0; i < tasks.Length; i++)
        {
            results[i] = await tasks[i];
        }

        Assert.Equal(Enumerable.Range(0, gates.Length), results);
    }

    private static IValueTaskSource<int> GetSource(ValueTask<int> task)
        => (IValueTaskSource<int>)typeof(ValueTask<int>).GetField("_obj", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(task)!;

    private static short GetToken(ValueTask<int> task)
        => (short)typeof(ValueTask<int>).GetField("_token", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(task)!;

#pragma warning disable CS1998 // An async method without await: the builder's synchronous path is what is tested.
    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    private static async ValueTask<int> ImmediateAsync(int value) => value;

    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    private static async ValueTask<int> ThrowImmediatelyAsync(Exception exception) => throw exception;

    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    private static async ValueTask<int> CanceledImmediatelyAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return 0;
    }
#pragma warning restore CS1998

    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    private static async ValueTask<int> WaitThenAddAsync(Gate gate, int a, int b)
    {
        await gate.WaitAsync().ConfigureAwait(false);
        return a + b;
    }

    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    private static async ValueTask<int> WaitThenThrowAsync(Gate gate, Exception exception)
    {
        await gate.WaitAsync().ConfigureAwait(false);
        throw exception;
    }

    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    private static async ValueTask<string?> WaitThenReadAndSetAsync(Gate gate)
    {
        Assert.Equal("caller", Flowing.Value);
        Flowing.Value = "inside";
        await gate.WaitAsync().ConfigureAwait(false);
        return Flowing.Value;
    }

    /// <summary>A reusable wait: its continuation runs on the thread that opens it.</summary>
    private sealed class Gate : IValueTaskSource
    {
        private ManualResetValueTaskSourceCore<bool> _core;

        public ValueTask WaitAsync() => new(this, _core.Version);

        public void Open() => _core.SetResult(true);

        public void GetResult(short token)
        {
            _core.GetResult(token);
            _core.Reset();
        }

        public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
            => _core.OnCompleted(continuation, state, token, flags);
    }
}
