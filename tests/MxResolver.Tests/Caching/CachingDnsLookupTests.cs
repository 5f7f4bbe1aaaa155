using System.Diagnostics.Metrics;
using Microsoft.Extensions.Time.Testing;
using MxResolver.Caching;
using MxResolver.Diagnostics;
using MxResolver.Dns;
using MxResolver.Lookup;
using MxResolver.Tests.Infrastructure;
using static MxResolver.Tests.Caching.CountingDnsLookup;
using MxResolver.Configuration;

namespace MxResolver.Tests.Caching;

public sealed class CachingDnsLookupTests : IDisposable
{
    private const string Host = "mx1.example.test.";
    private static readonly TimeSpan OneTick = TimeSpan.FromTicks(1);
    private static readonly TimeSpan Bounded = TimeSpan.FromSeconds(30);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
    private readonly MxResolverTelemetry _telemetry = new();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public void Dispose() => _telemetry.Dispose();

    private CachingDnsLookup NewCache(IDnsLookup inner, MxCacheOptions? options = null) =>
        new(inner, options ?? new MxCacheOptions(), _time, _telemetry);

    private static CountingDnsLookup Answering(DnsAnswer answer) => new((_, _) => answer);

    [Fact]
    public async Task LookupAsync_PositiveAnswer_ServedUntilExpiryToTheTick()
    {
        // R24
        var inner = Answering(Address(Host, DnsRecordType.A, 300, "192.0.2.1"));
        var cache = NewCache(inner);

        await cache.LookupAsync(Host, DnsRecordType.A, Token);
        _time.Advance(TimeSpan.FromSeconds(300) - OneTick);
        var beforeExpiry = await cache.LookupAsync(Host, DnsRecordType.A, Token);
        Assert.Equal(1, inner.Calls);
        Assert.Equal(0u, beforeExpiry.TimeToLive);

        _time.Advance(OneTick);
        var afterExpiry = await cache.LookupAsync(Host, DnsRecordType.A, Token);

        Assert.Equal(2, inner.Calls);
        Assert.Equal(300u, afterExpiry.TimeToLive);
        Assert.False(afterExpiry.IsStale);
    }

    [Fact]
    public async Task LookupAsync_Hit_TimeToLiveCountsDownInWholeSeconds()
    {
        // R24
        var inner = Answering(Address(Host, DnsRecordType.AAAA, 3600, "2001:db8::1"));
        var cache = NewCache(inner);

        var first = await cache.LookupAsync(Host, DnsRecordType.AAAA, Token);
        _time.Advance(TimeSpan.FromSeconds(100.5));
        var second = await cache.LookupAsync(Host, DnsRecordType.AAAA, Token);
        var third = await cache.LookupAsync(Host, DnsRecordType.AAAA, Token);
        _time.Advance(TimeSpan.FromSeconds(1));
        var fourth = await cache.LookupAsync(Host, DnsRecordType.AAAA, Token);

        Assert.Equal(3600u, first.TimeToLive);
        Assert.Equal(3499u, second.TimeToLive);
        Assert.Same(second, third); // same second: the countdown copy is reused
        Assert.Equal(3498u, fourth.TimeToLive);
        Assert.Equal(first.Addresses, fourth.Addresses);
        Assert.Equal(1, inner.Calls);
    }

    [Fact]
    public async Task LookupAsync_TtlBelowMinimum_KeptForMinimum()
    {
        // R24
        var inner = Answering(Address(Host, DnsRecordType.A, 5, "192.0.2.1"));
        var cache = NewCache(inner, new MxCacheOptions { MinimumTtl = TimeSpan.FromSeconds(60) });

        var first = await cache.LookupAsync(Host, DnsRecordType.A, Token);
        _time.Advance(TimeSpan.FromSeconds(60) - OneTick);
        await cache.LookupAsync(Host, DnsRecordType.A, Token);
        Assert.Equal(1, inner.Calls);
        _time.Advance(OneTick);
        await cache.LookupAsync(Host, DnsRecordType.A, Token);

        Assert.Equal(60u, first.TimeToLive);
        Assert.Equal(2, inner.Calls);
    }

    [Fact]
    public async Task LookupAsync_TtlAboveMaximum_KeptForMaximum()
    {
        // R24
        var inner = Answering(Mx("example.test.", 604_800, (10, Host)));
        var cache = NewCache(inner, new MxCacheOptions { MaximumTtl = TimeSpan.FromHours(1) });

        var first = await cache.LookupAsync("example.test.", DnsRecordType.MX, Token);
        _time.Advance(TimeSpan.FromHours(1) - OneTick);
        await cache.LookupAsync("example.test.", DnsRecordType.MX, Token);
        Assert.Equal(1, inner.Calls);
        _time.Advance(OneTick);
        await cache.LookupAsync("example.test.", DnsRecordType.MX, Token);

        Assert.Equal(3600u, first.TimeToLive);
        Assert.Equal(2, inner.Calls);
    }

