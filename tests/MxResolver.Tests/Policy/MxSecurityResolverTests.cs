using System.Net;
using Microsoft.Extensions.Time.Testing;
using MxResolver.Policy;
using MxResolver.Tests.Failover;

namespace MxResolver.Tests.Policy;

/// <summary>How the security resolver puts resolution, TLSA, MTA-STS and TLS-RPT together, with scripted DNS and policies.</summary>
public sealed class MxSecurityResolverTests
{
    private const string Policy = "version: STSv1\nmode: enforce\nmx: mx1.example.test\nmax_age: 86400\n";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private static readonly TlsaAssociation DaneEe = new(TlsaCertificateUsage.DaneEe, TlsaSelector.SubjectPublicKeyInfo, TlsaMatchingType.Sha256, new byte[32]);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly ScriptedPolicyLookups _dns = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ResolveSecureAsync_SecureAddressesWithTlsa_DaneForThatTargetOnly()
    {
        _dns.Tlsa["mx1.example.test"] = new TlsaLookup(TlsaLookupKind.SecureRecords, [DaneEe], "_25._tcp.mx1.example.test.");
        MxSecurityResolver resolver = NewResolver(Secure("mx1.example.test", 10), Insecure("mx2.example.test", 20));

        MxSecureResolution result = await resolver.ResolveSecureAsync("user@example.test", Ct).AsTask().WaitAsync(Bound, Ct);

        Assert.Equal([MxTlsRequirement.Dane, MxTlsRequirement.Opportunistic], result.Targets.Select(t => t.Requirement));
        // No TLSA question for a host whose addresses are not secure (RFC 7672 §2.2).
        Assert.Equal(["mx1.example.test:25"], _dns.TlsaAsked);
        Assert.True(result.CanDeliver);
    }

    [Fact]
    public async Task ResolveSecureAsync_TlsaLookupFails_TargetSkippedOthersKept()
    {
        _dns.Tlsa["mx1.example.test"] = new TlsaLookup(TlsaLookupKind.Failed, [], Error: "SERVFAIL");
        MxSecurityResolver resolver = NewResolver(Secure("mx1.example.test", 10), Insecure("mx2.example.test", 20));

        MxSecureResolution result = await resolver.ResolveSecureAsync("example.test", Ct).AsTask().WaitAsync(Bound, Ct);

        Assert.False(result.Targets[0].CanAttempt);
        Assert.True(result.Targets[1].CanAttempt);
        Assert.True(result.CanDeliver);
    }

    [Fact]
    public async Task ResolveSecureAsync_EnforcePolicy_DropsTheUnlistedHostAndRequiresPkix()
    {
        _dns.Txt["_mta-sts.example.test"] = new TxtLookup(TxtLookupKind.Records, [["v=STSv1; id=20261201;"]]);
        _dns.Txt["_smtp._tls.example.test"] = new TxtLookup(TxtLookupKind.Records, [["v=TLSRPTv1; rua=mailto:tlsrpt@example.test"]]);
        MxSecurityResolver resolver = NewResolver(Insecure("mx1.example.test", 10), Insecure("backup.other.test", 20));

        MxSecureResolution result = await resolver.ResolveSecureAsync("example.test", Ct).AsTask().WaitAsync(Bound, Ct);

        Assert.Equal(["mx1.example.test"], result.Targets.Select(t => t.Target.Host));
        Assert.Equal(MxTlsRequirement.MtaSts, result.Targets[0].Requirement);
        Assert.Equal(["backup.other.test"], result.DroppedByPolicy.Select(t => t.Target.Host));
        Assert.Equal("20261201", result.MtaStsPolicy!.Id);
        Assert.True(result.MtaStsFetched);
        Assert.Equal(new Uri("mailto:tlsrpt@example.test"), Assert.Single(result.TlsRpt!.ReportUris));
    }

