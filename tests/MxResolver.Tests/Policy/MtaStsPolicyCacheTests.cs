using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using MxResolver.Diagnostics;
using MxResolver.Policy;
using MxResolver.Tests.Transport;

namespace MxResolver.Tests.Policy;

// Behaviour rules R35 (docs/behaviour.md, "Secure delivery").

/// <summary>Which policy applies when (RFC 8461 §5.1), with a scripted fetch and a fake clock.</summary>
public sealed class MtaStsPolicyCacheTests
{
    private const string Domain = "example.test";
    private const string PolicyV1 = "version: STSv1\nmode: enforce\nmx: mx.example.test\nmax_age: 1000\n";
    private const string PolicyV2 = "version: STSv1\nmode: testing\nmx: mx2.example.test\nmax_age: 1000\n";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly InMemoryMtaStsPolicyStore _store = new();
    private readonly Queue<MtaStsFetchResult> _answers = new();
    private int _fetches;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GetAsync_NewDomain_FetchesStoresAndApplies()
    {
        MtaStsPolicyCache cache = NewCache();
        Serve(PolicyV1);

        MtaStsLookupResult result = await cache.GetAsync(Domain, Found("id1"), Ct);

        Assert.True(result.Fetched);
        Assert.Equal(MtaStsMode.Enforce, result.Policy!.Mode);
        Assert.Equal("id1", (await _store.GetAsync(Domain, Ct))!.Id);
        Assert.Equal(1, _fetches);
    }

    [Fact]
    public async Task GetAsync_SameIdWhileValid_NoFetch()
    {
        MtaStsPolicyCache cache = NewCache();
        Serve(PolicyV1);
        await cache.GetAsync(Domain, Found("id1"), Ct);
        _time.Advance(TimeSpan.FromSeconds(500));

        MtaStsLookupResult result = await cache.GetAsync(Domain, Found("id1"), Ct);

        Assert.False(result.Fetched);
        Assert.Equal(MtaStsMode.Enforce, result.Policy!.Mode);
        Assert.Equal(1, _fetches);
    }

    [Fact]
    public async Task GetAsync_IdChanged_Refetches()
    {
        MtaStsPolicyCache cache = NewCache();
        Serve(PolicyV1);
        await cache.GetAsync(Domain, Found("id1"), Ct);
        Serve(PolicyV2);

        MtaStsLookupResult result = await cache.GetAsync(Domain, Found("id2"), Ct);

        Assert.True(result.Fetched);
        Assert.Equal(MtaStsMode.Testing, result.Policy!.Mode);
        Assert.Equal("id2", result.Stored!.Id);
        Assert.Equal(2, _fetches);
    }