    [Fact]
    public async Task LookupAsync_ZeroTtl_NotStoredEvenWithMinimum()
    {
        // R24: TTL 0 serves the current resolution only (RFC 1035 §3.2.1)
        var inner = Answering(Address(Host, DnsRecordType.A, 0, "192.0.2.1"));
        var cache = NewCache(inner, new MxCacheOptions { MinimumTtl = TimeSpan.FromSeconds(60) });

        var first = await cache.LookupAsync(Host, DnsRecordType.A, Token);
        var second = await cache.LookupAsync(Host, DnsRecordType.A, Token);

        Assert.Equal(DnsAnswerKind.Success, first.Kind);
        Assert.Equal(0u, first.TimeToLive);
        Assert.Equal(DnsAnswerKind.Success, second.Kind);
        Assert.Equal(2, inner.Calls);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public async Task LookupAsync_NegativeAnswerFromWire_CachedForMinOfSoaTtlAndMinimum()
    {
        // R25: RFC 2308 §5, negative TTL = min(SOA TTL, SOA MINIMUM) — here the SOA TTL (120) is the smaller
        byte[] reply = new DnsMessageBuilder { IsResponse = true, Rcode = DnsRcodeCode.NoError }
            .AddQuestion("example.test.", DnsTypeCode.MX)
            .AddSoa(RecordSection.Authority, "example.test.", "ns.example.test.", "hostmaster.example.test.", minimum: 900, ttl: 120)
            .Build();
        var inner = Answering(DnsAnswerReader.Read(reply, "example.test.", DnsRecordType.MX));
        var cache = NewCache(inner);

        var first = await cache.LookupAsync("example.test.", DnsRecordType.MX, Token);
        _time.Advance(TimeSpan.FromSeconds(119));
        var hit = await cache.LookupAsync("example.test.", DnsRecordType.MX, Token);
        Assert.Equal(1, inner.Calls);
        _time.Advance(TimeSpan.FromSeconds(1));
        await cache.LookupAsync("example.test.", DnsRecordType.MX, Token);

        Assert.Equal(DnsAnswerKind.NoData, first.Kind);
        Assert.Equal(120u, first.TimeToLive);
        Assert.Equal(DnsAnswerKind.NoData, hit.Kind);
        Assert.Equal(1u, hit.TimeToLive);
        Assert.Equal(2, inner.Calls);
    }

    [Fact]
    public async Task LookupAsync_NegativeTtlFromSoaMinimum_ClampedToNegativeMaximum()
    {
        // R25: MINIMUM (86400) is the smaller value, then the configured negative maximum (600) applies
        byte[] reply = new DnsMessageBuilder { IsResponse = true, Rcode = DnsRcodeCode.NxDomain }
            .AddQuestion("gone.example.test.", DnsTypeCode.MX)
            .AddSoa(RecordSection.Authority, "example.test.", "ns.example.test.", "hostmaster.example.test.", minimum: 86_400, ttl: 172_800)
            .Build();
        DnsAnswer fromWire = DnsAnswerReader.Read(reply, "gone.example.test.", DnsRecordType.MX);
        Assert.Equal(86_400u, fromWire.TimeToLive);
        var inner = Answering(fromWire);
        var cache = NewCache(inner, new MxCacheOptions { NegativeMaximumTtl = TimeSpan.FromMinutes(10) });

        var first = await cache.LookupAsync("gone.example.test.", DnsRecordType.MX, Token);
        _time.Advance(TimeSpan.FromMinutes(10) - OneTick);
        await cache.LookupAsync("gone.example.test.", DnsRecordType.MX, Token);
        Assert.Equal(1, inner.Calls);
        _time.Advance(OneTick);
        await cache.LookupAsync("gone.example.test.", DnsRecordType.MX, Token);

        Assert.Equal(DnsAnswerKind.NxDomain, first.Kind);
        Assert.Equal(600u, first.TimeToLive);
        Assert.Equal(2, inner.Calls);
    }

    [Fact]
    public async Task LookupAsync_NegativeTtlBelowNegativeMinimum_Raised()
    {
        // R25
        var inner = Answering(Negative(Host, DnsRecordType.AAAA, DnsAnswerKind.NoData, soaTtl: 10));
        var cache = NewCache(inner, new MxCacheOptions { NegativeMinimumTtl = TimeSpan.FromSeconds(30) });

        var first = await cache.LookupAsync(Host, DnsRecordType.AAAA, Token);
        _time.Advance(TimeSpan.FromSeconds(29));
        await cache.LookupAsync(Host, DnsRecordType.AAAA, Token);

        Assert.Equal(30u, first.TimeToLive);
        Assert.Equal(1, inner.Calls);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task LookupAsync_NegativeWithoutSoa_NotCachedByDefault(bool nxDomain)
    {
        var kind = nxDomain ? DnsAnswerKind.NxDomain : DnsAnswerKind.NoData;
        // R25: without an SOA there is no negative TTL (RFC 2308 §5)
        var inner = Answering(Negative("example.test.", DnsRecordType.MX, kind, soaTtl: null));
        var cache = NewCache(inner);

        await cache.LookupAsync("example.test.", DnsRecordType.MX, Token);
        var second = await cache.LookupAsync("example.test.", DnsRecordType.MX, Token);

        Assert.Equal(kind, second.Kind);
        Assert.Equal(2, inner.Calls);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public async Task LookupAsync_NegativeWithoutSoaAndFloor_CachedForFloor()
    {
        // R25: "or only for a short configured floor"
        var inner = Answering(Negative("example.test.", DnsRecordType.MX, DnsAnswerKind.NoData, soaTtl: null));
        var cache = NewCache(inner, new MxCacheOptions { NegativeTtlWithoutSoa = TimeSpan.FromSeconds(15) });

        var first = await cache.LookupAsync("example.test.", DnsRecordType.MX, Token);
        _time.Advance(TimeSpan.FromSeconds(15) - OneTick);
        await cache.LookupAsync("example.test.", DnsRecordType.MX, Token);
        Assert.Equal(1, inner.Calls);
        _time.Advance(OneTick);
        await cache.LookupAsync("example.test.", DnsRecordType.MX, Token);

        Assert.Equal(15u, first.TimeToLive);
        Assert.Equal(2, inner.Calls);
    }

    [Fact]
    public async Task LookupAsync_NxDomain_AnswersOtherTypesOfTheName()
    {
        // R25: NXDOMAIN is cached per name (RFC 2308 §5)
        var inner = new CountingDnsLookup((name, type) => Negative(name, type, DnsAnswerKind.NxDomain, soaTtl: 300));
        var cache = NewCache(inner);

        await cache.LookupAsync("gone.example.test.", DnsRecordType.MX, Token);
        _time.Advance(TimeSpan.FromSeconds(10));
        var a = await cache.LookupAsync("gone.example.test.", DnsRecordType.A, Token);
        var aaaa = await cache.LookupAsync("gone.example.test.", DnsRecordType.AAAA, Token);

        Assert.Equal(1, inner.Calls);
        Assert.Equal((DnsRecordType.A, DnsAnswerKind.NxDomain, 290u), (a.Type, a.Kind, a.TimeToLive));
        Assert.Equal((DnsRecordType.AAAA, DnsAnswerKind.NxDomain, 290u), (aaaa.Type, aaaa.Kind, aaaa.TimeToLive));
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public async Task LookupAsync_SecureTlsa_CachedWithItsDataAndSecurityAndKeptWhenStale()
    {
        const string Owner = "_25._tcp.mx1.example.test.";
        bool failing = false;
        var inner = new CountingDnsLookup((name, type) => failing
            ? Failure(name, type)
            : new DnsAnswer(name, type, DnsAnswerKind.Success) { RecordData = [[3, 1, 1, 0xAB]], TimeToLive = 60, IsSecure = true });
        var cache = NewCache(inner, new MxCacheOptions { ServeStale = true });

        await cache.LookupAsync(Owner, DnsRecordType.TLSA, Token);
        var hit = await cache.LookupAsync(Owner, DnsRecordType.TLSA, Token);
        failing = true;
        _time.Advance(TimeSpan.FromHours(2));
        var stale = await cache.LookupAsync(Owner, DnsRecordType.TLSA, Token);

        Assert.Equal(2, inner.Calls);
        Assert.True(hit.IsSecure);
        Assert.Equal([3, 1, 1, 0xAB], Assert.Single(hit.RecordData));
        Assert.True(stale.IsStale);
        Assert.True(stale.IsSecure);
        Assert.Equal([3, 1, 1, 0xAB], Assert.Single(stale.RecordData));
    }

    [Fact]
    public async Task LookupAsync_SecureNxDomain_OtherTypesSecureToo()
    {
        var inner = new CountingDnsLookup((name, type) => Negative(name, type, DnsAnswerKind.NxDomain, soaTtl: 300) with { IsSecure = true });
        var cache = NewCache(inner);

        await cache.LookupAsync("gone.example.test.", DnsRecordType.A, Token);
        var tlsa = await cache.LookupAsync("gone.example.test.", DnsRecordType.TLSA, Token);

        Assert.Equal(1, inner.Calls);
        Assert.Equal((DnsRecordType.TLSA, DnsAnswerKind.NxDomain, true), (tlsa.Type, tlsa.Kind, tlsa.IsSecure));
    }

    [Fact]
    public async Task LookupAsync_NoData_CachedPerNameAndType()
    {
        // R25: NODATA is cached per name and type
        var inner = new CountingDnsLookup((name, type) => type == DnsRecordType.AAAA
            ? Negative(name, type, DnsAnswerKind.NoData, soaTtl: 300)
            : Address(name, type, 300, "192.0.2.1"));
        var cache = NewCache(inner);

        var aaaa = await cache.LookupAsync(Host, DnsRecordType.AAAA, Token);
        var a = await cache.LookupAsync(Host, DnsRecordType.A, Token);
        await cache.LookupAsync(Host, DnsRecordType.AAAA, Token);

        Assert.Equal(DnsAnswerKind.NoData, aaaa.Kind);
        Assert.Equal(DnsAnswerKind.Success, a.Kind);
        Assert.Equal(1, inner.CallsFor(Host, DnsRecordType.AAAA));
        Assert.Equal(1, inner.CallsFor(Host, DnsRecordType.A));
    }

    [Fact]
    public async Task LookupAsync_NxDomainStored_DropsRecordsOfThatName()
    {
        // R25: a name error says the name has no records of any type (RFC 2308 §5)
        bool gone = false;
        var inner = new CountingDnsLookup((name, type) => gone
            ? Negative(name, type, DnsAnswerKind.NxDomain, soaTtl: 300)
            : Address(name, type, 30, "192.0.2.1"));
        var cache = NewCache(inner);
        await cache.LookupAsync(Host, DnsRecordType.A, Token);
        gone = true;

        await cache.LookupAsync(Host, DnsRecordType.MX, Token);
        var a = await cache.LookupAsync(Host, DnsRecordType.A, Token);

        Assert.Equal(DnsAnswerKind.NxDomain, a.Kind);
        Assert.Equal(1, cache.Count);
        Assert.Equal(1, inner.CallsFor(Host, DnsRecordType.A));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task LookupAsync_FailureOrAliasLoop_CachedForFailureTtl(bool aliasLoop)
    {
        var kind = aliasLoop ? DnsAnswerKind.AliasLoop : DnsAnswerKind.Failure;
        // R26
        var failure = kind == DnsAnswerKind.Failure ? Failure(Host, DnsRecordType.A) : new DnsAnswer(Host, DnsRecordType.A, kind);
        var inner = Answering(failure);
        var cache = NewCache(inner, new MxCacheOptions { FailureTtl = TimeSpan.FromSeconds(5) });

        var first = await cache.LookupAsync(Host, DnsRecordType.A, Token);
        _time.Advance(TimeSpan.FromSeconds(5) - OneTick);
        var cached = await cache.LookupAsync(Host, DnsRecordType.A, Token);
        Assert.Equal(1, inner.Calls);
        _time.Advance(OneTick);
        await cache.LookupAsync(Host, DnsRecordType.A, Token);

        Assert.Equal(kind, first.Kind);
        Assert.Same(first, cached);
        Assert.Equal(0u, cached.TimeToLive);
        Assert.Equal(2, inner.Calls);
    }

    [Fact]
    public void Constructor_FailureTtlOverFiveMinutes_Rejected()
    {
        // R26: RFC 2308 §7.1, never over five minutes; rejected, not silently lowered
        var error = Assert.Throws<ArgumentException>(() => NewCache(Answering(Failure(Host, DnsRecordType.A)), new MxCacheOptions { FailureTtl = TimeSpan.FromHours(1) }));

        Assert.Equal("MxResolver:Cache:FailureTtl '01:00:00' exceeds the five minutes RFC 2308 §7.1 allows for caching a failure.", error.Message);
    }

    [Fact]
    public async Task LookupAsync_FailureTtlFiveMinutes_KeptFiveMinutes()
    {
        // R26: RFC 2308 §7.1, at most five minutes
        var inner = Answering(Failure(Host, DnsRecordType.A));
        var cache = NewCache(inner, new MxCacheOptions { FailureTtl = TimeSpan.FromMinutes(5) });

        await cache.LookupAsync(Host, DnsRecordType.A, Token);
        _time.Advance(TimeSpan.FromMinutes(5) - OneTick);
        await cache.LookupAsync(Host, DnsRecordType.A, Token);
        Assert.Equal(1, inner.Calls);
        _time.Advance(OneTick);
        await cache.LookupAsync(Host, DnsRecordType.A, Token);

        Assert.Equal(2, inner.Calls);
    }

    [Fact]
    public async Task LookupAsync_FailureTtlZero_FailuresNotCached()
    {
        // R26: "or not at all"
        var inner = Answering(Failure(Host, DnsRecordType.A));
        var cache = NewCache(inner, new MxCacheOptions { FailureTtl = TimeSpan.Zero });

        await cache.LookupAsync(Host, DnsRecordType.A, Token);
        await cache.LookupAsync(Host, DnsRecordType.A, Token);

        Assert.Equal(2, inner.Calls);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public async Task LookupAsync_ServeStaleOff_FailureAfterExpiryReturnsFailure()
    {
        // R28: opt-in only
        bool failing = false;
        var inner = new CountingDnsLookup((name, type) => failing ? Failure(name, type) : Address(name, type, 60, "192.0.2.1"));
        var cache = NewCache(inner);
        await cache.LookupAsync(Host, DnsRecordType.A, Token);
        failing = true;
        _time.Advance(TimeSpan.FromSeconds(61));

        var answer = await cache.LookupAsync(Host, DnsRecordType.A, Token);

        Assert.Equal(DnsAnswerKind.Failure, answer.Kind);
        Assert.False(answer.IsStale);
    }

    [Fact]
    public async Task LookupAsync_ServeStaleOnAndServersFail_ExpiredAnswerMarkedStaleAndCounted()
    {
        // R28: RFC 8767, stale answer with a 30 s TTL, counted
        bool failing = false;
        var inner = new CountingDnsLookup((name, type) => failing ? Failure(name, type) : Address(name, type, 60, "192.0.2.1"));
        var cache = NewCache(inner, new MxCacheOptions { ServeStale = true });
        long staleCount = 0;
        using var listener = ListenTo(_telemetry.StaleAnswers, value => Interlocked.Add(ref staleCount, value));
        await cache.LookupAsync(Host, DnsRecordType.A, Token);
        failing = true;
        _time.Advance(TimeSpan.FromHours(2));

        var stale = await cache.LookupAsync(Host, DnsRecordType.A, Token);

        Assert.Equal(DnsAnswerKind.Success, stale.Kind);
        Assert.True(stale.IsStale);
        Assert.Equal(30u, stale.TimeToLive);
        Assert.Equal(CountingDnsLookup.Ips("192.0.2.1"), stale.Addresses);
        Assert.Equal(1, Interlocked.Read(ref staleCount));
        Assert.Equal(2, inner.Calls);
    }

    [Fact]
    public async Task LookupAsync_StaleServed_ServersNotAskedAgainUntilRecheck()
    {
        // R28: RFC 8767 §5 failure recheck timer
        bool failing = false;
        var inner = new CountingDnsLookup((name, type) => failing ? Failure(name, type) : Address(name, type, 60, "192.0.2.1"));
        var cache = NewCache(inner, new MxCacheOptions { ServeStale = true, StaleAnswerTtl = TimeSpan.FromSeconds(30) });
        await cache.LookupAsync(Host, DnsRecordType.A, Token);
        failing = true;
        _time.Advance(TimeSpan.FromSeconds(61));
        await cache.LookupAsync(Host, DnsRecordType.A, Token);

        _time.Advance(TimeSpan.FromSeconds(30) - OneTick);
        var withinRecheck = await cache.LookupAsync(Host, DnsRecordType.A, Token);
        Assert.Equal(2, inner.Calls);
        _time.Advance(OneTick);
        var afterRecheck = await cache.LookupAsync(Host, DnsRecordType.A, Token);

        Assert.True(withinRecheck.IsStale);
        Assert.Equal(0u, withinRecheck.TimeToLive);
        Assert.True(afterRecheck.IsStale);
        Assert.Equal(3, inner.Calls);
    }

    [Fact]
    public async Task LookupAsync_StaleBeyondMaxStaleAge_ReturnsFailure()
    {
        // R28: bounded stale period
        bool failing = false;
        var inner = new CountingDnsLookup((name, type) => failing ? Failure(name, type) : Address(name, type, 60, "192.0.2.1"));
        var cache = NewCache(inner, new MxCacheOptions { ServeStale = true, MaxStaleAge = TimeSpan.FromHours(1), FailureTtl = TimeSpan.Zero });
        await cache.LookupAsync(Host, DnsRecordType.A, Token);
        failing = true;

        _time.Advance(TimeSpan.FromSeconds(60) + TimeSpan.FromHours(1) - OneTick);
        var lastStale = await cache.LookupAsync(Host, DnsRecordType.A, Token);
        _time.Advance(OneTick);
        var tooOld = await cache.LookupAsync(Host, DnsRecordType.A, Token);

        Assert.True(lastStale.IsStale);
        Assert.Equal(0u, lastStale.TimeToLive); // never promised past the stale limit
        Assert.Equal(DnsAnswerKind.Failure, tooOld.Kind);
        Assert.False(tooOld.IsStale);
    }

    [Fact]
    public async Task LookupAsync_ServeStaleAndExpiredNegativeAnswer_FailureNotStaleNegative()
    {
        // R28 with R5/R6: a stale NXDOMAIN would bounce mail that a failure keeps queued
        bool failing = false;
        var inner = new CountingDnsLookup((name, type) => failing ? Failure(name, type) : Negative(name, type, DnsAnswerKind.NxDomain, soaTtl: 60));
        var cache = NewCache(inner, new MxCacheOptions { ServeStale = true });
        await cache.LookupAsync("gone.example.test.", DnsRecordType.MX, Token);
        failing = true;
        _time.Advance(TimeSpan.FromSeconds(61));

        var answer = await cache.LookupAsync("gone.example.test.", DnsRecordType.MX, Token);

        Assert.Equal(DnsAnswerKind.Failure, answer.Kind);
    }

    [Fact]
    public async Task LookupAsync_BeyondMaxEntries_EvictsToTheBoundAndKeepsRecentlyUsed()
    {
        // R27: bounded, CLOCK eviction
        var inner = new CountingDnsLookup((name, type) => Address(name, type, 3600, "192.0.2.1"));
        var cache = NewCache(inner, new MxCacheOptions { MaxEntries = 3 });
        long evictions = 0;
        using var listener = ListenTo(_telemetry.CacheEvictions, value => Interlocked.Add(ref evictions, value));
        await cache.LookupAsync("h1.example.test.", DnsRecordType.A, Token);
        await cache.LookupAsync("h2.example.test.", DnsRecordType.A, Token);
        await cache.LookupAsync("h3.example.test.", DnsRecordType.A, Token);
        await cache.LookupAsync("h1.example.test.", DnsRecordType.A, Token); // h1 used again

        await cache.LookupAsync("h4.example.test.", DnsRecordType.A, Token);
        Assert.Equal(3, cache.Count);
        await cache.LookupAsync("h1.example.test.", DnsRecordType.A, Token);
        await cache.LookupAsync("h2.example.test.", DnsRecordType.A, Token);

        Assert.Equal(1, inner.CallsFor("h1.example.test.", DnsRecordType.A)); // kept: second chance
        Assert.Equal(2, inner.CallsFor("h2.example.test.", DnsRecordType.A)); // evicted: oldest unused
        Assert.Equal(3, cache.Count);
        Assert.Equal(2, Interlocked.Read(ref evictions));
    }

    [Fact]
    public async Task LookupAsync_ManyNamesThroughSmallBound_NeverExceedsBound()
    {
        // R27
        var inner = new CountingDnsLookup((name, type) => Address(name, type, 3600, "192.0.2.1"));
        var cache = NewCache(inner, new MxCacheOptions { MaxEntries = 50 });

        for (int i = 0; i < 1000; i++)
        {
            await cache.LookupAsync($"h{i % 120}.example.test.", (i % 3) switch { 0 => DnsRecordType.A, 1 => DnsRecordType.AAAA, _ => DnsRecordType.MX }, Token);
            Assert.InRange(cache.Count, 1, 50);
        }
    }

    [Fact]
    public async Task LookupAsync_ConcurrentLookupsFlushesAndClockMoves_BoundHoldsAndAnswersMatchQuestions()
    {
        // R27: bounded under concurrency; every answer is the one for the question asked
        var inner = new CountingDnsLookup((name, type) => type == DnsRecordType.MX && name.StartsWith("n1", StringComparison.Ordinal)
            ? Negative(name, type, DnsAnswerKind.NxDomain, soaTtl: 5)
            : Address(name, type, (uint)(name.Length % 7), "192.0.2.1"));
        var cache = NewCache(inner, new MxCacheOptions { MaxEntries = 40, ServeStale = true });
        DnsRecordType[] types = [DnsRecordType.MX, DnsRecordType.A, DnsRecordType.AAAA];

        var workers = Enumerable.Range(0, 4).Select(worker => Task.Run(async () =>
        {
            var random = new Random(worker);
            for (int i = 0; i < 5_000; i++)
            {
                string name = $"n{random.Next(200)}.test.";
                DnsRecordType type = types[random.Next(3)];
                DnsAnswer answer = await cache.LookupAsync(name, type, Token);
                Assert.Equal(name, answer.Name);
                Assert.True(answer.Kind == DnsAnswerKind.NxDomain || answer.Type == type);
                Assert.InRange(cache.Count, 0, 40);
                if (i % 1000 == 999)
                {
                    cache.Remove(name);
                }
            }
        }, Token)).ToList();
        workers.Add(Task.Run(() =>
        {
            for (int i = 0; i < 200; i++)
            {
                _time.Advance(TimeSpan.FromMilliseconds(250));
            }
        }, Token));

        await Task.WhenAll(workers).WaitAsync(Bounded, Token);

        Assert.InRange(cache.Count, 0, 40);
    }

    [Fact]
    public async Task LookupAsync_TenThousandConcurrentMisses_OneUpstreamQuery()
    {
        // R27: single flight
        var inner = new CountingDnsLookup((name, type) => Mx(name, 300, (10, Host))) { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        var cache = NewCache(inner);

        var lookups = new Task<DnsAnswer>[10_000];
        for (int i = 0; i < lookups.Length; i++)
        {
            lookups[i] = cache.LookupAsync("example.test.", DnsRecordType.MX, Token).AsTask();
        }

        inner.Gate.SetResult();
        DnsAnswer[] answers = await Task.WhenAll(lookups).WaitAsync(Bounded, Token);

        Assert.Equal(1, inner.Calls);
        Assert.All(answers, answer => Assert.Equal(Host, Assert.Single(answer.MxRecords).Exchange));
        Assert.All(inner.Tokens, token => Assert.False(token.CanBeCanceled));
    }

    [Fact]
    public async Task LookupAsync_OneWaiterCancels_OthersStillGetTheSharedAnswer()
    {
        // R27: one caller giving up does not cancel the shared query
        var inner = new CountingDnsLookup((name, type) => Address(name, type, 300, "192.0.2.7")) { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        var cache = NewCache(inner);
        using var impatient = CancellationTokenSource.CreateLinkedTokenSource(Token);

        var first = cache.LookupAsync(Host, DnsRecordType.A, impatient.Token).AsTask();
        var second = cache.LookupAsync(Host, DnsRecordType.A, Token).AsTask();
        await impatient.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first.WaitAsync(Bounded, Token));
        inner.Gate.SetResult();
        var answer = await second.WaitAsync(Bounded, Token);

        Assert.Equal(CountingDnsLookup.Ips("192.0.2.7"), answer.Addresses);
        Assert.Equal(1, inner.Calls);
    }

    [Fact]
    public async Task LookupAsync_AllWaitersCancel_QueryStillCompletesIntoCache()
    {
        // R27
        var inner = new CountingDnsLookup((name, type) => Address(name, type, 300, "192.0.2.7")) { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        var cache = NewCache(inner);
        using var impatient = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var only = cache.LookupAsync(Host, DnsRecordType.A, impatient.Token).AsTask();
        await impatient.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => only.WaitAsync(Bounded, Token));

        inner.Gate.SetResult();
        await WaitUntilAsync(() => cache.Count == 1);
        inner.Gate = null;
        var answer = await cache.LookupAsync(Host, DnsRecordType.A, Token);

        Assert.Equal(CountingDnsLookup.Ips("192.0.2.7"), answer.Addresses);
        Assert.Equal(1, inner.Calls);
    }

    [Fact]
    public async Task LookupAsync_ZeroTtlAnswer_SharedWithConcurrentWaitersButNotStored()
    {
        // R24 with R27: TTL 0 still serves the lookups of the current moment
        var inner = new CountingDnsLookup((name, type) => Address(name, type, 0, "192.0.2.7")) { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        var cache = NewCache(inner);

        var lookups = Enumerable.Range(0, 100).Select(_ => cache.LookupAsync(Host, DnsRecordType.A, Token).AsTask()).ToArray();
        inner.Gate.SetResult();
        await Task.WhenAll(lookups).WaitAsync(Bounded, Token);
        await cache.LookupAsync(Host, DnsRecordType.A, Token);

        Assert.Equal(2, inner.Calls);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public async Task LookupAsync_InnerThrows_EveryWaiterSeesTheExceptionAndNothingIsCached()
    {
        // R27: the shared query's outcome, even a bug upstream, reaches every waiter
        var inner = new CountingDnsLookup((_, _) => throw new InvalidOperationException("broken lookup")) { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        var cache = NewCache(inner);

        var lookups = Enumerable.Range(0, 10).Select(_ => cache.LookupAsync(Host, DnsRecordType.A, Token).AsTask()).ToArray();
        inner.Gate.SetResult();

        foreach (var lookup in lookups)
        {
            await Assert.ThrowsAsync<InvalidOperationException>(() => lookup.WaitAsync(Bounded, Token));
        }

        Assert.Equal(1, inner.Calls);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public async Task LookupAsync_TypeNotCached_PassesThrough()
    {
        // R24: only the questions MX resolution (MX, A, AAAA) and the policy layer (TXT, TLSA) ask are cached
        var inner = new CountingDnsLookup((name, type) => new DnsAnswer(name, type, DnsAnswerKind.NoData) { HasSoa = true, TimeToLive = 300 });
        var cache = NewCache(inner);

        await cache.LookupAsync("example.test.", DnsRecordType.SRV, Token);
        await cache.LookupAsync("example.test.", DnsRecordType.SRV, Token);

        Assert.Equal(2, inner.Calls);
    }

    [Fact]
    public async Task LookupAsync_HitsAndMisses_CountedByType()
    {
        // R27 metrics: a hit per lookup answered from the cache, a miss per upstream query
        var inner = new CountingDnsLookup((name, type) => Address(name, type, 300, "192.0.2.1"));
        var cache = NewCache(inner);
        var hits = new List<string>();
        var misses = new List<string>();
        using var hitListener = ListenTo(_telemetry.CacheHits, (_, tag) => { lock (hits) { hits.Add(tag); } });
        using var missListener = ListenTo(_telemetry.CacheMisses, (_, tag) => { lock (misses) { misses.Add(tag); } });

        await cache.LookupAsync(Host, DnsRecordType.A, Token);
        await cache.LookupAsync(Host, DnsRecordType.A, Token);
        await cache.LookupAsync(Host, DnsRecordType.AAAA, Token);

        Assert.Equal(["A"], hits);
        Assert.Equal(["A", "AAAA"], misses);
    }

    [Fact]
    public async Task Remove_Name_DropsAllTypesOfThatNameOnly()
    {
        // Flushing a name forgets its answers of every type (R24-R28 cache)
        var inner = new CountingDnsLookup((name, type) => type == DnsRecordType.MX ? Mx(name, 300, (10, Host)) : Address(name, type, 300, "192.0.2.1"));
        var cache = NewCache(inner);
        await cache.LookupAsync("example.test.", DnsRecordType.MX, Token);
        await cache.LookupAsync("example.test.", DnsRecordType.A, Token);
        await cache.LookupAsync(Host, DnsRecordType.A, Token);

        int removed = cache.Remove("example.test.");
        await cache.LookupAsync("example.test.", DnsRecordType.MX, Token);
        await cache.LookupAsync(Host, DnsRecordType.A, Token);

        Assert.Equal(2, removed);
        Assert.Equal(2, inner.CallsFor("example.test.", DnsRecordType.MX));
        Assert.Equal(1, inner.CallsFor(Host, DnsRecordType.A));
        Assert.Equal(0, cache.Remove("unknown.test."));
    }

    [Fact]
    public async Task Clear_DropsEverything()
    {
        // Clearing forgets every answer of the R24-R28 cache
        var inner = new CountingDnsLookup((name, type) => Address(name, type, 300, "192.0.2.1"));
        var cache = NewCache(inner);
        await cache.LookupAsync("h1.example.test.", DnsRecordType.A, Token);
        await cache.LookupAsync("h2.example.test.", DnsRecordType.AAAA, Token);

        int removed = cache.Clear();
        await cache.LookupAsync("h1.example.test.", DnsRecordType.A, Token);

        Assert.Equal(2, removed);
        Assert.Equal(1, cache.Count);
        Assert.Equal(2, inner.CallsFor("h1.example.test.", DnsRecordType.A));
    }

    [Fact]
    public async Task Clear_WhileQueryInFlight_AnswerReturnedButNotStored()
    {
        // A lookup in flight during a flush (R27 single flight) is not stored
        var inner = new CountingDnsLookup((name, type) => Address(name, type, 300, "192.0.2.1")) { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        var cache = NewCache(inner);
        var lookup = cache.LookupAsync(Host, DnsRecordType.A, Token).AsTask();

        cache.Clear();
        inner.Gate.SetResult();
        var answer = await lookup.WaitAsync(Bounded, Token);

        Assert.Equal(DnsAnswerKind.Success, answer.Kind);
        Assert.Equal(0, cache.Count);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Token);
        timeout.CancelAfter(Bounded);
        while (!condition())
        {
            await Task.Delay(5, timeout.Token);
        }
    }

    private static MeterListener ListenTo(Counter<long> counter, Action<long> onValue) =>
        ListenTo(counter, (value, _) => onValue(value));

    private static MeterListener ListenTo(Counter<long> counter, Action<long, string> onValue)
    {
        var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument, counter))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            string type = "";
            foreach (var tag in tags)
            {
                if (tag.Key == "dns.question.type")
                {
                    type = (string)tag.Value!;
                }
            }

            onValue(value, type);
        });
        listener.Start();
        return listener;
    }
}
