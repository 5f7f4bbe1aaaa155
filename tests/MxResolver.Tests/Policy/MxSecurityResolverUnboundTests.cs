using Microsoft.Extensions.DependencyInjection;
using MxResolver.Tests.Infrastructure;

namespace MxResolver.Tests.Policy;

// Behaviour rules R29, R30, R31, R32, R36 (docs/behaviour.md, "Secure delivery").

/// <summary>
/// Secure resolution end to end against a validating Unbound on loopback: a zone signed when the
/// fixture starts (secure), one without a trust anchor (insecure), and one with broken signatures
/// (bogus, SERVFAIL). The MTA-STS policy of <c>signed.test</c> is put in the store first, under the id
/// its TXT record names, so nothing is fetched: the zone's policy host is a documentation address.
/// </summary>
public sealed class MxSecurityResolverUnboundTests(DnssecUnboundFixture dnssec) : IClassFixture<DnssecUnboundFixture>, IAsyncDisposable
{
    private const string PolicyText = "version: STSv1\nmode: enforce\nmx: mx.signed.test\nmax_age: 604800\n";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private readonly ServiceProvider _provider = Build(dnssec.Server.EndPoint.ToString());

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask DisposeAsync() => _provider.DisposeAsync();

    [Fact]
    public async Task ResolveSecureAsync_SignedZone_SecureMxDaneAndThePolicy()
    {
        IMxSecurityResolver security = _provider.GetRequiredService<IMxSecurityResolver>();

        MxSecureResolution result = await security.ResolveSecureAsync("user@signed.test", Ct).AsTask().WaitAsync(Bound, Ct);

        Assert.True(result.IsMxSecure);
        MxSecureTarget target = Assert.Single(result.Targets);
        Assert.Equal("mx.signed.test", target.Target.Host);
        Assert.True(target.Target.IsSecure);
        Assert.Equal(DaneStatus.Usable, target.Dane);
        Assert.Equal(MxTlsRequirement.Dane, target.Requirement);
        Assert.Equal("3 1 1 8BD1DA95272F7FA4FFB24137FC0ED03AAE67E5C4D8B3C50734E1050A7920B922", Assert.Single(target.TlsaRecords).ToString(), ignoreCase: true);
        // The MX RRset is secure, so the recipient domain is a reference identifier too (RFC 7672 §3.2.2).
        Assert.Contains("signed.test", target.ReferenceIdentifiers);
        Assert.Equal("20260101T000000Z", result.MtaStsPolicy?.Id);
        Assert.False(result.MtaStsFetched);
        Assert.NotNull(result.TlsRpt);
    }

    [Fact]
    public async Task ResolveSecureAsync_UnsignedZone_InsecureOpportunistic()
    {
        IMxSecurityResolver security = _provider.GetRequiredService<IMxSecurityResolver>();

        MxSecureResolution result = await security.ResolveSecureAsync("unsigned.test", Ct).AsTask().WaitAsync(Bound, Ct);

        Assert.True(result.Resolution.IsSuccess, result.Resolution.Error);
        Assert.False(result.IsMxSecure);
        Assert.All(result.Targets, target =>
        {
            Assert.False(target.Target.IsSecure);
            Assert.Equal(DaneStatus.NotApplicable, target.Dane);
            Assert.Equal(MxTlsRequirement.Opportunistic, target.Requirement);
        });
    }

    [Fact]
    public async Task ResolveSecureAsync_BogusZone_TemporaryFailureNeverInsecure()
    {
        IMxSecurityResolver security = _provider.GetRequiredService<IMxSecurityResolver>();

        MxSecureResolution result = await security.ResolveSecureAsync("bogus.test", Ct).AsTask().WaitAsync(Bound, Ct);

        // A validator answers SERVFAIL for data whose signatures fail: queue, never deliver as if unsigned.
        Assert.Equal(MxResolutionStatus.TemporaryFailure, result.Resolution.Status);
        Assert.Empty(result.Targets);
        Assert.False(result.CanDeliver);
    }

    [Fact]
    public async Task ResolveAsync_SignedZoneButUntrustedServer_Insecure()
    {
        // The same validating server, but its AD bit is not believed: nothing is secure (R29).
        await using ServiceProvider untrusted = Build(dnssec.Server.EndPoint.ToString(), trustLoopback: false);

        MxResolution result = await untrusted.GetRequiredService<IMxResolver>().ResolveAsync("signed.test", Ct).AsTask().WaitAsync(Bound, Ct);

        Assert.True(result.IsSuccess);
        Assert.False(result.IsMxSecure);
        Assert.False(Assert.Single(result.Targets).IsSecure);
    }

    private static ServiceProvider Build(string server, bool trustLoopback = true)
    {
        var store = new InMemoryMtaStsPolicyStore();
        store.SetAsync(new MtaStsStoredPolicy("signed.test", "20260101T000000Z", PolicyText, DateTimeOffset.UtcNow)).AsTask().GetAwaiter().GetResult();
        var services = new ServiceCollection();
        services.AddSingleton<IMtaStsPolicyStore>(store);
        services.AddMxResolver(options =>
        {
            options.NameServers.Add(server);
            options.TrustLoopbackAuthenticatedData = trustLoopback;
        });
        return services.BuildServiceProvider();
    }
}
