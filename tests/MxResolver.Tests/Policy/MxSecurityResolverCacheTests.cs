using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using MxResolver.Diagnostics;
using MxResolver.Policy;
using MxResolver.Tests.Failover;
using MxResolver.Tests.Transport;

namespace MxResolver.Tests.Policy;

// Behaviour rules R38 (the secure resolution cache) and the policy layer's telemetry (docs/behaviour.md, "Secure delivery").

/// <summary>
/// The security resolver's cache of whole secure resolutions, and what it reports: decisions are
/// reused only for the very resolution they were made for and only while every answer they rest on
/// is valid; logs, counters and spans name the domain and hosts, never the input.
/// </summary>
public sealed class MxSecurityResolverCacheTests : IDisposable
{
    private const string Policy = "version: STSv1\nmode: enforce\nmx: *.example.test\nmax_age: 86400\n";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private static readonly TlsaAssociation DaneEe = new(TlsaCertificateUsage.DaneEe, TlsaSelector.SubjectPublicKeyInfo, TlsaMatchingType.Sha256, new byte[32]);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly ScriptedPolicyLookups _dns = new() { DefaultTtl = 3600 };
    private readonly RecordingLogger _logger = new();
    private readonly MxResolverTelemetry _telemetry = new();
    private readonly TelemetryRecorder _recorder;
    private readonly MxTarget _a = Secure("mx-a.example.test", 10);
    private readonly MxTarget _b = Secure("mx-b.example.test", 10);
    private int _fetches;

