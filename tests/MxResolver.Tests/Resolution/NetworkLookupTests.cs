using System.Net;
using MxResolver.Tests.Infrastructure;

namespace MxResolver.Tests.Resolution;

/// <summary>
/// The public constructor of <see cref="MailExchangeResolver"/> wired to the stub client
/// (<c>NetworkLookup</c>), end to end through a real Unbound on loopback.
/// </summary>
public sealed class NetworkLookupTests(UnboundFixture unbound)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private MailExchangeResolver Resolver(bool tcpOnly = false) => new(new MxResolverOptions
    {
        NameServers = { unbound.EndPoint.ToString() },
        UseTcpOnly = tcpOnly,
    });

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ResolveAsync_PublicConstructor_QueriesTheConfiguredServer(bool tcpOnly)
    {
        IMxResolver resolver = Resolver(tcpOnly);

        MxResolution result = await resolver.ResolveAsync("plain.mx.test", Token).AsTask().WaitAsync(Bound, Token);

        // R11, R15: three preferences, both families of every target.
        Assert.Equal(MxResolutionStatus.Success, result.Status);
        Assert.Equal(["mx1.plain.mx.test", "mx2.plain.mx.test", "mx3.plain.mx.test"], result.Targets.Select(t => t.Host));
        Assert.Equal(
            [IPAddress.Parse("192.0.2.11"), IPAddress.Parse("2001:db8::11")],
            result.Targets[0].Addresses.OrderBy(a => a.AddressFamily));
        Assert.Equal(TimeSpan.FromSeconds(300), result.TimeToLive);
    }

    [Fact]
    public async Task ResolveAsync_ServfailZone_TemporaryFailure()
    {
        IMxResolver resolver = Resolver();

        MxResolution result = await resolver.ResolveAsync("broken.mx.test", Token).AsTask().WaitAsync(Bound, Token);

        // R6
        Assert.Equal(MxResolutionStatus.TemporaryFailure, result.Status);
        Assert.Equal("4.4.3", result.EnhancedStatusCode);
    }
}
