using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using MxResolver.Diagnostics;
using MxResolver.Tests.Transport;

namespace MxResolver.Tests.Failover;

/// <summary>The connector with a fake resolver (fixed target order), loopback sockets and, where time matters, a fake clock.</summary>
public sealed class MxConnectorTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static MxTarget Target(string host, ushort preference, params string[] addresses) => FakeMxResolver.Target(host, preference, addresses);

    /// <summary>A port with nothing listening on these loopback addresses: connects are refused.</summary>
    private static int ClosedPort(string address)
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Parse(address), 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var bound = new CancellationTokenSource(Bound);
        while (!condition())
        {
            await Task.Delay(10, bound.Token);
        }
    }

    [Fact]
    public async Task ConnectAsync_FirstAddressSilent_SecondStartsAfterTheAttemptDelayAndWins()
    {
        // RFC 8305 §5 (R17): the next address of the target starts after 250 ms, not after the connect timeout;
        // the first to connect wins and the other is cancelled.
        await using TcpTestServer blackhole = await TcpTestServer.BlackholeAsync(new IPEndPoint(IPAddress.Parse("127.0.0.9"), 0));
        await using TcpTestServer live = TcpTestServer.Silent(new IPEndPoint(IPAddress.Parse("127.0.0.10"), blackhole.EndPoint.Port));
        var time = new FakeTimeProvider();
        using var connector = new MxConnector(
            FakeMxResolver.Targets(Target("mx.he.test", 10, "127.0.0.9", "127.0.0.10")),
            new MxFailoverOptions { ConnectTimeout = TimeSpan.FromSeconds(10) },
            time);

        Task<MxFailoverResult<MxConnection>> pending = connector.ConnectAsync("he.test", blackhole.EndPoint.Port, Token).AsTask();
        Assert.False(pending.IsCompleted, "the first address never answers and the clock has not moved");
        time.Advance(TimeSpan.FromMilliseconds(250));
        MxFailoverResult<MxConnection> result = await pending.WaitAsync(Bound, Token);

        Assert.True(result.IsSuccess, result.Error);
        await result.Value.DisposeAsync();
        Assert.Equal(IPAddress.Parse("127.0.0.10"), result.Address);
        Assert.Equal([MxAttemptOutcome.Cancelled, MxAttemptOutcome.Succeeded], result.Attempts.Select(a => a.Outcome));
        Assert.Equal(TimeSpan.Zero, result.Attempts[0].StartedAfter);
        Assert.Equal(TimeSpan.FromMilliseconds(250), result.Attempts[1].StartedAfter);
        Assert.False(connector.Health.IsUnhealthy(IPAddress.Parse("127.0.0.9")), "losing a race is not a failure");
    }

    [Fact]
    public async Task ConnectAsync_SilentTarget_NextTargetAfterTheConnectTimeout()
    {
        // R20: a timeout moves on after the per-attempt timeout.
        await using TcpTestServer blackhole = await TcpTestServer.BlackholeAsync(new IPEndPoint(IPAddress.Parse("127.0.0.11"), 0));
        await using TcpTestServer live = TcpTestServer.Silent(new IPEndPoint(IPAddress.Parse("127.0.0.12"), blackhole.EndPoint.Port));
        var time = new FakeTimeProvider();
        using var connector = new MxConnector(
            FakeMxResolver.Targets(Target("mx1.timeout.test", 10, "127.0.0.11"), Target("mx2.timeout.test", 20, "127.0.0.12")),
            new MxFailoverOptions { ConnectTimeout = TimeSpan.FromSeconds(7) },
            time);

        Task<MxFailoverResult<MxConnection>> pending = connector.ConnectAsync("timeout.test", blackhole.EndPoint.Port, Token).AsTask();
        time.Advance(TimeSpan.FromSeconds(7));
        MxFailoverResult<MxConnection> result = await pending.WaitAsync(Bound, Token);

        Assert.True(result.IsSuccess, result.Error);
        await result.Value.DisposeAsync();
        Assert.Equal("mx2.timeout.test", result.Target.Host);
        Assert.Equal((MxAttemptOutcome.TimedOut, TimeSpan.FromSeconds(7)), (result.Attempts[0].Outcome, result.Attempts[0].Elapsed));
        Assert.True(connector.Health.IsUnhealthy(IPAddress.Parse("127.0.0.11")));
    }

    [Fact]
    public async Task ConnectAsync_OverallDeadlinePasses_TemporaryFailureWithTheCutAttempt()
    {
        // R20 R23: the overall deadline bounds the whole; the result is temporary with what was tried.
        await using TcpTestServer blackhole = await TcpTestServer.BlackholeAsync(new IPEndPoint(IPAddress.Parse("127.0.0.13"), 0));
        var time = new FakeTimeProvider();
        using var connector = new MxConnector(
            FakeMxResolver.Targets(Target("mx.deadline.test", 10, "127.0.0.13")),
            new MxFailoverOptions { ConnectTimeout = TimeSpan.FromSeconds(30), OverallTimeout = TimeSpan.FromSeconds(5) },
            time);

        Task<MxFailoverResult<MxConnection>> pending = connector.ConnectAsync("deadline.test", blackhole.EndPoint.Port, Token).AsTask();
        time.Advance(TimeSpan.FromSeconds(5));
        MxFailoverResult<MxConnection> result = await pending.WaitAsync(Bound, Token);

        Assert.Equal(MxFailoverStatus.AllAttemptsFailed, result.Status);
        Assert.Equal("4.4.1", result.EnhancedStatusCode);
        Assert.Equal(MxAttemptOutcome.DeadlinePassed, Assert.Single(result.Attempts).Outcome);
        Assert.Contains("deadline", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectAsync_DeadlinePassesDuringResolution_TemporaryResolutionFailure()
    {
        // R20: the deadline covers the resolution too; passing it is temporary.
        var time = new FakeTimeProvider();
        var resolver = new FakeMxResolver(async (input, ct) =>
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, ct);
            return new MxResolution(input, MxResolutionStatus.Success);
        });
        using var connector = new MxConnector(resolver, new MxFailoverOptions { OverallTimeout = TimeSpan.FromSeconds(3) }, time);

        Task<MxFailoverResult<MxConnection>> pending = connector.ConnectAsync("slow.test", 25, Token).AsTask();
        time.Advance(TimeSpan.FromSeconds(3));
        MxFailoverResult<MxConnection> result = await pending.WaitAsync(Bound, Token);

        Assert.Equal(MxFailoverStatus.ResolutionFailed, result.Status);
        Assert.True(result.IsTemporaryFailure);
        Assert.Equal("4.4.3", result.EnhancedStatusCode);
        Assert.Empty(result.Attempts);
    }

    [Theory]
    [InlineData(MxResolutionStatus.NullMx, "5.1.10", true)]
    [InlineData(MxResolutionStatus.NoSuchDomain, "5.1.2", true)]
    [InlineData(MxResolutionStatus.TemporaryFailure, "4.4.3", false)]
    public async Task ConnectAsync_ResolutionFails_ResultCarriesItsStatusAndCode(MxResolutionStatus status, string code, bool permanent)
    {
        // R5 R6 R8 through the connector: resolution failures are values, with no attempt.
        using var connector = new MxConnector(new FakeMxResolver((input, _) => ValueTask.FromResult(new MxResolution(input, status) { Error = "because" })));

        MxFailoverResult<MxConnection> result = await connector.ConnectAsync("example.test", 25, Token);

        Assert.Equal(MxFailoverStatus.ResolutionFailed, result.Status);
        Assert.Equal(code, result.EnhancedStatusCode);
        Assert.Equal(permanent, result.IsPermanentFailure);
        Assert.Equal(!permanent, result.IsTemporaryFailure);
        Assert.Equal("because", result.Error);
        Assert.Empty(result.Attempts);
    }

    [Fact]
    public async Task ConnectAsync_AllRefused_441WithEveryAttemptInOrder()
    {
        // R20 R23: refused moves on at once; all refused -> temporary 4.4.1 carrying each attempt.
        int port = ClosedPort("127.0.0.14");
        var logger = new RecordingLogger();
        using var connector = new MxConnector(
            FakeMxResolver.Targets(Target("a.test", 10, "127.0.0.14"), Target("b.test", 20, "127.0.0.15"), Target("c.test", 30, "127.0.0.16")),
            logger: logger);

        MxFailoverResult<MxConnection> result = await connector.ConnectAsync("refused.test", port, Token).AsTask().WaitAsync(Bound, Token);

        Assert.Equal(MxFailoverStatus.AllAttemptsFailed, result.Status);
        Assert.Equal("4.4.1", result.EnhancedStatusCode);
        Assert.Equal(["a.test", "b.test", "c.test"], result.Attempts.Select(a => a.Host));
        Assert.All(result.Attempts, a => Assert.Equal(MxAttemptOutcome.Refused, a.Outcome));
        Assert.All(result.Attempts, a => Assert.Contains("ConnectionRefused", a.Error, StringComparison.Ordinal));
        Assert.True(logger.Has(1301), "each failed attempt is logged");
        Assert.True(logger.Has(1304), "exhaustion is logged");
    }

    [Fact]
    public async Task ConnectAsync_MaxAttemptsReached_StopsThereAndSaysSo()
    {
        // R19/R20: the attempt cap bounds the call.
        int port = ClosedPort("127.0.0.14");
        using var connector = new MxConnector(
            FakeMxResolver.Targets(Target("a.test", 10, "127.0.0.14"), Target("b.test", 20, "127.0.0.15"), Target("c.test", 30, "127.0.0.16")),
            new MxFailoverOptions { MaxAttempts = 2 });

        MxFailoverResult<MxConnection> result = await connector.ConnectAsync("refused.test", port, Token).AsTask().WaitAsync(Bound, Token);

        Assert.Equal(2, result.Attempts.Count);
        Assert.Contains("limit of 2 attempt(s)", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectAsync_Refused_CountsAttemptsAndFailoversInMetrics()
    {
        // R20: attempts with their outcome, and each move to the next address.
        int port = ClosedPort("127.0.0.14");
        using var telemetry = new MxResolverTelemetry();
        var outcomes = new List<string>();
        long failovers = 0;
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter == telemetry.Meter)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            lock (outcomes)
            {
                if (instrument.Name == "mxresolver.connect.attempts")
                {
                    outcomes.Add((string)tags.ToArray().Single(t => t.Key == "mxresolver.connect.outcome").Value!);
                }
                else if (instrument.Name == "mxresolver.connect.failovers")
                {
                    failovers += value;
                }
            }
        });
        listener.Start();
        using var connector = new MxConnector(
            FakeMxResolver.Targets(Target("a.test", 10, "127.0.0.14"), Target("b.test", 20, "127.0.0.15")),
            new MxFailoverOptions(),
            TimeProvider.System,
            logger: null,
            telemetry);

        await connector.ConnectAsync("refused.test", port, Token).AsTask().WaitAsync(Bound, Token);

        lock (outcomes)
        {
            Assert.Equal(["refused", "refused"], outcomes);
            Assert.Equal(1, failovers);
        }
    }

    [Fact]
    public async Task ConnectAsync_TwoAttempts_OneSpanEachWithOutcome()
    {
        // R20: a span per attempt, siblings under the caller's span.
        int port = ClosedPort("127.0.0.14");
        var spans = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "MxResolver",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.GetTagItem("server.address") is "span-a.test" or "span-b.test")
                {
                    lock (spans)
                    {
                        spans.Add(activity);
                    }
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        using var caller = new Activity("caller").Start();
        using var connector = new MxConnector(FakeMxResolver.Targets(Target("span-a.test", 10, "127.0.0.14"), Target("span-b.test", 20, "127.0.0.15")));

        await connector.ConnectAsync("spans.test", port, Token).AsTask().WaitAsync(Bound, Token);

        lock (spans)
        {
            Assert.Equal(["span-a.test", "span-b.test"], spans.Select(s => (string)s.GetTagItem("server.address")!));
            Assert.All(spans, s => Assert.Equal("MxResolver.Connect", s.OperationName));
            Assert.All(spans, s => Assert.Equal("refused", s.GetTagItem("mxresolver.connect.outcome")));
            Assert.All(spans, s => Assert.Equal(ActivityStatusCode.Error, s.Status));
            Assert.All(spans, s => Assert.Equal(caller.SpanId, s.ParentSpanId));
        }
    }

    [Fact]
    public async Task ConnectAsync_CancelledDuringResolution_Throws()
    {
        // Cancellation, stage 1: resolution.
        var resolver = new FakeMxResolver(async (input, ct) =>
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, ct);
            return new MxResolution(input, MxResolutionStatus.Success);
        });
        using var connector = new MxConnector(resolver);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Token);

        Task<MxFailoverResult<MxConnection>> pending = connector.ConnectAsync("slow.test", 25, cts.Token).AsTask();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.WaitAsync(Bound, Token));
    }

    [Fact]
    public async Task ConnectAsync_CancelledWhileConnecting_ThrowsAndLeavesHealthAlone()
    {
        // Cancellation, stage 2: a connect in progress (R22: not held against the address).
        await using TcpTestServer blackhole = await TcpTestServer.BlackholeAsync(new IPEndPoint(IPAddress.Parse("127.0.0.17"), 0));
        using var connector = new MxConnector(FakeMxResolver.Targets(Target("mx.test", 10, "127.0.0.17")));
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Token);

        Task<MxFailoverResult<MxConnection>> pending = connector.ConnectAsync("blackhole.test", blackhole.EndPoint.Port, cts.Token).AsTask();
        Assert.False(pending.IsCompleted);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.WaitAsync(Bound, Token));
        Assert.Equal(0, connector.Health.Count);
    }

    [Fact]
    public async Task ConnectAsync_CancelledWhileReadingTheGreeting_ThrowsAndClosesTheConnection()
    {
        // Cancellation, stage 3: the greeting read (R21).
        await using TcpTestServer silent = TcpTestServer.Silent(new IPEndPoint(IPAddress.Parse("127.0.0.18"), 0));
        using var connector = new MxConnector(
            FakeMxResolver.Targets(Target("mx.test", 10, "127.0.0.18")),
            new MxFailoverOptions { CheckGreeting = true, GreetingTimeout = TimeSpan.FromMinutes(5) });
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Token);

        Task<MxFailoverResult<MxConnection>> pending = connector.ConnectAsync("silent.test", silent.EndPoint.Port, cts.Token).AsTask();
        await WaitUntilAsync(() => silent.Accepted == 1);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.WaitAsync(Bound, Token));
    }

    [Fact]
    public async Task ConnectAsync_CallerTokenAlreadyCancelled_ThrowsBeforeResolving()
    {
        var resolver = FakeMxResolver.Targets(Target("mx.test", 10, "127.0.0.19"));
        using var connector = new MxConnector(resolver);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => connector.ConnectAsync("x.test", 25, new CancellationToken(canceled: true)).AsTask());
        Assert.Equal(0, resolver.Calls);
    }

    [Fact]
    public async Task ExecuteAsync_RetryableFailures_MoveOnInOrderUntilTheOperationReturns()
    {
        // R20 for the caller's own client: each address in order until one succeeds.
        using var connector = new MxConnector(FakeMxResolver.Targets(
            Target("a.test", 10, "192.0.2.1", "2001:db8::1"),
            Target("b.test", 20, "192.0.2.2")));
        var seen = new List<MxDestination>();

        MxFailoverResult<string> result = await connector.ExecuteAsync<string>(
            "x.test",
            (destination, _) =>
            {
                seen.Add(destination);
                return destination.AttemptNumber switch
                {
                    1 => throw new SocketException((int)SocketError.ConnectionRefused),
                    2 => throw new IOException("connection reset"),
                    _ => ValueTask.FromResult("250 queued"),
                };
            },
            port: 2525,
            cancellationToken: Token);

        Assert.True(result.IsSuccess);
        Assert.Equal("250 queued", result.Value);
        Assert.Equal(("b.test", IPAddress.Parse("192.0.2.2")), (result.Target.Host, result.Address));
        Assert.Equal(["192.0.2.1:2525", "[2001:db8::1]:2525", "192.0.2.2:2525"], seen.Select(d => d.EndPoint.ToString()));
        Assert.Equal([1, 2, 3], seen.Select(d => d.AttemptNumber));
        Assert.Equal([MxAttemptOutcome.Refused, MxAttemptOutcome.OperationFailed, MxAttemptOutcome.Succeeded], result.Attempts.Select(a => a.Outcome));
        Assert.Equal("connection reset", result.Attempts[1].Error);
    }

    [Fact]
    public async Task ExecuteAsync_NonRetryableFailure_PropagatesAndLeavesHealthAlone()
    {
        // A 5xx for a recipient is not the host's fault: no failover, no health mark (R22).
        using var connector = new MxConnector(FakeMxResolver.Targets(Target("a.test", 10, "192.0.2.1"), Target("b.test", 20, "192.0.2.2")));
        int calls = 0;

        await Assert.ThrowsAsync<InvalidOperationException>(() => connector.ExecuteAsync<int>(
            "x.test",
            (_, _) =>
            {
                calls++;
                throw new InvalidOperationException("550 no such user");
            },
            cancellationToken: Token).AsTask());

        Assert.Equal(1, calls);
        Assert.Equal(0, connector.Health.Count);
    }

    [Fact]
    public async Task ExecuteAsync_CustomPredicate_DecidesWhatIsRetryable()
    {
        using var connector = new MxConnector(FakeMxResolver.Targets(Target("a.test", 10, "192.0.2.1"), Target("b.test", 20, "192.0.2.2")));

        await Assert.ThrowsAsync<IOException>(() => connector.ExecuteAsync<int>(
            "x.test",
            (_, _) => throw new IOException("not retryable here"),
            isRetryable: e => e is FormatException,
            cancellationToken: Token).AsTask());

        MxFailoverResult<int> result = await connector.ExecuteAsync(
            "x.test",
            (d, _) => d.AttemptNumber == 1 ? throw new FormatException("retry this") : ValueTask.FromResult(7),
            isRetryable: e => e is FormatException,
            cancellationToken: Token);
        Assert.Equal(7, result.Value);
    }

    [Fact]
    public async Task ExecuteAsync_UnhealthyAddress_TriedAfterHealthyOnesOfItsPreferenceNeverAfterWorse()
    {
        // R22: dead is tried after the healthy address of the same preference, but before preference 20;
        // once its back-off has passed it takes its place again.
        var time = new FakeTimeProvider();
        using var connector = new MxConnector(
            FakeMxResolver.Targets(Target("dead.test", 10, "192.0.2.1"), Target("live.test", 10, "192.0.2.2"), Target("backup.test", 20, "192.0.2.3")),
            new MxFailoverOptions { HealthBackoff = TimeSpan.FromSeconds(30) },
            time);

        async Task<List<string>> CallAsync(Func<MxDestination, bool> fails)
        {
            var hosts = new List<string>();
            await connector.ExecuteAsync(
                "x.test",
                (d, _) =>
                {
                    hosts.Add(d.Target.Host);
                    return fails(d) ? throw new SocketException((int)SocketError.ConnectionRefused) : ValueTask.FromResult(true);
                },
                cancellationToken: Token);
            return hosts;
        }

        Assert.Equal(["dead.test", "live.test"], await CallAsync(d => d.Target.Host == "dead.test"));
        Assert.Equal(["live.test"], await CallAsync(_ => false));
        Assert.Equal(["live.test", "dead.test", "backup.test"], await CallAsync(d => d.Target.Host != "backup.test"));

        // Both failed again: live once (30 s), dead twice (60 s). After 31 s live is back, dead is not.
        time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(["live.test", "dead.test", "backup.test"], await CallAsync(d => d.Target.Host != "backup.test"));
        time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(["dead.test"], await CallAsync(_ => false));
    }

    [Fact]
    public async Task ExecuteAsync_CancelledInsideTheOperation_Throws()
    {
        // Cancellation, stage 4: the caller's own operation.
        using var connector = new MxConnector(FakeMxResolver.Targets(Target("a.test", 10, "192.0.2.1"), Target("b.test", 20, "192.0.2.2")));
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Token);
        int calls = 0;

        Task<MxFailoverResult<int>> pending = connector.ExecuteAsync<int>(
            "x.test",
            async (_, ct) =>
            {
                Interlocked.Increment(ref calls);
                await Task.Delay(Timeout.InfiniteTimeSpan, ct);
                return 1;
            },
            cancellationToken: cts.Token).AsTask();
        await WaitUntilAsync(() => Volatile.Read(ref calls) == 1);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.WaitAsync(Bound, Token));
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task ExecuteAsync_OperationOutlivesTheDeadline_AllAttemptsFailed()
    {
        // R20 R23: the deadline ends the operation's token; the result is temporary.
        var time = new FakeTimeProvider();
        using var connector = new MxConnector(
            FakeMxResolver.Targets(Target("a.test", 10, "192.0.2.1")),
            new MxFailoverOptions { OverallTimeout = TimeSpan.FromSeconds(5) },
            time);

        Task<MxFailoverResult<int>> pending = connector.ExecuteAsync<int>(
            "x.test",
            async (_, ct) =>
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, ct);
                return 1;
            },
            cancellationToken: Token).AsTask();
        time.Advance(TimeSpan.FromSeconds(5));
        MxFailoverResult<int> result = await pending.WaitAsync(Bound, Token);

        Assert.Equal(MxFailoverStatus.AllAttemptsFailed, result.Status);
        Assert.Equal(MxAttemptOutcome.DeadlinePassed, Assert.Single(result.Attempts).Outcome);
    }

    [Fact]
    public void Constructor_InvalidOptions_ThrowsArgumentException()
    {
        var resolver = FakeMxResolver.Targets();
        Assert.StartsWith("MxResolver:Failover:ConnectTimeout ", Assert.Throws<ArgumentException>(() => new MxConnector(resolver, new MxFailoverOptions { ConnectTimeout = TimeSpan.Zero })).Message, StringComparison.Ordinal);
        Assert.StartsWith("MxResolver:Failover:MaxAttempts ", Assert.Throws<ArgumentException>(() => new MxConnector(resolver, new MxFailoverOptions { MaxAttempts = 0 })).Message, StringComparison.Ordinal);
        Assert.StartsWith("MxResolver:Failover:ConnectionAttemptDelay ", Assert.Throws<ArgumentException>(() => new MxConnector(resolver, new MxFailoverOptions { ConnectionAttemptDelay = TimeSpan.FromMilliseconds(-1) })).Message, StringComparison.Ordinal);
        Assert.StartsWith("MxResolver:Failover:HealthBackoff ", Assert.Throws<ArgumentException>(() => new MxConnector(resolver, new MxFailoverOptions { MaxHealthBackoff = TimeSpan.FromSeconds(1), HealthBackoff = TimeSpan.FromSeconds(2) })).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>(() => new MxConnector(null!));
    }

    [Fact]
    public async Task ConnectAsync_Misuse_ThrowsArgumentExceptions()
    {
        using var connector = new MxConnector(FakeMxResolver.Targets());
        await Assert.ThrowsAsync<ArgumentNullException>(() => connector.ConnectAsync(null!, 25, Token).AsTask());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => connector.ConnectAsync("x.test", 0, Token).AsTask());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => connector.ConnectAsync("x.test", 65536, Token).AsTask());
        await Assert.ThrowsAsync<ArgumentNullException>(() => connector.ExecuteAsync<int>("x.test", null!, cancellationToken: Token).AsTask());
    }
}
