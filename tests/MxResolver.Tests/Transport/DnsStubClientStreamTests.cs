using System.Net;
using MxResolver.Dns;
using MxResolver.Tests.Infrastructure;
using MxResolver.Transport;

namespace MxResolver.Tests.Transport;

/// <summary>
/// The stub client over pooled streams: <c>tcp://</c> and <c>tls://</c> entries against real Unbound
/// (the TLS one from <see cref="DnsOverTlsUnboundTests.Servers"/>), truncated UDP replies retried on a
/// pooled TCP connection, DNS over TLS failing closed, and the entry syntax's errors.
/// </summary>
public sealed class DnsStubClientStreamTests(UnboundFixture unbound, DnsOverTlsUnboundTests.Servers tls) : IClassFixture<DnsOverTlsUnboundTests.Servers>
{
    private const string ServerName = "dns.mx.test";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task QueryAsync_TcpEntry_ManyInFlightAnsweredOverFewConnections()
    {
        await using var client = new DnsStubClient(new DnsStubClientOptions { NameServerEntries = { $"tcp://{unbound.EndPoint}" } });

        DnsResponse[] responses = await ManyAsync(client, 200);

        Assert.All(responses, r => AssertPlainMx(r, unbound.EndPoint));
        Assert.False(client.Servers[0].IsAuthenticated);
    }

    [Fact]
    public async Task QueryAsync_TlsEntry_ManyInFlightAnsweredOverAuthenticatedTls()
    {
        await using var client = new DnsStubClient(new DnsStubClientOptions
        {
            NameServerEntries = { $"tls://{tls.Valid.TlsEndPoint}#{ServerName}" },
            TlsTrustedRoots = [tls.Pki.Ca],
        });

        DnsResponse[] responses = await ManyAsync(client, 200);

        Assert.All(responses, r => AssertPlainMx(r, tls.Valid.TlsEndPoint));
        Assert.True(client.Servers[0].IsAuthenticated);
        Assert.Equal(tls.Valid.TlsEndPoint, Assert.Single(client.NameServers));
    }

