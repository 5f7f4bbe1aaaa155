using System.Net;
using Microsoft.Extensions.Time.Testing;
using MxResolver.Caching;
using MxResolver.Diagnostics;
using MxResolver.Dns;
using MxResolver.Lookup;
using MxResolver.Tests.Infrastructure;
using static MxResolver.Tests.Caching.CountingDnsLookup;
using MxResolver.Configuration;

namespace MxResolver.Tests.Caching;

// Behaviour rules R30 (docs/behaviour.md, "Secure delivery").

/// <summary>The resolver with its caches: whole resolutions reused, ties reshuffled, flushes.</summary>
public sealed class MailExchangeResolverCacheTests : IDisposable
{
    private const string Domain = "example.test";
    private static readonly TimeSpan OneTick = TimeSpan.FromTicks(1);
    private static readonly TimeSpan Bounded = TimeSpan.FromSeconds(30);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
    private readonly MxResolverTelemetry _telemetry = new();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public void Dispose() => _telemetry.Dispose();

    /// <summary>example.test: MX 10 mx1..mx3, MX 20 mx4, mx5 (TTL 300); each host one A and one AAAA (TTL 120); all DNSSEC-secure.</summary>
    private static DnsAnswer FiveTargets(string name, DnsRecordType type) => FiveTargetsInsecure(name, type) with { IsSecure = true };

    private static DnsAnswer FiveTargetsInsecure(string name, DnsRecordType type)
    {
        if (type == DnsRecordType.MX)
        {
            return name is "example.test." or "xn--bcher-kva.example.test."
                ? Mx(name, 300, (10, "mx1.example.test."), (10, "mx2.example.test."), (10, "mx3.example.test."), (20, "mx4.example.test."), (20, "mx5.example.test."))
                : Negative(name, type, DnsAnswerKind.NoData, 300);
        }

        string n = name.StartsWith("mx", StringComparison.Ordinal) ? name[2..3] : "99";
        return type == DnsRecordType.A
            ? Address(name, type, 120, $"192.0.2.{n}")
            : Address(name, type, 120, $"2001:db8::{n}");
    }

    private (MailExchangeResolver Resolver, CountingDnsLookup Inner, CachingDnsLookup Cache) NewResolver(
        Func<string, DnsRecordType, DnsAnswer>? zone = null, MxCacheOptions? cacheOptions = null, Random? random = null, MxResolverOptions? options = null)
    {
        var inner = new CountingDnsLookup(zone ?? FiveTargets);
        var cache = new CachingDnsLookup(inner, cacheOptions ?? new MxCacheOptions(), _time, _telemetry);
        var resolver = new MailExchangeResolver(options ?? new MxResolverOptions(), cache, _time, random ?? new Random(5321), logger: null);
        return (resolver, inner, cache);
    }

    [Fact]
    public async Task ResolveAsync_Repeated_ServedWithoutLookupsAndTtlCountsDown()
    {
        // R24
        var (resolver, inner, _) = NewResolver();
        var first = await resolver.ResolveAsync(Domain, Token);
        int calls = inner.Calls;
        _time.Advance(TimeSpan.FromSeconds(20.5));

        var second = await resolver.ResolveAsync(Domain, Token);

        Assert.Equal(MxResolutionStatus.Success, first.Status);
        Assert.Equal(11, calls); // MX, then A and AAAA of five targets
        Assert.Equal(calls, inner.Calls);
        Assert.Equal(TimeSpan.FromSeconds(120), first.TimeToLive);
        Assert.Equal(TimeSpan.FromSeconds(99), second.TimeToLive);
        Assert.Equal(first.Targets.OrderBy(t => t.Host), second.Targets.OrderBy(t => t.Host));
    }

    [Fact]
    public async Task ResolveAsync_CacheHit_AllocatesOnlyTheTargetsAndTheResult()
    {
        // A cached resolution allocates at most two objects: the new target order and the result
        var (resolver, _, _) = NewResolver();
        var template = await resolver.ResolveAsync(Domain, Token);
        for (int i = 0; i < 100; i++)
        {
            Assert.True(resolver.ResolveAsync(Domain, Token).IsCompletedSuccessfully); // warm, synchronous
        }

        long expected = AllocatedBy(() => _ = new MxResolution(Domain, template.Status) { Targets = new MxTarget[5], TimeToLive = TimeSpan.Zero });
        CancellationToken token = Token;
        long actual = AllocatedBy(() => _ = resolver.ResolveAsync(Domain, token).Result);

        Assert.Equal(expected, actual);
    }

