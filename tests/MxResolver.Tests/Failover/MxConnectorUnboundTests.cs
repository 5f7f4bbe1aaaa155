using System.Net;
using System.Net.Sockets;
using System.Text;
using MxResolver.Tests.Infrastructure;

namespace MxResolver.Tests.Failover;

/// <summary>The connector end to end: Unbound serving mx.test, real sockets on loopback.</summary>
public sealed class MxConnectorUnboundTests(UnboundFixture unbound)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private MailExchangeResolver Resolver() => new(new MxResolverOptions
    {
        NameServers = { unbound.EndPoint.ToString() },
        BlockedAddresses = AddressCategories.Default & ~AddressCategories.Loopback, // R18: loopback is the test network
    });

    private static MxFailoverOptions GreetingChecked() => new()
    {
        CheckGreeting = true,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        GreetingTimeout = TimeSpan.FromSeconds(1),
        OverallTimeout = TimeSpan.FromSeconds(45),
    };

    [Fact]
    public async Task ConnectAsync_RefusedSilentBusyThenSmtp_EndsAtTheRealServerNamingEachFailure()
    {
        // R20 R21: refused moves on at once, silence after the greeting timeout, 421 at once; 220 wins.
        await using FailoverHosts hosts = await FailoverHosts.StartAsync();
        MxFailoverOptions options = GreetingChecked();
        MailExchangeResolver resolver = Resolver();
        using var connector = new MxConnector(resolver, options);

        MxFailoverResult<MxConnection> result = await connector.ConnectAsync("failover.mx.test", hosts.Port, Token).AsTask().WaitAsync(Bound, Token);

        Assert.True(result.IsSuccess, result.Error);
        await using MxConnection connection = result.Value;
        Assert.Equal(MxFailoverStatus.Succeeded, result.Status);
        Assert.Equal("smtp.failover.mx.test", result.Target.Host);
        Assert.Equal(FailoverHosts.Smtp, result.Address);
        Assert.StartsWith("220 ", connection.Greeting[^1], StringComparison.Ordinal);
        Assert.Equal(
            [
                ("refused.failover.mx.test", (ushort)10, FailoverHosts.Refused, MxAttemptOutcome.Refused),
                ("silent.failover.mx.test", (ushort)20, FailoverHosts.Silent, MxAttemptOutcome.GreetingTimedOut),
                ("busy.failover.mx.test", (ushort)30, FailoverHosts.Busy, MxAttemptOutcome.GreetingRejected),
                ("smtp.failover.mx.test", (ushort)40, FailoverHosts.Smtp, MxAttemptOutcome.Succeeded),
            ],
            result.Attempts.Select(a => (a.Host, a.Preference, a.Address, a.Outcome)));
        Assert.Contains("421", result.Attempts[2].Error, StringComparison.Ordinal);
        Assert.All(result.Attempts.Take(3), a => Assert.False(string.IsNullOrEmpty(a.Error)));
        Assert.True(result.Elapsed < options.OverallTimeout, $"took {result.Elapsed}");
        Assert.Null(result.EnhancedStatusCode);

        // The connection is live and ours: the server answers EHLO.
        await connection.Stream.WriteAsync(Encoding.ASCII.GetBytes("EHLO client.test\r\n"), Token);
        byte[] buffer = new byte[512];
        int read = await connection.Stream.ReadAsync(buffer, Token).AsTask().WaitAsync(Bound, Token);
        Assert.StartsWith("250", Encoding.ASCII.GetString(buffer, 0, read), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectAsync_EveryHostFails_TemporaryFailure441CarryingEveryAttempt()
    {
        // R23: nothing accepted -> temporary, 4.4.1, every attempt with its target, address, outcome and time.
        await using FailoverHosts hosts = await FailoverHosts.StartAsync(withSmtpServer: false);
        MailExchangeResolver resolver = Resolver();
        using var connector = new MxConnector(resolver, GreetingChecked());

        MxFailoverResult<MxConnection> result = await connector.ConnectAsync("failover.mx.test", hosts.Port, Token).AsTask().WaitAsync(Bound, Token);

        Assert.Equal(MxFailoverStatus.AllAttemptsFailed, result.Status);
        Assert.True(result.IsTemporaryFailure);
        Assert.False(result.IsPermanentFailure);
        Assert.Equal("4.4.1", result.EnhancedStatusCode);
        Assert.Null(result.Value);
        Assert.Equal(
            [MxAttemptOutcome.Refused, MxAttemptOutcome.GreetingTimedOut, MxAttemptOutcome.GreetingRejected, MxAttemptOutcome.Refused],
            result.Attempts.Select(a => a.Outcome));
        Assert.Equal([FailoverHosts.Refused, FailoverHosts.Silent, FailoverHosts.Busy, FailoverHosts.Smtp], result.Attempts.Select(a => a.Address));
        Assert.All(result.Attempts, a => Assert.Equal(hosts.Port, a.Port));
        Assert.Equal(result.Attempts.Select(a => a.StartedAfter).Order(), result.Attempts.Select(a => a.StartedAfter));
        Assert.Contains("smtp.failover.mx.test", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectAsync_DeadHostOfSamePreference_LaterCallsTryItAfterTheLiveOne()
    {
        // R22 (and R12: the two share preference 10, so their order is random until one fails).
        IPAddress dead = IPAddress.Parse("127.0.0.7");
        IPAddress live = IPAddress.Parse("127.0.0.8");
        await using TcpTestServer server = TcpTestServer.Greeting(new IPEndPoint(live, 0), "220 live.health.failover.mx.test ESMTP\r\n");
        MailExchangeResolver resolver = Resolver();
        using var connector = new MxConnector(resolver, GreetingChecked());

        bool deadTried = false;
        for (int call = 0; call < 30 && !deadTried; call++)
        {
            MxFailoverResult<MxConnection> first = await connector.ConnectAsync("health.failover.mx.test", server.EndPoint.Port, Token).AsTask().WaitAsync(Bound, Token);
            Assert.True(first.IsSuccess, first.Error);
            await first.Value.DisposeAsync();
            deadTried = first.Attempts.Any(a => a.Address.Equals(dead) && a.Outcome == MxAttemptOutcome.Refused);
        }

        Assert.True(deadTried, "in 30 calls with random tie order the dead host came first at least once");
        Assert.True(connector.Health.IsUnhealthy(dead));
        for (int call = 0; call < 5; call++)
        {
            MxFailoverResult<MxConnection> later = await connector.ConnectAsync("health.failover.mx.test", server.EndPoint.Port, Token).AsTask().WaitAsync(Bound, Token);
            Assert.True(later.IsSuccess, later.Error);
            await later.Value.DisposeAsync();
            MxAttempt only = Assert.Single(later.Attempts);
            Assert.Equal((live, MxAttemptOutcome.Succeeded), (only.Address, only.Outcome));
        }
    }

    [Fact]
    public async Task ConnectAsync_DualStackWithIPv6Refused_FallsBackToIPv4OfTheSameTarget()
    {
        // R17 / RFC 8305: IPv6 first; its failure starts IPv4 at once.
        await using TcpTestServer server = TcpTestServer.Greeting(new IPEndPoint(IPAddress.Parse("127.0.0.6"), 0), "220 mx.dualstack.mx.test\r\n");
        MailExchangeResolver resolver = Resolver();
        using var connector = new MxConnector(resolver, GreetingChecked());

        MxFailoverResult<MxConnection> result = await connector.ConnectAsync("dualstack.mx.test", server.EndPoint.Port, Token).AsTask().WaitAsync(Bound, Token);

        Assert.True(result.IsSuccess, result.Error);
        await result.Value.DisposeAsync();
        Assert.Equal(IPAddress.Parse("127.0.0.6"), result.Address);
        Assert.Equal(2, result.Attempts.Count);
        Assert.Equal(AddressFamily.InterNetworkV6, result.Attempts[0].Address.AddressFamily);
        Assert.Contains(result.Attempts[0].Outcome, new[] { MxAttemptOutcome.Refused, MxAttemptOutcome.Unreachable });
        Assert.All(result.Attempts, a => Assert.Equal("mx.dualstack.mx.test", a.Host));
    }

    [Fact]
    public async Task ConnectAsync_NullMx_PermanentResolutionFailureWithoutAttempts()
    {
        // R8 through the connector: nothing to try, permanent, the resolution's code.
        MailExchangeResolver resolver = Resolver();
        using var connector = new MxConnector(resolver, GreetingChecked());

        MxFailoverResult<MxConnection> result = await connector.ConnectAsync("null-mx.mx.test", 25, Token).AsTask().WaitAsync(Bound, Token);

        Assert.Equal(MxFailoverStatus.ResolutionFailed, result.Status);
        Assert.True(result.IsPermanentFailure);
        Assert.Equal("5.1.10", result.EnhancedStatusCode);
        Assert.Equal(MxResolutionStatus.NullMx, result.Resolution.Status);
        Assert.Empty(result.Attempts);
    }
}
