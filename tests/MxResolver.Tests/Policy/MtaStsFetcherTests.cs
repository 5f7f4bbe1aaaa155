using System.Diagnostics;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Time.Testing;
using MxResolver.Diagnostics;
using MxResolver.Policy;

namespace MxResolver.Tests.Policy;

// Behaviour rules R34 (docs/behaviour.md, "Secure delivery").

/// <summary>The policy fetch of RFC 8461 §3.3 against a real HTTPS server on loopback.</summary>
public sealed class MtaStsFetcherTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private PolicyHttpsServer _server = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _server = await PolicyHttpsServer.StartAsync(Ct);

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task FetchAsync_GoodPolicy_ParsedFromTheNamedHostsAddress()
    {
        var asked = new List<string>();
        using MtaStsFetcher fetcher = NewFetcher(resolve: (host, _) =>
        {
            asked.Add(host);
            return new ValueTask<IReadOnlyList<IPAddress>>([IPAddress.Loopback]);
        });

        MtaStsFetchResult result = await fetcher.FetchAsync("good.test", Ct).WaitAsync(Bound, Ct);

        Assert.Null(result.Error);
        Assert.NotNull(result.Policy);
        Assert.Equal(MtaStsMode.Enforce, result.Policy.Mode);
        Assert.Equal(TimeSpan.FromDays(1), result.Policy.MaxAge);
        Assert.Equal(["mx1.good.test", "*.good.test"], result.Policy.MxPatterns);
        Assert.Equal(PolicyHttpsServer.GoodPolicy, result.Text);
        // The library's resolver was asked for the policy host, not the system's.
        Assert.Equal(["mta-sts.good.test"], asked);
    }

    [Theory]
    [InlineData("malformed.test", TlsRptResultType.StsPolicyInvalid, "mode")]
    [InlineData("redirect.test", TlsRptResultType.StsPolicyFetchError, "redirect (302)")]
    [InlineData("big.test", TlsRptResultType.StsPolicyInvalid, "size cap")]
    [InlineData("html.test", TlsRptResultType.StsPolicyInvalid, "text/html")]
    [InlineData("missing.test", TlsRptResultType.StsPolicyFetchError, "HTTP 404")]
    [InlineData("wrongname.test", TlsRptResultType.StsWebPkiInvalid, "certificate")]
    public async Task FetchAsync_HostilePolicyHost_NoPolicyAndTheReason(string domain, TlsRptResultType failure, string reason)
    {
        using MtaStsFetcher fetcher = NewFetcher();

        MtaStsFetchResult result = await fetcher.FetchAsync(domain, Ct).WaitAsync(Bound, Ct);

        Assert.Null(result.Policy);
        Assert.Equal(failure, result.Failure);
        Assert.Contains(reason, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FetchAsync_RedirectTarget_NeverRequested()
    {
        using MtaStsFetcher fetcher = NewFetcher();

        await fetcher.FetchAsync("redirect.test", Ct).WaitAsync(Bound, Ct);

        Assert.Equal(1, _server.Requests.GetValueOrDefault("mta-sts.redirect.test"));
        Assert.Equal(0, _server.Requests.GetValueOrDefault("mta-sts.good.test"));
    }

    [Fact]
    public async Task FetchAsync_CaNotTrusted_WebPkiInvalid()
    {
        // The same server, but the client trusts only the system's roots: the test CA is unknown.
        using var fetcher = new MtaStsFetcher(
            MtaStsFetchSettings.Default with { PortOverride = _server.Port },
            Loopback,
            configureHandler: null,
            TimeProvider.System);

        MtaStsFetchResult result = await fetcher.FetchAsync("good.test", Ct).WaitAsync(Bound, Ct);

        Assert.Null(result.Policy);
        Assert.Equal(TlsRptResultType.StsWebPkiInvalid, result.Failure);
    }

    [Fact]
    public async Task FetchAsync_SlowServer_TimesOutOnTheFetchersClock()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using MtaStsFetcher fetcher = NewFetcher(time: time, timeout: TimeSpan.FromSeconds(20));

        Task<MtaStsFetchResult> pending = fetcher.FetchAsync("slow.test", Ct);
        await _server.SlowRequestArrived.Task.WaitAsync(Bound, Ct);
        Assert.False(pending.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(20));
        MtaStsFetchResult result = await pending.WaitAsync(Bound, Ct);

        Assert.Null(result.Policy);
        Assert.Equal(TlsRptResultType.StsPolicyFetchError, result.Failure);
        Assert.Contains("longer than 20 s", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FetchAsync_CallerCancels_Throws()
    {
        using MtaStsFetcher fetcher = NewFetcher();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        Task<MtaStsFetchResult> pending = fetcher.FetchAsync("slow.test", cancel.Token);
        await _server.SlowRequestArrived.Task.WaitAsync(Bound, Ct);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.WaitAsync(Bound, Ct));
    }

    [Fact]
    public async Task FetchAsync_HostWithoutAddress_FetchError()
    {
        using MtaStsFetcher fetcher = NewFetcher(resolve: (_, _) => new ValueTask<IReadOnlyList<IPAddress>>([]));

        MtaStsFetchResult result = await fetcher.FetchAsync("good.test", Ct).WaitAsync(Bound, Ct);

        Assert.Equal(TlsRptResultType.StsPolicyFetchError, result.Failure);
        Assert.Contains("no address", result.Error, StringComparison.Ordinal);
    }

    private static ValueTask<IReadOnlyList<IPAddress>> Loopback(string host, CancellationToken cancellationToken)
        => new([IPAddress.Loopback]);

    [Fact]
    public async Task FetchAsync_EachFetch_CountedTimedAndTraced()
    {
        using var telemetry = new MxResolverTelemetry();
        using var recorder = new TelemetryRecorder(telemetry.Meter);
        using MtaStsFetcher fetcher = NewFetcher(telemetry: telemetry);
        using var parent = new Activity("test-parent").Start();

        await fetcher.FetchAsync("good.test", Ct).WaitAsync(Bound, Ct);
        await fetcher.FetchAsync("missing.test", Ct).WaitAsync(Bound, Ct);
        parent.Stop();

        Assert.Equal(1, recorder.Sum("mxresolver.mta_sts.fetches", (MxResolverTags.TlsResult, "success")));
        Assert.Equal(1, recorder.Sum("mxresolver.mta_sts.fetches", (MxResolverTags.TlsResult, "sts-policy-fetch-error")));
        Assert.Equal(2, recorder.Measurements.Count(m => m.Instrument == "mxresolver.mta_sts.fetch.duration" && m.Value > 0));
        var spans = recorder.Spans.Where(s => s.ParentId == parent.Id && s.OperationName == MxResolverTags.PolicyFetchActivity).ToList();
        Assert.Equal(["mta-sts.good.test", "mta-sts.missing.test"], spans.Select(s => (string)s.GetTagItem(MxResolverTags.ServerAddress)!).Order());
        Activity failed = Assert.Single(spans, s => s.Status == ActivityStatusCode.Error);
        Assert.Equal("missing.test", failed.GetTagItem(MxResolverTags.Domain));
        Assert.Equal(ActivityKind.Client, failed.Kind);
    }

    private MtaStsFetcher NewFetcher(HostAddressResolver? resolve = null, TimeProvider? time = null, TimeSpan? timeout = null, MxResolverTelemetry? telemetry = null)
        => new(
            MtaStsFetchSettings.Default with { PortOverride = _server.Port, Timeout = timeout ?? MtaStsFetchSettings.Default.Timeout },
            resolve ?? Loopback,
            handler => handler.SslOptions.CertificateChainPolicy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                CustomTrustStore = { _server.Ca },
                RevocationMode = X509RevocationMode.NoCheck,
            },
            time ?? TimeProvider.System,
            telemetry);
}