    [Fact]
    public async Task QueryAsync_TlsEntryWithWrongName_FailsClosedWithTheReason()
    {
        await using var client = new DnsStubClient(new DnsStubClientOptions
        {
            NameServerEntries = { $"tls://{tls.Valid.TlsEndPoint}#wrong.mx.test" },
            TlsTrustedRoots = [tls.Pki.Ca],
            AttemptsPerServer = 1,
        });

        var error = await Assert.ThrowsAsync<DnsQueryException>(() => client.QueryAsync("plain.mx.test.", DnsRecordType.MX, Token).WaitAsync(Bound, Token));

        Assert.Equal(DnsQueryError.NetworkError, error.Error);
        Assert.Contains("not valid for the name 'wrong.mx.test'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueryAsync_TlsEntryToAPlaintextServer_NoQueryEverSentInPlaintext()
    {
        // A plain DNS server (UDP and TCP on one port) where a TLS one is expected: the handshake
        // cannot complete, and the client must not ask it, or anyone, in plaintext instead.
        await using var server = new ScriptedDnsServer(q => ScriptedResponse.Reply(q.Reply()));
        await using var client = new DnsStubClient(new DnsStubClientOptions
        {
            NameServerEntries = { $"tls://{server.EndPoint}#{ServerName}" },
            AttemptTimeout = TimeSpan.FromMilliseconds(500),
            AttemptsPerServer = 2,
        });

        var error = await Assert.ThrowsAsync<DnsQueryException>(() => client.QueryAsync("plain.mx.test.", DnsRecordType.MX, Token).WaitAsync(Bound, Token));

        Assert.True(error.Error is DnsQueryError.Timeout or DnsQueryError.NetworkError, error.Error.ToString());
        Assert.Equal(0, server.UdpQueryCount);
        Assert.Equal(0, server.TcpQueryCount);
    }

    [Fact]
    public async Task QueryAsync_TruncatedOverUdp_RetriedOnOnePooledTcpConnection()
    {
        const string name = "big.example.test.";
        await using var server = new ScriptedDnsServer(q => q.Transport == ScriptedTransport.Udp
            ? ScriptedResponse.Reply(q.ReplyBuilder().Also(b => b.Truncated = true).Build())
            : ScriptedResponse.Reply(q.Reply(configure: b =>
            {
                for (int i = 0; i < 40; i++)
                {
                    b.AddMx(RecordSection.Answer, name, (ushort)i, $"mx{i}.example.test.");
                }
            })));
        await using var client = new DnsStubClient(new DnsStubClientOptions { NameServers = [server.EndPoint] });

        for (int query = 1; query <= 5; query++)
        {
            DnsResponse response = await client.QueryAsync(name, DnsRecordType.MX, Token).WaitAsync(Bound, Token);

            Assert.True(response.ReceivedOverTcp);
            Assert.Equal(40, response.Answers.Count);
            Assert.Equal(query, server.UdpQueryCount);
            Assert.Equal(query, server.TcpQueryCount);
        }

        // One connection carried every retry (a one-shot exchange would have opened five).
        Assert.Equal(1, server.TcpConnectionCount);
        Assert.Empty(server.ScriptErrors);
    }

    [Theory]
    [InlineData("tls://192.0.2.53", "needs an authentication name")]
    [InlineData("quic://192.0.2.53", "unknown scheme 'quic'")]
    [InlineData("ns.example.org", "'ns.example.org' is not an IP address")]
    [InlineData("tcp://192.0.2.53#dns.example", "only applies to tls://")]
    [InlineData("192.0.2.53:0", "the port '0' is not a number from 1 to 65535")]
    public void Constructor_MalformedEntry_ThrowsFormatExceptionNamingThePart(string entry, string expected)
    {
        var error = Assert.Throws<FormatException>(() => new DnsStubClient(new DnsStubClientOptions { NameServerEntries = { entry } }));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{entry}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_BothServerLists_Throws()
    {
        var options = new DnsStubClientOptions { NameServers = [new IPEndPoint(IPAddress.Loopback, 53)], NameServerEntries = { "tcp://127.0.0.1" } };

        Assert.Throws<ArgumentException>(() => new DnsStubClient(options));
    }

    [Theory]
    [InlineData(0, 64, "MaxConnectionsPerServer")]
    [InlineData(4, 0, "MaxQueriesPerConnection")]
    [InlineData(4, 8193, "MaxQueriesPerConnection")]
    public void Constructor_PoolSettingOutOfRange_ThrowsNamingTheOption(int connections, int queries, string parameter)
    {
        var options = new DnsStubClientOptions { NameServerEntries = { "tcp://127.0.0.1" }, MaxConnectionsPerServer = connections, MaxQueriesPerConnection = queries };

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new DnsStubClient(options));

        Assert.Equal(parameter, error.ParamName);
    }

    [Fact]
    public void Constructor_Entries_TransportPerServer()
    {
        using var client = new DnsStubClient(new DnsStubClientOptions { NameServerEntries = { "192.0.2.1", "tcp://192.0.2.2:5353", "tls://[2001:db8::3]#dns.example" } });

        Assert.Equal([DnsTransport.Udp, DnsTransport.Tcp, DnsTransport.Tls], client.Servers.Select(s => s.Transport));
        Assert.Equal(["192.0.2.1:53", "192.0.2.2:5353", "[2001:db8::3]:853"], client.NameServers.Select(e => e.ToString()));
        Assert.Equal([false, false, true], client.Servers.Select(s => s.IsAuthenticated));
    }

    private static async Task<DnsResponse[]> ManyAsync(DnsStubClient client, int count)
        => await Task.WhenAll(Enumerable.Range(0, count).Select(_ => client.QueryAsync("plain.mx.test.", DnsRecordType.MX, Token))).WaitAsync(Bound, Token);

    private static void AssertPlainMx(DnsResponse response, IPEndPoint server)
    {
        Assert.Equal(DnsResponseCode.NoError, response.ResponseCode);
        Assert.True(response.ReceivedOverTcp);
        Assert.Equal(server, response.Server);
        Assert.Equal(
            ["10 mx1.plain.mx.test.", "20 mx2.plain.mx.test.", "30 mx3.plain.mx.test."],
            response.Answers.OfType<MxRecord>().Select(r => $"{r.Preference} {r.Exchange}").Order(StringComparer.Ordinal));
    }
}
