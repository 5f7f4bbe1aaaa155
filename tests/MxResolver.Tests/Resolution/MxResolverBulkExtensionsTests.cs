using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Time.Testing;
using MxResolver.Caching;
using MxResolver.Configuration;
using MxResolver.Diagnostics;
using MxResolver.Dns;

namespace MxResolver.Tests.Resolution;

/// <summary>
/// <see cref="MxResolverBulkExtensions.ResolveManyAsync(IMxResolver, IEnumerable{string}, MxBulkResolutionOptions?, CancellationToken)"/>:
/// driven by fakes whose resolutions end only when the test says so, so that order, the window and
/// cancellation are checked step by step, never by timing.
/// </summary>
public sealed class MxResolverBulkExtensionsTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static string[] Names(int count) => [.. Enumerable.Range(0, count).Select(i => $"d{i}.test")];

    // ---- order ----

    [Fact]
    public async Task ResolveManyAsync_Default_YieldsEachResultAsItCompletes()
    {
        var resolver = new GatedResolver();
        var received = new Received();
        Task<List<MxBulkResult>> consuming = received.CollectAsync(resolver.ResolveManyAsync(Names(4), new MxBulkResolutionOptions { MaxConcurrency = 4 }, Token));
        await resolver.WaitForStartsAsync(4);

        foreach (int index in new[] { 2, 0, 3, 1 })
        {
            resolver.Complete($"d{index}.test");
            await received.WaitForAsync(1);
        }

        List<MxBulkResult> results = await consuming.WaitAsync(Bound, Token);
        Assert.Equal([2, 0, 3, 1], results.Select(r => r.Index));
        Assert.All(results, r => Assert.Equal($"d{r.Index}.test", r.Input));
        Assert.All(results, r => Assert.Equal(r.Input, r.Resolution.Input));
        Assert.All(results, r => Assert.Null(r.Exception));
    }

    [Fact]
    public async Task ResolveManyAsync_PreserveOrder_InputOrderWithTheReorderBufferWithinTheWindow()
    {
        // Each batch completes in reverse: every result but the batch's first must wait in the
        // reorder buffer. Whatever waits there holds its place in the window, so when input k starts,
        // the caller has already taken all but the last (window - 1) results before it.
        const int Window = 4;
        const int Count = 12;
        var received = new Received();
        var startedAhead = new ConcurrentQueue<int>();
        var resolver = new GatedResolver { OnStart = input => startedAhead.Enqueue(IndexOf(input) - received.Count) };
        Task<List<MxBulkResult>> consuming = received.CollectAsync(
            resolver.ResolveManyAsync(Names(Count), new MxBulkResolutionOptions { MaxConcurrency = Window, PreserveOrder = true }, Token));

        for (int batch = 0; batch < Count / Window; batch++)
        {
            await resolver.WaitForStartsAsync(Window);
            for (int index = (batch * Window) + Window - 1; index >= batch * Window; index--)
            {
                resolver.Complete($"d{index}.test");
            }
        }

        List<MxBulkResult> results = await consuming.WaitAsync(Bound, Token);
        Assert.Equal(Enumerable.Range(0, Count), results.Select(r => r.Index));
        Assert.Equal(Count, startedAhead.Count);
        Assert.All(startedAhead, ahead => Assert.InRange(ahead, 0, Window - 1));
        Assert.Equal(Window - 1, startedAhead.Max()); // the window is used, not run one at a time
    }

    // ---- the window ----

    [Fact]
    public async Task ResolveManyAsync_MaxConcurrency_NeverMoreInFlightAndTheWindowStaysFull()
    {
        const int Window = 3;
        var resolver = new GatedResolver();
        var received = new Received();
        Task<List<MxBulkResult>> consuming = received.CollectAsync(resolver.ResolveManyAsync(Names(10), new MxBulkResolutionOptions { MaxConcurrency = Window }, Token));

        // Keep the window full: each time one ends, the next may start; never more than three at once.
        await resolver.WaitForStartsAsync(Window);
        for (int index = 0; index < 10; index++)
        {
            resolver.Complete($"d{index}.test");
            if (index + Window < 10)
            {
                await resolver.WaitForStartsAsync(1);
            }
        }

        List<MxBulkResult> results = await consuming.WaitAsync(Bound, Token);
        Assert.Equal(10, results.Count);
        Assert.Equal(Window, resolver.MaxInFlight);
        Assert.Equal(Enumerable.Range(0, 10), results.Select(r => r.Index).Order());
    }

    [Fact]
    public async Task ResolveManyAsync_SlowCaller_NoFurtherInputStartsUntilResultsAreTaken()
    {
        // Results that wait for the caller keep their place in the window: a caller that stops
        // taking results stops the reading of inputs, so nothing piles up in memory.
        const int Window = 2;
        var resolver = new GatedResolver();
        var source = new CountingSource(100);
        await using IAsyncEnumerator<MxBulkResult> results = resolver
            .ResolveManyAsync(source.ReadAsync(Token), new MxBulkResolutionOptions { MaxConcurrency = Window }, Token)
            .GetAsyncEnumerator(Token);

        ValueTask<bool> first = results.MoveNextAsync();
        await resolver.WaitForStartsAsync(Window);
        resolver.Complete("d0.test");
        resolver.Complete("d1.test");
        Assert.True(await first.AsTask().WaitAsync(Bound, Token));

        // Both results are done, one taken and one waiting; the window is full until the next MoveNextAsync.
        Assert.Equal(Window, resolver.StartedCount);
        Assert.InRange(source.Read, Window, Window + 1); // at most one input read ahead, waiting for room
        Assert.True(await results.MoveNextAsync().AsTask().WaitAsync(Bound, Token));
        await resolver.WaitForStartsAsync(1); // taking the first result freed one place
    }

    // ---- cancellation ----

    [Fact]
    public async Task ResolveManyAsync_Cancelled_ThrowsAndCancelsEverythingInFlightBeforeItEnds()
    {
        const int Window = 4;
        var resolver = new GatedResolver();
        var source = new CountingSource(count: null); // endless: only cancellation ends the run
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var received = new List<MxBulkResult>();

        Task run = Task.Run(
            async () =>
            {
                await foreach (MxBulkResult result in resolver.ResolveManyAsync(source.ReadAsync(Token), new MxBulkResolutionOptions { MaxConcurrency = Window }, cancel.Token))
                {
                    received.Add(result);
                    if (received.Count == 2)
                    {
                        await cancel.CancelAsync();
                    }
                }
            },
            Token);
        await resolver.WaitForStartsAsync(Window);
        resolver.Complete("d0.test");
        resolver.Complete("d1.test");

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(Bound, Token));

        // When the enumeration ends, nothing it started is still running.
        Assert.Equal(2, received.Count);
        Assert.Equal(0, resolver.InFlight);
        Assert.Equal(resolver.StartedCount - 2, resolver.CancelledCount);
        Assert.InRange(resolver.StartedCount, Window, Window + 2); // the two taken freed two places
        Assert.True(source.Disposed);
        // Each of the two places freed by the taken results may have read its next input before it
        // saw the cancellation; nothing beyond that is read.
        Assert.InRange(source.Read, resolver.StartedCount, resolver.StartedCount + 2);
    }

    [Fact]
    public async Task ResolveManyAsync_CallerStopsEarly_InFlightCancelledBeforeDisposeReturns()
    {
        var resolver = new GatedResolver();
        await using (IAsyncEnumerator<MxBulkResult> results = resolver.ResolveManyAsync(Names(10), new MxBulkResolutionOptions { MaxConcurrency = 3 }, Token).GetAsyncEnumerator(Token))
        {
            ValueTask<bool> first = results.MoveNextAsync();
            await resolver.WaitForStartsAsync(3);
            resolver.Complete("d1.test");
            Assert.True(await first.AsTask().WaitAsync(Bound, Token));
            Assert.Equal(1, results.Current.Index);
        }

        Assert.Equal(0, resolver.InFlight);
        Assert.Equal(2, resolver.CancelledCount);
        Assert.Equal(3, resolver.StartedCount);
    }

    [Fact]
    public async Task ResolveManyAsync_AlreadyCancelled_ThrowsWithoutResolving()
    {
        var resolver = new GatedResolver();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => resolver.ResolveManyAsync(Names(3), cancellationToken: new CancellationToken(canceled: true)).ToListAsync(Token).AsTask().WaitAsync(Bound, Token));

        Assert.Equal(0, resolver.InFlight);
    }

    // ---- inputs ----

    [Fact]
    public async Task ResolveManyAsync_AsyncEnumerableInput_EveryInputOnceWithItsIndex()
    {
        var resolver = new DelegateResolver((input, _) => new(new MxResolution(input, MxResolutionStatus.Success)));
        var source = new CountingSource(500);

        List<MxBulkResult> results = await resolver.ResolveManyAsync(source.ReadAsync(Token), new MxBulkResolutionOptions { MaxConcurrency = 7 }, Token)
            .ToListAsync(Token).AsTask().WaitAsync(Bound, Token);

        Assert.Equal(Enumerable.Range(0, 500), results.Select(r => r.Index).Order());
        Assert.All(results, r => Assert.Equal($"d{r.Index}.test", r.Input));
        Assert.True(source.Disposed);
    }

    [Fact]
    public async Task ResolveManyAsync_EmptyInput_NoResults()
    {
        var resolver = new GatedResolver();

        Assert.Empty(await resolver.ResolveManyAsync([], cancellationToken: Token).ToListAsync(Token).AsTask().WaitAsync(Bound, Token));
        Assert.Empty(await resolver.ResolveManyAsync(new CountingSource(0).ReadAsync(Token), new MxBulkResolutionOptions { PreserveOrder = true }, Token)
            .ToListAsync(Token).AsTask().WaitAsync(Bound, Token));
        Assert.Equal(0, resolver.StartedCount);
    }

    [Fact]
    public async Task ResolveManyAsync_ResolverThrows_ThatInputIsATemporaryFailureAndTheRunGoesOn()
    {
        var resolver = new DelegateResolver((input, _) => input == "d1.test"
            ? throw new InvalidOperationException("boom")
            : new(new MxResolution(input, MxResolutionStatus.Success)));

        List<MxBulkResult> results = await resolver.ResolveManyAsync(Names(3), new MxBulkResolutionOptions { PreserveOrder = true }, Token)
            .ToListAsync(Token).AsTask().WaitAsync(Bound, Token);

        Assert.Equal([MxResolutionStatus.Success, MxResolutionStatus.TemporaryFailure, MxResolutionStatus.Success], results.Select(r => r.Resolution.Status));
        Assert.IsType<InvalidOperationException>(results[1].Exception);
        Assert.Equal("d1.test", results[1].Resolution.Input);
        Assert.Contains("InvalidOperationException: boom", results[1].Resolution.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolveManyAsync_InputsThrow_EarlierResultsThenTheException()
    {
        var resolver = new DelegateResolver((input, _) => new(new MxResolution(input, MxResolutionStatus.Success)));
        var results = new List<MxBulkResult>();

        var thrown = await Assert.ThrowsAsync<IOException>(async () =>
        {
            await foreach (MxBulkResult result in resolver.ResolveManyAsync(Failing(), new MxBulkResolutionOptions { PreserveOrder = true }, Token))
            {
                results.Add(result);
            }
        }).WaitAsync(Bound, Token);

        Assert.Equal("disk gone", thrown.Message);
        Assert.Equal([0, 1], results.Select(r => r.Index));

        static IEnumerable<string> Failing()
        {
            yield return "a.test";
            yield return "b.test";
            throw new IOException("disk gone");
        }
    }

    [Fact]
    public async Task ResolveManyAsync_NullElement_ArgumentExceptionAfterTheEarlierResults()
    {
        var resolver = new DelegateResolver((input, _) => new(new MxResolution(input, MxResolutionStatus.Success)));
        var results = new List<MxBulkResult>();

        await Assert.ThrowsAsync<ArgumentException>(async () =>
        {
            await foreach (MxBulkResult result in resolver.ResolveManyAsync(["a.test", null!, "c.test"], new MxBulkResolutionOptions { PreserveOrder = true }, Token))
            {
                results.Add(result);
            }
        }).WaitAsync(Bound, Token);

        Assert.Equal(["a.test"], results.Select(r => r.Input));
    }

    [Fact]
    public void ResolveManyAsync_NullArguments_ThrowAtTheCall()
    {
        IMxResolver resolver = new GatedResolver();

        Assert.Equal("resolver", Assert.Throws<ArgumentNullException>(() => MxResolverBulkExtensions.ResolveManyAsync(null!, Names(1), cancellationToken: Token)).ParamName);
        Assert.Equal("resolver", Assert.Throws<ArgumentNullException>(() => MxResolverBulkExtensions.ResolveManyAsync(null!, new CountingSource(1).ReadAsync(Token), cancellationToken: Token)).ParamName);
        Assert.Equal("inputs", Assert.Throws<ArgumentNullException>(() => resolver.ResolveManyAsync((IEnumerable<string>)null!, cancellationToken: Token)).ParamName);
        Assert.Equal("inputs", Assert.Throws<ArgumentNullException>(() => resolver.ResolveManyAsync((IAsyncEnumerable<string>)null!, cancellationToken: Token)).ParamName);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(MxBulkResolutionOptions.MaxConcurrencyLimit + 1)]
    public void ResolveManyAsync_MaxConcurrencyOutOfRange_ThrowsAtTheCall(int maxConcurrency)
    {
        IMxResolver resolver = new GatedResolver();
        var options = new MxBulkResolutionOptions { MaxConcurrency = maxConcurrency };

        Assert.Throws<ArgumentOutOfRangeException>(() => resolver.ResolveManyAsync(Names(1), options, Token));
        Assert.Throws<ArgumentOutOfRangeException>(() => resolver.ResolveManyAsync(new CountingSource(1).ReadAsync(Token), options, Token));
    }

    [Fact]
    public void Options_Defaults()
    {
        var options = new MxBulkResolutionOptions();

        Assert.Equal(64, options.MaxConcurrency);
        Assert.Equal(MxBulkResolutionOptions.DefaultMaxConcurrency, options.MaxConcurrency);
        Assert.False(options.PreserveOrder);
    }

    // ---- with the real resolver and its cache ----

    [Fact]
    public async Task ResolveManyAsync_DomainsSharingExchanges_EachExchangeLookedUpOnce()
    {
        // Fifty domains, the same two exchanges: the shared answer cache asks for each exchange's
        // addresses once, however many domains name it and however many resolve at once.
        string[] domains = Names(50);
        FakeDnsLookup dns = SharedExchanges(domains);
        using var telemetry = new MxResolverTelemetry();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
        var cache = new CachingDnsLookup(dns, new MxCacheOptions(), time, telemetry);
        var resolver = new MailExchangeResolver(new MxResolverOptions(), cache, time, new Random(5321), logger: null);

        List<MxBulkResult> results = await resolver.ResolveManyAsync(domains, new MxBulkResolutionOptions { MaxConcurrency = 16 }, Token)
            .ToListAsync(Token).AsTask().WaitAsync(Bound, Token);

        Assert.All(results, r => Assert.Equal(MxResolutionStatus.Success, r.Resolution.Status));
        Assert.Equal(50, dns.CountCalls(DnsRecordType.MX));
        Assert.Equal(2, dns.CountCalls(DnsRecordType.A));
        Assert.Equal(2, dns.CountCalls(DnsRecordType.AAAA));
    }

    [Fact]
    public async Task ResolveManyAsync_DomainsSharingExchangesWithoutACache_EachDomainLooksThemUpAgain()
    {
        // The counterpart of the test above: the saving is the cache's, and the count shows it.
        string[] domains = Names(50);
        FakeDnsLookup dns = SharedExchanges(domains);
        var resolver = new MailExchangeResolver(new MxResolverOptions(), dns, TimeProvider.System, new Random(5321), logger: null);

        await resolver.ResolveManyAsync(domains, new MxBulkResolutionOptions { MaxConcurrency = 16 }, Token).ToListAsync(Token).AsTask().WaitAsync(Bound, Token);

        Assert.Equal(100, dns.CountCalls(DnsRecordType.A));
    }

    private static FakeDnsLookup SharedExchanges(string[] domains)
    {
        var dns = new FakeDnsLookup()
            .Host("mx1.shared.test", "192.0.2.1")
            .Host("mx2.shared.test", "192.0.2.2");
        foreach (string domain in domains)
        {
            dns.Mx(domain, (10, "mx1.shared.test"), (20, "mx2.shared.test"));
        }

        return dns;
    }

    private static int IndexOf(string input) => int.Parse(input.AsSpan(1, input.IndexOf('.', StringComparison.Ordinal) - 1), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Takes results in the background, counting them and signalling each.</summary>
    private sealed class Received
    {
        private readonly SemaphoreSlim _signal = new(0);
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public Task<List<MxBulkResult>> CollectAsync(IAsyncEnumerable<MxBulkResult> results) => Task.Run(
            async () =>
            {
                var list = new List<MxBulkResult>();
                await foreach (MxBulkResult result in results)
                {
                    list.Add(result);
                    Interlocked.Increment(ref _count);
                    _signal.Release();
                }

                return list;
            },
            Token);

        public async Task WaitForAsync(int results)
        {
            for (int i = 0; i < results; i++)
            {
                Assert.True(await _signal.WaitAsync(Bound, Token), "a result did not arrive");
            }
        }
    }

    /// <summary>
    /// A resolver whose resolutions end only when the test completes them (or cancellation does),
    /// counting what is in flight, the most at once, and the cancelled.
    /// </summary>
    private sealed class GatedResolver : IMxResolver
    {
        private readonly ConcurrentDictionary<string, TaskCompletionSource<MxResolution>> _pending = new();
        private readonly SemaphoreSlim _started = new(0);
        private readonly object _gate = new();
        private int _inFlight;
        private int _maxInFlight;
        private int _startedCount;
        private int _cancelled;

        public Action<string>? OnStart { get; init; }

        public int InFlight { get { lock (_gate) { return _inFlight; } } }

        public int MaxInFlight { get { lock (_gate) { return _maxInFlight; } } }

        public int StartedCount => Volatile.Read(ref _startedCount);

        public int CancelledCount => Volatile.Read(ref _cancelled);

        public async ValueTask<MxResolution> ResolveAsync(string domainOrAddress, CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var completion = _pending.GetOrAdd(domainOrAddress, _ => new TaskCompletionSource<MxResolution>(TaskCreationOptions.RunContinuationsAsynchronously));
            lock (_gate)
            {
                _inFlight++;
                _maxInFlight = Math.Max(_maxInFlight, _inFlight);
            }

            OnStart?.Invoke(domainOrAddress);
            Interlocked.Increment(ref _startedCount);
            _started.Release();
            try
            {
                return await completion.Task.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                Interlocked.Increment(ref _cancelled);
                throw;
            }
            finally
            {
                lock (_gate)
                {
                    _inFlight--;
                }
            }
        }

        public async Task WaitForStartsAsync(int count)
        {
            for (int i = 0; i < count; i++)
            {
                Assert.True(await _started.WaitAsync(Bound, Token), "a resolution did not start");
            }
        }

        public void Complete(string input)
            => Assert.True(_pending.GetOrAdd(input, _ => new TaskCompletionSource<MxResolution>(TaskCreationOptions.RunContinuationsAsynchronously))
                .TrySetResult(new MxResolution(input, MxResolutionStatus.Success)));
    }

    private sealed class DelegateResolver(Func<string, CancellationToken, ValueTask<MxResolution>> resolve) : IMxResolver
    {
        public ValueTask<MxResolution> ResolveAsync(string domainOrAddress, CancellationToken cancellationToken = default) => resolve(domainOrAddress, cancellationToken);
    }

    /// <summary>An asynchronous source of d0.test, d1.test, ...: counts what was read and whether it was disposed.</summary>
    private sealed class CountingSource(int? count)
    {
        private int _read;
        private volatile bool _disposed;

        public int Read => Volatile.Read(ref _read);

        public bool Disposed => _disposed;

        public async IAsyncEnumerable<string> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            try
            {
                for (int i = 0; count is null || i < count; i++)
                {
                    await Task.Yield();
                    cancellationToken.ThrowIfCancellationRequested();
                    Interlocked.Increment(ref _read);
                    yield return $"d{i}.test";
                }
            }
            finally
            {
                _disposed = true;
            }
        }
    }
}