    private static long AllocatedBy(Action action)
    {
        const int Rounds = 1000;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Rounds; i++)
        {
            action();
        }

        return (GC.GetAllocatedBytesForCurrentThread() - before) / Rounds;
    }

    [Fact]
    public async Task ResolveAsync_CachedResult_EveryPropertyCarriedOver()
    {
        // R24: the cached result is the fresh one, apart from the input, the tie order and the TTL
        var (resolver, _, _) = NewResolver();
        var fresh = await resolver.ResolveAsync("postmaster@example.test", Token);

        var cached = await resolver.ResolveAsync("Example.TEST.", Token);

        Assert.True(fresh.IsMxSecure); // not a default value, so that carrying it over is seen
        Assert.All(fresh.Targets, target => Assert.True(target.IsSecure));
        Assert.Equal("Example.TEST.", cached.Input);
        foreach (var property in typeof(MxResolution).GetProperties())
        {
            switch (property.Name)
            {
                case nameof(MxResolution.Input):
                case nameof(MxResolution.TimeToLive):
                    break;
                case nameof(MxResolution.Targets):
                    Assert.Equal(fresh.Targets.OrderBy(t => t.Host), cached.Targets.OrderBy(t => t.Host));
                    break;
                default:
                    Assert.Equal(property.GetValue(fresh), property.GetValue(cached));
                    break;
            }
        }
    }

    [Fact]
    public async Task ResolveAsync_CachedTies_ReshuffledOnEveryCallAndPreferencesKept()
    {
        // R12: ties are randomised on every resolution, cached or not; R11: order across preferences kept
        var (resolver, inner, _) = NewResolver();
        await resolver.ResolveAsync(Domain, Token);
        var orders = new HashSet<string>();
        var firstHosts = new HashSet<string>();

        for (int i = 0; i < 300; i++)
        {
            var result = await resolver.ResolveAsync(Domain, Token);
            Assert.Equal([10, 10, 10, 20, 20], result.Targets.Select(t => (int)t.Preference));
            orders.Add(string.Join(",", result.Targets.Select(t => t.Host)));
            firstHosts.Add(result.Targets[0].Host);
        }

        Assert.Equal(11, inner.Calls);
        Assert.Equal(12, orders.Count); // 3! orders of the first group times 2! of the second, all seen
        Assert.Equal(["mx1.example.test", "mx2.example.test", "mx3.example.test"], firstHosts.Order());
    }

    [Fact]
    public async Task ResolveAsync_SmallestTtlRunsOut_ResolvedAgainToTheTick()
    {
        // R24: the resolution lives as long as its shortest-lived answer (the addresses, 120 s)
        var (resolver, inner, _) = NewResolver();
        await resolver.ResolveAsync(Domain, Token);
        _time.Advance(TimeSpan.FromSeconds(120) - OneTick);
        var last = await resolver.ResolveAsync(Domain, Token);
        Assert.Equal(11, inner.Calls);
        _time.Advance(OneTick);

        var renewed = await resolver.ResolveAsync(Domain, Token);

        Assert.Equal(TimeSpan.Zero, last.TimeToLive);
        Assert.Equal(21, inner.Calls); // the addresses again; the MX (300 s) still cached
        Assert.Equal(1, inner.CallsFor("example.test.", DnsRecordType.MX));
        Assert.Equal(TimeSpan.FromSeconds(120), renewed.TimeToLive);
    }

    [Fact]
    public async Task ResolveAsync_NoSuchDomain_CachedForNegativeTtl()
    {
        // R25 with R5
        var (resolver, inner, _) = NewResolver((name, type) => Negative(name, type, DnsAnswerKind.NxDomain, 600));
        var first = await resolver.ResolveAsync("gone.example.test", Token);
        _time.Advance(TimeSpan.FromSeconds(100));

        var second = await resolver.ResolveAsync("gone.example.test", Token);

        Assert.Equal(MxResolutionStatus.NoSuchDomain, second.Status);
        Assert.Equal(first.Error, second.Error);
        Assert.Equal(TimeSpan.FromSeconds(500), second.TimeToLive);
        Assert.Equal(1, inner.Calls);
    }

    [Fact]
    public async Task ResolveAsync_AnyLookupFailed_ResolutionNotCached()
    {
        // R26: a partial failure is not kept beyond the failure TTL of its answer (here zero)
        var (resolver, inner, _) = NewResolver(
            (name, type) => name == "mx5.example.test." && type == DnsRecordType.AAAA ? Failure(name, type) : FiveTargets(name, type),
            new MxCacheOptions { FailureTtl = TimeSpan.Zero });
        var first = await resolver.ResolveAsync(Domain, Token);

        var second = await resolver.ResolveAsync(Domain, Token);

        Assert.Equal(MxResolutionStatus.Success, first.Status);
        Assert.Equal(MxResolutionStatus.Success, second.Status);
        Assert.Equal(2, inner.CallsFor("mx5.example.test.", DnsRecordType.AAAA));
        Assert.Equal(1, inner.CallsFor("example.test.", DnsRecordType.MX));
    }

    [Fact]
    public async Task ResolveAsync_TemporaryFailure_NotCached()
    {
        // R26 with R6
        var (resolver, inner, _) = NewResolver((name, type) => Failure(name, type), new MxCacheOptions { FailureTtl = TimeSpan.Zero });
        await resolver.ResolveAsync(Domain, Token);

        var second = await resolver.ResolveAsync(Domain, Token);

        Assert.Equal(MxResolutionStatus.TemporaryFailure, second.Status);
        Assert.Equal(2, inner.Calls);
    }

    [Fact]
    public async Task ResolveAsync_ServersFailAfterExpiry_StaleResultMarked()
    {
        // R28: served stale, marked stale in the result, with the short stale TTL
        bool failing = false;
        var (resolver, _, _) = NewResolver(
            (name, type) => failing ? Failure(name, type) : FiveTargets(name, type),
            new MxCacheOptions { ServeStale = true });
        await resolver.ResolveAsync(Domain, Token);
        failing = true;
        _time.Advance(TimeSpan.FromMinutes(10));

        var stale = await resolver.ResolveAsync(Domain, Token);
        var again = await resolver.ResolveAsync(Domain, Token);

        Assert.Equal(MxResolutionStatus.Success, stale.Status);
        Assert.True(stale.IsStale);
        Assert.Equal(5, stale.Targets.Count);
        Assert.Equal(TimeSpan.FromSeconds(30), stale.TimeToLive);
        Assert.True(again.IsStale);
    }

    [Fact]
    public async Task ResolveAsync_AddressSharedByTiedTargets_DedupFollowsEveryShuffle()
    {
        // R13 with R12: which tied target keeps a shared address depends on the order, so such a
        // result is rebuilt from the DNS cache each time rather than reshuffled
        var (resolver, inner, _) = NewResolver((name, type) => type switch
        {
            DnsRecordType.MX => Mx(name, 300, (10, "a.example.test."), (10, "b.example.test.")),
            DnsRecordType.A => Address(name, type, 300, "192.0.2.10"),
            _ => Negative(name, type, DnsAnswerKind.NoData, 300),
        });
        var hosts = new HashSet<string>();

        for (int i = 0; i < 100; i++)
        {
            var result = await resolver.ResolveAsync(Domain, Token);
            var target = Assert.Single(result.Targets);
            Assert.Equal([IPAddress.Parse("192.0.2.10")], target.Addresses);
            hosts.Add(target.Host);
        }

        Assert.Equal(["a.example.test", "b.example.test"], hosts.Order());
        Assert.Equal(5, inner.Calls); // everything else from the DNS cache
    }

    [Fact]
    public async Task ResolveAsync_DifferentFormsOfTheDomain_ShareOneEntry()
    {
        // R1, R2, R3: addresses, case, trailing dot and U-labels all name the same domain
        var (resolver, inner, _) = NewResolver();
        await resolver.ResolveAsync("bücher.example.test", Token);
        int calls = inner.Calls;

        var viaAddress = await resolver.ResolveAsync("Info@XN--BCHER-KVA.example.test.", Token);
        var viaUnicode = await resolver.ResolveAsync("info@Bücher.example.test", Token);

        Assert.Equal(calls, inner.Calls);
        Assert.Equal("bücher.example.test", viaAddress.Domain);
        Assert.Equal("info@Bücher.example.test", viaUnicode.Input);
        Assert.Equal("xn--bcher-kva.example.test", viaUnicode.AsciiDomain);
    }

    [Fact]
    public async Task ResolveAsync_NonAsciiLookalike_NotAnsweredFromTheAsciiEntry()
    {
        // R3: a dotless i is equal to 'i' ignoring case, but IDNA maps it to a different name
        var (resolver, inner, _) = NewResolver();
        await resolver.ResolveAsync("mail.example.test", Token);
        int calls = inner.Calls;

        var lookalike = await resolver.ResolveAsync("maıl.example.test", Token);

        Assert.NotEqual("mail.example.test", lookalike.AsciiDomain);
        Assert.True(lookalike.Status == MxResolutionStatus.InvalidInput || inner.Calls > calls);
    }

    [Fact]
    public async Task Remove_Domain_NextResolutionAsksForTheMxAgain()
    {
        // Operators flush a domain after an MX change: the next resolution asks again
        var (resolver, inner, _) = NewResolver();
        await resolver.ResolveAsync(Domain, Token);

        bool removed = resolver.Remove("EXAMPLE.test.");
        await resolver.ResolveAsync(Domain, Token);

        Assert.True(removed);
        Assert.Equal(2, inner.CallsFor("example.test.", DnsRecordType.MX));
        Assert.Equal(1, inner.CallsFor("mx1.example.test.", DnsRecordType.A)); // target addresses still shared
        Assert.False(resolver.Remove("unknown.test"));
    }

    [Fact]
    public async Task Remove_TargetHost_ResolutionsUsingItAreRebuilt()
    {
        // R24: removing a target name also forgets the resolutions built from it
        var (resolver, inner, _) = NewResolver();
        await resolver.ResolveAsync(Domain, Token);

        Assert.True(resolver.Remove("mx4.example.test"));
        await resolver.ResolveAsync(Domain, Token);

        Assert.Equal(1, inner.CallsFor("example.test.", DnsRecordType.MX));
        Assert.Equal(2, inner.CallsFor("mx4.example.test.", DnsRecordType.AAAA));
        Assert.Equal(1, inner.CallsFor("mx1.example.test.", DnsRecordType.AAAA));
    }

    [Fact]
    public async Task Clear_EverythingAskedAgain()
    {
        // Clearing forgets every answer and resolution
        var (resolver, inner, cache) = NewResolver();
        await resolver.ResolveAsync(Domain, Token);

        resolver.Clear();
        Assert.Equal(0, cache.Count);
        await resolver.ResolveAsync(Domain, Token);

        Assert.Equal(22, inner.Calls);
    }

    [Fact]
    public async Task Clear_WhileResolving_ResultNotStored()
    {
        // A resolution in flight during a flush (R27 single flight) is not stored
        var (resolver, inner, _) = NewResolver();
        inner.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pending = resolver.ResolveAsync(Domain, Token).AsTask();

        resolver.Clear();
        inner.Gate.SetResult();
        await pending.WaitAsync(Bounded, Token);
        inner.Gate = null;
        await resolver.ResolveAsync(Domain, Token);

        // The MX answer came back after the flush and was not stored, nor was the resolution;
        // the address lookups started after the flush and were.
        Assert.Equal(2, inner.CallsFor("example.test.", DnsRecordType.MX));
        Assert.Equal(12, inner.Calls);
    }

    [Fact]
    public async Task RemoveAndClear_Logged_HitsNotLogged()
    {
        // Flushes are logged (event IDs 1200-1201); cache hits log nothing
        var logger = new RecordingLogger();
        var cache = new CachingDnsLookup(new CountingDnsLookup(FiveTargets), new MxCacheOptions(), _time, _telemetry);
        var resolver = new MailExchangeResolver(new MxResolverOptions(), cache, _time, new Random(1), logger);
        await resolver.ResolveAsync(Domain, Token);
        int afterResolution = logger.Events.Count;

        for (int i = 0; i < 10; i++)
        {
            await resolver.ResolveAsync(Domain, Token);
        }

        int afterHits = logger.Events.Count;
        resolver.Remove(Domain);
        resolver.Clear();

        Assert.Equal(afterResolution, afterHits);
        Assert.Equal([1201, 1200], logger.Events.Skip(afterHits).Select(e => e.Id));
        Assert.Contains("example.test", logger.Events[afterHits].Message, StringComparison.Ordinal);
    }

    private sealed class RecordingLogger : Microsoft.Extensions.Logging.ILogger
    {
        public List<(int Id, string Message)> Events { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Events)
            {
                Events.Add((eventId.Id, formatter(state, exception)));
            }
        }
    }

    [Fact]
    public void Remove_InvalidOrNull_Throws()
    {
        // R3: the name is validated like a resolution input
        var (resolver, _, _) = NewResolver();

        Assert.Throws<ArgumentNullException>(() => resolver.Remove(null!));
        Assert.Throws<ArgumentException>(() => resolver.Remove("bad..name"));
    }

    [Fact]
    public async Task ResolveAsync_WithoutDnsCache_FlushesDoNothing()
    {
        // The flush API of a resolver built without a cache is a harmless no-op
        var inner = new CountingDnsLookup(FiveTargets);
        var resolver = new MailExchangeResolver(new MxResolverOptions(), inner, _time, new Random(1), logger: null);
        await resolver.ResolveAsync(Domain, Token);
        await resolver.ResolveAsync(Domain, Token);

        Assert.False(resolver.Remove(Domain));
        resolver.Clear();
        Assert.Equal(22, inner.Calls);
    }

    [Fact]
    public async Task ResolveAsync_TenThousandConcurrentOnLoopback_OneQueryPerQuestion()
    {
        // R27: identical concurrent lookups share one upstream query, counted at the server
        await using var server = new ScriptedDnsServer(q =>
        {
            string name = q.Info!.QuestionName!.ToLowerInvariant(); // the client may randomise case
            return ScriptedResponse.Reply(q.Reply(configure: b =>
            {
                switch (q.Info.QuestionType)
                {
                    case DnsTypeCode.MX when name == "example.test.":
                        for (int i = 1; i <= 5; i++)
                        {
                            b.AddMx(RecordSection.Answer, name, (ushort)(i * 10), $"mx{i}.example.test.");
                        }

                        break;
                    case DnsTypeCode.A:
                        b.AddA(RecordSection.Answer, name, $"192.0.2.{name[2]}");
                        break;
                    case DnsTypeCode.AAAA:
                        b.AddAaaa(RecordSection.Answer, name, $"2001:db8::{name[2]}");
                        break;
                }
            }));
        });
        var client = new DnsStubClient(new DnsStubClientOptions { NameServers = [server.EndPoint], AttemptTimeout = TimeSpan.FromSeconds(5), AttemptsPerServer = 1 });
        var cache = new CachingDnsLookup(new DnsLookup(client), new MxCacheOptions(), TimeProvider.System, _telemetry);
        var resolver = new MailExchangeResolver(new MxResolverOptions(), cache, TimeProvider.System, Random.Shared, logger: null);

        var resolutions = Enumerable.Range(0, 10_000).Select(_ => resolver.ResolveAsync(Domain, Token).AsTask()).ToArray();
        MxResolution[] results = await Task.WhenAll(resolutions).WaitAsync(Bounded, Token);

        Assert.All(results, result => Assert.Equal(5, result.Targets.Count));
        var questions = server.ReceivedQueries.GroupBy(q => (q.Info!.QuestionName!.ToLowerInvariant(), q.Info.QuestionType)).ToArray();
        Assert.Equal(11, questions.Length);
        Assert.All(questions, question => Assert.Single(question));
        Assert.Empty(server.ScriptErrors);
    }
}