    [Fact]
    public async Task GetAsync_IdChangedButFetchFails_KeepsTheValidPolicyAndReportsTheFailure()
    {
        MtaStsPolicyCache cache = NewCache();
        Serve(PolicyV1);
        await cache.GetAsync(Domain, Found("id1"), Ct);
        _answers.Enqueue(MtaStsFetchResult.Failed(TlsRptResultType.StsPolicyFetchError, "HTTP 503"));

        MtaStsLookupResult result = await cache.GetAsync(Domain, Found("id2"), Ct);

        Assert.Equal(MtaStsMode.Enforce, result.Policy!.Mode);
        Assert.Equal("id1", result.Stored!.Id);
        Assert.Equal(TlsRptResultType.StsPolicyFetchError, result.Failure);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task GetAsync_RecordGoneOrDnsFailed_ValidPolicyStaysInForce(bool recordGone)
    {
        MtaStsRecordState state = recordGone ? MtaStsRecordState.Absent : MtaStsRecordState.Failed;
        MtaStsPolicyCache cache = NewCache();
        Serve(PolicyV1);
        await cache.GetAsync(Domain, Found("id1"), Ct);

        MtaStsLookupResult result = await cache.GetAsync(Domain, new MtaStsRecordLookup(state, null), Ct);

        Assert.Equal(MtaStsMode.Enforce, result.Policy!.Mode);
        Assert.Equal(1, _fetches);
    }

    [Fact]
    public async Task GetAsync_RecordGoneAfterExpiry_NoPolicy()
    {
        MtaStsPolicyCache cache = NewCache();
        Serve(PolicyV1);
        await cache.GetAsync(Domain, Found("id1"), Ct);
        _time.Advance(TimeSpan.FromSeconds(1000));

        MtaStsLookupResult result = await cache.GetAsync(Domain, new MtaStsRecordLookup(MtaStsRecordState.Absent, null), Ct);

        Assert.Null(result.Policy);
    }

    [Fact]
    public async Task GetAsync_ExpiredPolicySameId_Refetches()
    {
        MtaStsPolicyCache cache = NewCache();
        Serve(PolicyV1);
        await cache.GetAsync(Domain, Found("id1"), Ct);
        _time.Advance(TimeSpan.FromSeconds(1000));
        Serve(PolicyV1);

        MtaStsLookupResult result = await cache.GetAsync(Domain, Found("id1"), Ct);

        Assert.True(result.Fetched);
        Assert.Equal(2, _fetches);
    }

    [Fact]
    public async Task GetAsync_NoPolicyAndFetchFails_NoPolicyWithTheFailure()
    {
        MtaStsPolicyCache cache = NewCache();
        _answers.Enqueue(MtaStsFetchResult.Failed(TlsRptResultType.StsWebPkiInvalid, "bad certificate"));

        MtaStsLookupResult result = await cache.GetAsync(Domain, Found("id1"), Ct);

        Assert.Null(result.Policy);
        Assert.Equal(TlsRptResultType.StsWebPkiInvalid, result.Failure);
        Assert.Null(await _store.GetAsync(Domain, Ct));
    }

    [Fact]
    public async Task GetAsync_InTheLastQuarterOfMaxAge_RefreshesAheadWhileServingTheStoredPolicy()
    {
        MtaStsPolicyCache cache = NewCache();
        Serve(PolicyV1);
        await cache.GetAsync(Domain, Found("id1"), Ct);
        _time.Advance(TimeSpan.FromSeconds(800));
        Serve(PolicyV1);

        MtaStsLookupResult result = await cache.GetAsync(Domain, Found("id1"), Ct);
        await (cache.PendingRefresh(Domain) ?? Task.CompletedTask).WaitAsync(Bound, Ct);

        Assert.False(result.Fetched);
        Assert.Equal(2, _fetches);
        MtaStsStoredPolicy refreshed = (await _store.GetAsync(Domain, Ct))!;
        Assert.Equal(_time.GetUtcNow(), refreshed.FetchedAt);
        Assert.True(refreshed.IsValidAt(_time.GetUtcNow() + TimeSpan.FromSeconds(900)));
    }

    [Fact]
    public async Task GetAsync_ConcurrentMisses_OneFetch()
    {
        var gate = new TaskCompletionSource<MtaStsFetchResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var cache = new MtaStsPolicyCache(_store, (_, _) => { Interlocked.Increment(ref _fetches); return gate.Task; }, _time);

        ValueTask<MtaStsLookupResult> first = cache.GetAsync(Domain, Found("id1"), Ct);
        ValueTask<MtaStsLookupResult> second = cache.GetAsync(Domain, Found("id1"), Ct);
        Assert.True(MtaStsPolicy.TryParse(PolicyV1, out MtaStsPolicy? policy, out _));
        gate.SetResult(MtaStsFetchResult.Success(policy, PolicyV1));

        Assert.Equal(MtaStsMode.Enforce, (await first.AsTask().WaitAsync(Bound, Ct)).Policy!.Mode);
        Assert.Equal(MtaStsMode.Enforce, (await second.AsTask().WaitAsync(Bound, Ct)).Policy!.Mode);
        Assert.Equal(1, _fetches);
    }

    private static MtaStsRecordLookup Found(string id) => new(MtaStsRecordState.Found, id);

    [Fact]
    public async Task GetAsync_EachSource_CountedAndLoggedWithTheDomain()
    {
        using var telemetry = new MxResolverTelemetry();
        using var recorder = new TelemetryRecorder(telemetry.Meter);
        var logger = new RecordingLogger();
        MtaStsPolicyCache cache = NewCache(logger, telemetry);

        _answers.Enqueue(MtaStsFetchResult.Failed(TlsRptResultType.StsPolicyFetchError, "HTTP 503"));
        await cache.GetAsync(Domain, Found("id1"), Ct); // failed, nothing stored
        Serve(PolicyV1);
        await cache.GetAsync(Domain, Found("id1"), Ct); // fetched
        await cache.GetAsync(Domain, Found("id1"), Ct); // from the store
        _answers.Enqueue(MtaStsFetchResult.Failed(TlsRptResultType.StsWebPkiInvalid, "bad certificate"));
        await cache.GetAsync(Domain, Found("id2"), Ct); // new id, fetch failed: the stored one stays
        await cache.GetAsync(Domain, new MtaStsRecordLookup(MtaStsRecordState.Absent, null), Ct); // still the stored one
        _time.Advance(TimeSpan.FromSeconds(1000));
        await cache.GetAsync(Domain, new MtaStsRecordLookup(MtaStsRecordState.Absent, null), Ct); // expired: none

        foreach ((string source, int count) in new[] { ("failed", 1), ("fetched", 1), ("cache", 2), ("cache-after-failure", 1), ("none", 1) })
        {
            Assert.Equal(count, recorder.Sum("mxresolver.mta_sts.policy_lookups", (MxResolverTags.MtaStsSource, source)));
        }

        Assert.Equal([1402, 1401, 1404, 1403, 1404], logger.Entries.Select(e => e.Id.Id));
        Assert.Equal(LogLevel.Warning, logger.Entries[0].Level);
        Assert.Contains("example.test could not be fetched and none is stored (sts-policy-fetch-error): HTTP 503", logger.Entries[0].Message, StringComparison.Ordinal);
        Assert.Equal(LogLevel.Warning, logger.Entries[3].Level);
        Assert.Contains("(sts-webpki-invalid): bad certificate; the stored policy (id id1", logger.Entries[3].Message, StringComparison.Ordinal);
    }

    private MtaStsPolicyCache NewCache(ILogger? logger = null, MxResolverTelemetry? telemetry = null) => new(_store, (_, _) =>
    {
        _fetches++;
        return Task.FromResult(_answers.Dequeue());
    }, _time, logger: logger, telemetry: telemetry);

    private void Serve(string text)
    {
        Assert.True(MtaStsPolicy.TryParse(text, out MtaStsPolicy? policy, out string? error), error);
        _answers.Enqueue(MtaStsFetchResult.Success(policy, text));
    }
}