    [Fact]
    public async Task ResolveSecureAsync_NoStsRecord_NoFetchNoPolicy()
    {
        int fetches = 0;
        MxSecurityResolver resolver = NewResolver([Insecure("mx1.example.test", 10)], onFetch: () => fetches++);

        MxSecureResolution result = await resolver.ResolveSecureAsync("example.test", Ct).AsTask().WaitAsync(Bound, Ct);

        Assert.Null(result.MtaStsPolicy);
        Assert.Equal(0, fetches);
        Assert.Equal(MxTlsRequirement.Opportunistic, Assert.Single(result.Targets).Requirement);
    }

    [Fact]
    public async Task ResolveSecureAsync_PolicyDiscoveryStartsBeforeTheMxAnswer()
    {
        // The MX answer is held until the TXT question has been asked: discovery does not wait for it.
        var release = new TaskCompletionSource<MxResolution>(TaskCreationOptions.RunContinuationsAsynchronously);
        var mx = new FakeMxResolver((_, _) => new ValueTask<MxResolution>(release.Task));
        var resolver = new MxSecurityResolver(mx, _dns, NewCache(() => { }), SecuritySettings.Default);

        ValueTask<MxSecureResolution> pending = resolver.ResolveSecureAsync("example.test", Ct);
        await _dns.TxtAskedSignal.Task.WaitAsync(Bound, Ct);
        Assert.False(pending.IsCompleted);
        release.SetResult(new MxResolution("example.test", MxResolutionStatus.Success) { Targets = [Insecure("mx1.example.test", 10)] });

        Assert.Single((await pending.AsTask().WaitAsync(Bound, Ct)).Targets);
    }

    [Fact]
    public async Task ResolveSecureAsync_AddressLiteral_NoPolicyQuestions()
    {
        MxSecurityResolver resolver = NewResolver(Secure("[192.0.2.1]", 0));

        MxSecureResolution result = await resolver.ResolveSecureAsync("user@[192.0.2.1]", Ct).AsTask().WaitAsync(Bound, Ct);

        Assert.Empty(_dns.TlsaAsked);
        Assert.Empty(_dns.TxtAsked);
        Assert.Equal(MxTlsRequirement.Opportunistic, Assert.Single(result.Targets).Requirement);
    }

    [Fact]
    public async Task ResolveSecureAsync_FeaturesOff_NoQuestions()
    {
        var resolver = new MxSecurityResolver(
            FakeMxResolver.Targets(Secure("mx1.example.test", 10)),
            _dns,
            policies: null,
            new SecuritySettings(Dane: false, MtaSts: false, TlsRpt: false, SmtpPort: 25));

        MxSecureResolution result = await resolver.ResolveSecureAsync("example.test", Ct).AsTask().WaitAsync(Bound, Ct);

        Assert.Empty(_dns.TlsaAsked);
        Assert.Empty(_dns.TxtAsked);
        Assert.Equal(DaneStatus.NotApplicable, Assert.Single(result.Targets).Dane);
    }

    [Fact]
    public async Task ResolveSecureAsync_Cancelled_Throws()
    {
        MxSecurityResolver resolver = NewResolver(Secure("mx1.example.test", 10));
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await resolver.ResolveSecureAsync("example.test", cancel.Token));
    }

    private static MxTarget Secure(string host, ushort preference) => new(host, preference, false, [IPAddress.Parse("192.0.2.1")]) { IsSecure = true };

    private static MxTarget Insecure(string host, ushort preference) => new(host, preference, false, [IPAddress.Parse("192.0.2.2")]);

    private MxSecurityResolver NewResolver(params MxTarget[] targets) => NewResolver(targets, () => { });

    private MxSecurityResolver NewResolver(MxTarget[] targets, Action onFetch)
        => new(FakeMxResolver.Targets(targets), _dns, NewCache(onFetch), SecuritySettings.Default);

    private MtaStsPolicyCache NewCache(Action onFetch) => new(new InMemoryMtaStsPolicyStore(), (_, _) =>
    {
        onFetch();
        Assert.True(MtaStsPolicy.TryParse(Policy, out MtaStsPolicy? policy, out _));
        return Task.FromResult(MtaStsFetchResult.Success(policy, Policy));
    }, _time);
}
