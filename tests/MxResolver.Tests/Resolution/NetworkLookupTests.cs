using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
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

    [Theory]
    [InlineData(true, 3)]
    [InlineData(false, 9)]
    public async Task ResolveAsync_PublicConstructorTwice_CachesUnlessDisabled(bool cacheEnabled, int expectedQueries)
    {
        // R24: the two-line, no-DI resolver caches like the DI one; Cache.Enabled = false turns it off.
        await using var server = new ScriptedDnsServer(q =>
        {
            string name = q.Info!.QuestionName!.ToLowerInvariant();
            return ScriptedResponse.Reply(q.Reply(configure: b =>
            {
                switch (q.Info.QuestionType)
                {
                    case DnsTypeCode.MX when name == "cached.test.":
                        b.AddMx(RecordSection.Answer, name, 10, "mx.cached.test.");
                        break;
                    case DnsTypeCode.A when name == "mx.cached.test.":
                        b.AddA(RecordSection.Answer, name, "192.0.2.80");
                        break;
                    default:
                        // NODATA with an SOA, so the negative answer is cacheable too (R25).
                        b.AddSoa(RecordSection.Authority, "cached.test.", "ns.cached.test.", "hostmaster.cached.test.", 1, 3600, 600, 86400);
                        break;
                }
            }));
        });
        var options = new MxResolverOptions { NameServers = { server.EndPoint.ToString() } };
        options.Cache.Enabled = cacheEnabled;
        IMxResolver resolver = new MailExchangeResolver(options);

        for (int i = 0; i < 3; i++)
        {
            MxResolution result = await resolver.ResolveAsync("cached.test", Token).AsTask().WaitAsync(Bound, Token);
            Assert.Equal(MxResolutionStatus.Success, result.Status);
            Assert.Equal([IPAddress.Parse("192.0.2.80")], result.Targets.Single().Addresses);
        }

        // One resolution asks MX, then A and AAAA of the one target.
        Assert.Equal(expectedQueries, server.ReceivedQueries.Count);
        Assert.Empty(server.ScriptErrors);
    }

    [Fact]
    public async Task ResolveAsync_PublicConstructorWithClockAndLoggerFactory_CacheAgesOnThatClockAndLogsThere()
    {
        // The non-DI seams: the cache counts time on the given TimeProvider, and the resolver and
        // its stack log through the given factory under the categories DI uses.
        await using var server = new ScriptedDnsServer(q =>
        {
            string name = q.Info!.QuestionName!.ToLowerInvariant();
            return ScriptedResponse.Reply(q.Reply(configure: b =>
            {
                switch (q.Info.QuestionType)
                {
                    case DnsTypeCode.MX when name == "clock.test.":
                        b.AddMx(RecordSection.Answer, name, 10, "mx.clock.test.", ttl: 60);
                        break;
                    case DnsTypeCode.A when name == "mx.clock.test.":
                        b.AddA(RecordSection.Answer, name, "192.0.2.81", ttl: 60);
                        break;
                    default:
                        b.AddSoa(RecordSection.Authority, "clock.test.", "ns.clock.test.", "hostmaster.clock.test.", 1, 3600, 600, 86400, minimum: 60, ttl: 60);
                        break;
                }
            }));
        });
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var collector = new FakeLogCollector();
        using var loggers = new LoggerFactory([new FakeLoggerProvider(collector)], new LoggerFilterOptions { MinLevel = LogLevel.Trace });
        var resolver = new MailExchangeResolver(new MxResolverOptions { NameServers = { server.EndPoint.ToString() } }, time, loggers);

        MxResolution first = await resolver.ResolveAsync("clock.test", Token).AsTask().WaitAsync(Bound, Token);
        time.Advance(TimeSpan.FromSeconds(59));
        MxResolution cached = await resolver.ResolveAsync("clock.test", Token).AsTask().WaitAsync(Bound, Token);
        int queriesWhileFresh = server.ReceivedQueries.Count;
        time.Advance(TimeSpan.FromSeconds(1));
        await resolver.ResolveAsync("clock.test", Token).AsTask().WaitAsync(Bound, Token);

        Assert.Equal(MxResolutionStatus.Success, first.Status);
        Assert.Equal(TimeSpan.FromSeconds(1), cached.TimeToLive); // counted down on the fake clock
        Assert.Equal(3, queriesWhileFresh); // MX, A, AAAA once
        Assert.Equal(6, server.ReceivedQueries.Count); // expired on the fake clock, asked again
        Assert.Contains(collector.GetSnapshot(), record => record.Category == typeof(MailExchangeResolver).FullName && record.Id.Id == 4001);
        Assert.Empty(server.ScriptErrors);
    }
}