    public MxSecurityResolverCacheTests() => _recorder = new TelemetryRecorder(_telemetry.Meter);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _recorder.Dispose();
        _telemetry.Dispose();
    }

    [Fact]
    public async Task ResolveSecureAsync_SameResolutionAgain_DecisionsReusedInTheResolutionsNewOrder()
    {
        _dns.Tlsa["mx-a.example.test"] = new TlsaLookup(TlsaLookupKind.SecureRecords, [DaneEe], "_25._tcp.mx-a.example.test", TimeToLive: 600);
        int calls = 0;
        MxSecurityResolver resolver = NewResolver(() => calls++ == 0 ? [_a, _b] : [_b, _a]);

        MxSecureResolution first = await ResolveAsync(resolver, "example.test");
        MxSecureResolution second = await ResolveAsync(resolver, "example.test");

        Assert.Equal(["mx-a.example.test", "mx-b.example.test"], first.Targets.Select(t => t.Target.Host));
        // The tie order is the resolution's new shuffle; each target keeps its own decision.
        Assert.Equal(["mx-b.example.test", "mx-a.example.test"], second.Targets.Select(t => t.Target.Host));
        Assert.Equal([MxTlsRequirement.MtaSts, MxTlsRequirement.Dane], second.Targets.Select(t => t.Requirement));
        Assert.Equal(DaneStatus.Usable, second.Targets[1].Dane);
        Assert.Equal(DaneStatus.NoRecords, second.Targets[0].Dane);
        Assert.Same(first.MtaStsPolicy, second.MtaStsPolicy);
        Assert.False(second.MtaStsFetched);
        Assert.Equal(2, _dns.TlsaAsked.Count); // both hosts once, none again
        Assert.Equal(2, _dns.TxtAsked.Count); // _mta-sts and _smtp._tls once
        Assert.Equal(1, _recorder.Sum("mxresolver.security.cache.hits"));
        Assert.Equal(1, _recorder.Sum("mxresolver.security.cache.misses"));
    }

    [Fact]
    public async Task ResolveSecureAsync_ShortestTlsaTtlRunsOut_LookedUpAgain()
    {
        _dns.Tlsa["mx-a.example.test"] = new TlsaLookup(TlsaLookupKind.SecureRecords, [DaneEe], "_25._tcp.mx-a.example.test", TimeToLive: 60);
        MxSecurityResolver resolver = NewResolver(() => [_a, _b]);

        await ResolveAsync(resolver, "example.test");
        _time.Advance(TimeSpan.FromSeconds(59));
        await ResolveAsync(resolver, "example.test");
        Assert.Equal(2, _dns.TlsaAsked.Count);

        _time.Advance(TimeSpan.FromSeconds(2));
        await ResolveAsync(resolver, "example.test");
        Assert.Equal(4, _dns.TlsaAsked.Count);
    }

    [Fact]
    public async Task ResolveSecureAsync_NewResolution_NotServedFromOldDecisions()
    {
        // New target objects: the resolver resolved again (expiry, flush, a DNS change).
        MxSecurityResolver resolver = NewResolver(() => [Secure("mx-a.example.test", 10)]);

        await ResolveAsync(resolver, "example.test");
        await ResolveAsync(resolver, "example.test");

        Assert.Equal(2, _dns.TlsaAsked.Count);
        Assert.Equal(0, _recorder.Sum("mxresolver.security.cache.hits"));
    }

    [Fact]
    public async Task ResolveSecureAsync_TlsaLookupFailed_NothingKeptAndTheSkipLogged()
    {
        _dns.Tlsa["mx-a.example.test"] = new TlsaLookup(TlsaLookupKind.Failed, [], Error: "SERVFAIL");
        MxSecurityResolver resolver = NewResolver(() => [_a, _b]);

        MxSecureResolution result = await ResolveAsync(resolver, "example.test");
        await ResolveAsync(resolver, "example.test");

        Assert.False(result.Targets[0].CanAttempt);
        Assert.Equal(0, resolver.CachedCount);
        Assert.Equal(4, _dns.TlsaAsked.Count);
        // Logged on each call: a failure is never served from the cache.
        var skips = _logger.Entries.Where(e => e.Id.Id == 1406).ToList();
        Assert.Equal(2, skips.Count);
        Assert.All(skips, e => Assert.Equal(LogLevel.Warning, e.Level));
        Assert.All(skips, e => Assert.Contains("mx-a.example.test is not attempted now", e.Message, StringComparison.Ordinal));
        Assert.Equal(2, _recorder.Sum("mxresolver.dane.targets", (MxResolverTags.DaneStatus, "lookup-failed")));
    }

    [Fact]
    public async Task ResolveSecureAsync_PolicyReachesItsRefreshPoint_DecisionsNotReusedAndPolicyRefreshed()
    {
        // Every answer lives longer than the policy's refresh point (0.75 of max_age 86,400 s).
        _dns.DefaultTtl = 200_000;
        MxSecurityResolver resolver = NewResolver(() => [_a, _b], out MtaStsPolicyCache policies, resolutionTtl: TimeSpan.FromSeconds(200_000));

        await ResolveAsync(resolver, "example.test");
        _time.Advance(TimeSpan.FromSeconds(64_799));
        await ResolveAsync(resolver, "example.test");
        Assert.Equal(2, _dns.TxtAsked.Count);

        _time.Advance(TimeSpan.FromSeconds(2));
        await ResolveAsync(resolver, "example.test");
        Assert.Equal(4, _dns.TxtAsked.Count);
        if (policies.PendingRefresh("example.test") is { } refresh)
        {
            await refresh.WaitAsync(Bound, Ct);
        }

        Assert.Equal(2, _fetches);
        Assert.Contains(_logger.Entries, e => e.Id.Id == 1410);
    }

    [Fact]
    public async Task ResolveSecureAsync_EmailAddress_ReportsDomainAndHostsNeverTheInput()
    {
        _dns.Tlsa["mx-a.example.test"] = new TlsaLookup(TlsaLookupKind.SecureRecords, [DaneEe], "_25._tcp.mx-a.example.test", TimeToLive: 600);
        var other = Secure("backup.other.test", 20);
        MxSecurityResolver resolver = NewResolver(() => [_a, other]);

        MxSecureResolution result = await ResolveAsync(resolver, "someone@example.test");

        Assert.Equal(["backup.other.test"], result.DroppedByPolicy.Select(t => t.Target.Host));
        Assert.Contains(_logger.Entries, e => e.Id.Id == 1401 && e.Message.Contains("example.test", StringComparison.Ordinal)); // fetched
        Assert.Contains(_logger.Entries, e => e.Id.Id == 1405 && e.Message.Contains("mx-a.example.test DANE usable, TLS Dane", StringComparison.Ordinal));
        Assert.Contains(_logger.Entries, e => e.Id.Id == 1407 && e.Message.Contains("backup.other.test", StringComparison.Ordinal));
        Assert.Equal(1, _recorder.Sum("mxresolver.dane.targets", (MxResolverTags.DaneStatus, "usable")));
        Assert.Equal(1, _recorder.Sum("mxresolver.mta_sts.policy_lookups", (MxResolverTags.MtaStsSource, "fetched")));
        Activity span = Assert.Single(_recorder.SpansWith(MxResolverTags.SecureResolutionActivity, MxResolverTags.Domain, "example.test"));
        Assert.Equal("enforce", span.GetTagItem(MxResolverTags.MtaStsMode));
        Assert.Equal("fetched", span.GetTagItem(MxResolverTags.MtaStsSource));
        Assert.Equal(false, span.GetTagItem(MxResolverTags.Cached));

        Assert.DoesNotContain(_logger.Entries, e => e.Message.Contains("someone", StringComparison.Ordinal));
        Assert.DoesNotContain(_recorder.Measurements, m => m.Tags.Values.Any(v => v?.ToString()?.Contains("someone", StringComparison.Ordinal) == true));
        Assert.DoesNotContain(_recorder.Spans, s => s.TagObjects.Any(t => t.Value?.ToString()?.Contains("someone", StringComparison.Ordinal) == true));
    }

    [Fact]
    public async Task ResolveSecureAsync_ListenerAttachedAndCached_SpanSaysCached()
    {
        MxSecurityResolver resolver = NewResolver(() => [_a, _b]);

        await ResolveAsync(resolver, "span-cached.example.test");
        await ResolveAsync(resolver, "span-cached.example.test");

        IReadOnlyList<Activity> spans = _recorder.SpansWith(MxResolverTags.SecureResolutionActivity, MxResolverTags.Domain, "span-cached.example.test");
        Assert.Equal([false, true], spans.Select(s => (bool)s.GetTagItem(MxResolverTags.Cached)!));
        Assert.Equal(1, _recorder.Sum("mxresolver.security.cache.hits"));
    }

    private static MxTarget Secure(string host, ushort preference) => new(host, preference, false, [IPAddress.Parse("192.0.2.1")]) { IsSecure = true };

    private static async Task<MxSecureResolution> ResolveAsync(MxSecurityResolver resolver, string input)
        => await resolver.ResolveSecureAsync(input, Ct).AsTask().WaitAsync(Bound, Ct);

    private MxSecurityResolver NewResolver(Func<MxTarget[]> targets) => NewResolver(targets, out _);

    private MxSecurityResolver NewResolver(Func<MxTarget[]> targets, out MtaStsPolicyCache policies, TimeSpan? resolutionTtl = null)
    {
        _dns.Txt["_mta-sts.example.test"] = new TxtLookup(TxtLookupKind.Records, [["v=STSv1; id=20261201;"]], TimeToLive: _dns.DefaultTtl);
        _dns.Txt["_mta-sts.span-cached.example.test"] = new TxtLookup(TxtLookupKind.Records, [["v=STSv1; id=20261201;"]], TimeToLive: _dns.DefaultTtl);
        var mx = new FakeMxResolver((input, _) => ValueTask.FromResult(new MxResolution(input, MxResolutionStatus.Success)
        {
            AsciiDomain = input.Contains("span-cached", StringComparison.Ordinal) ? "span-cached.example.test" : "example.test",
            Targets = targets(),
            TimeToLive = resolutionTtl ?? TimeSpan.FromSeconds(3600),
        }));
        policies = new MtaStsPolicyCache(
            new InMemoryMtaStsPolicyStore(),
            (_, _) =>
            {
                Interlocked.Increment(ref _fetches);
                Assert.True(MtaStsPolicy.TryParse(Policy, out MtaStsPolicy? policy, out _));
                return Task.FromResult(MtaStsFetchResult.Success(policy, Policy));
            },
            _time,
            logger: _logger,
            telemetry: _telemetry);
        return new MxSecurityResolver(mx, _dns, policies, SecuritySettings.Default with { CacheEntries = 100 }, _time, _logger, _telemetry);
    }
}
