using System.Diagnostics;
using System.Security.Cryptography;

namespace MxResolver.Tests.Infrastructure;

/// <summary>Proves the shared Unbound and the shared zone behave as the other tests assume.</summary>
public sealed class UnboundServerTests(UnboundFixture unbound)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    private static ushort NewId() => (ushort)RandomNumberGenerator.GetInt32(ushort.MaxValue + 1);

    private static byte[] Query(string name, ushort type, ushort id) =>
        DnsMessageBuilder.Query(id, name, type).AddOpt(1232).Build();

    private async Task<DnsQueryInfo> UdpAsync(string name, ushort type)
    {
        var id = NewId();
        var reply = DnsQueryInfo.Parse(await RawDnsClient.QueryUdpAsync(unbound.EndPoint, Query(name, type, id), Timeout, TestContext.Current.CancellationToken));
        Assert.Equal(id, reply.Id);
        Assert.True(reply.IsResponse);
        return reply;
    }

    [Fact]
    public async Task Query_PlainMxOverUdp_ReturnsThreeMxWithZoneTtl()
    {
        var reply = await UdpAsync("plain.mx.test.", DnsTypeCode.MX);

        Assert.Equal(DnsRcodeCode.NoError, reply.Rcode);
        Assert.True(reply.AuthoritativeAnswer);
        Assert.False(reply.Truncated);
        var mx = reply.Answers.Where(r => r.Type == DnsTypeCode.MX).ToList();
        Assert.Equal(
            ["10 mx1.plain.mx.test.", "20 mx2.plain.mx.test.", "30 mx3.plain.mx.test."],
            mx.Select(r => r.Data).Order(StringComparer.Ordinal));
        Assert.All(mx, r => Assert.Equal(300u, r.Ttl));
    }

    [Fact]
    public async Task Query_BigMx_TruncatedOverUdpAndWholeOverTcp()
    {
        var id = NewId();
        var query = Query("big.mx.test.", DnsTypeCode.MX, id);

        var udpBytes = await RawDnsClient.QueryUdpAsync(unbound.EndPoint, query, Timeout, TestContext.Current.CancellationToken);
        var tcpBytes = await RawDnsClient.QueryTcpAsync(unbound.EndPoint, query, Timeout, TestContext.Current.CancellationToken);

        var udp = DnsQueryInfo.Parse(udpBytes);
        Assert.True(udp.Truncated);
        Assert.True(udpBytes.Length <= 1232);
        var tcp = DnsQueryInfo.Parse(tcpBytes);
        Assert.False(tcp.Truncated);
        Assert.Equal(id, tcp.Id);
        Assert.Equal(60, tcp.Answers.Count(r => r.Type == DnsTypeCode.MX));
        Assert.True(tcpBytes.Length > 1232, $"the TCP answer is only {tcpBytes.Length} bytes");
    }

    [Fact]
    public async Task Query_MissingName_NxDomainWithSoaCappedAtMinimum()
    {
        var reply = await UdpAsync("nxdomain.mx.test.", DnsTypeCode.MX);

        Assert.Equal(DnsRcodeCode.NxDomain, reply.Rcode);
        Assert.Empty(reply.Answers);
        var soa = Assert.Single(reply.Authorities, r => r.Type == DnsTypeCode.SOA);
        Assert.Equal("mx.test.", soa.Name);
        Assert.EndsWith(" 300", soa.Data, StringComparison.Ordinal); // MINIMUM
        Assert.Equal(300u, soa.Ttl); // min(SOA TTL 3600, MINIMUM 300), RFC 2308 §5
    }

    [Fact]
    public async Task Query_TxtOnlyNameForMx_NoDataWithSoa()
    {
        var reply = await UdpAsync("txt-only.mx.test.", DnsTypeCode.MX);

        Assert.Equal(DnsRcodeCode.NoError, reply.Rcode);
        Assert.Empty(reply.Answers);
        Assert.Single(reply.Authorities, r => r.Type == DnsTypeCode.SOA);
    }

    [Theory]
    [InlineData("ttl-60.mx.test.", DnsTypeCode.MX, 60u)]
    [InlineData("ttl-0.mx.test.", DnsTypeCode.MX, 0u)]
    [InlineData("mx.ttl-target-30.mx.test.", DnsTypeCode.A, 30u)]
    [InlineData("ttl-long.mx.test.", DnsTypeCode.MX, 86400u)]
    public async Task Query_DistinctTtlNames_CarryTheZoneTtl(string name, ushort type, uint ttl)
    {
        var reply = await UdpAsync(name, type);

        var record = Assert.Single(reply.Answers);
        Assert.Equal(type, record.Type);
        Assert.Equal(ttl, record.Ttl);
    }

    [Theory]
    [InlineData("equal.mx.test.", DnsTypeCode.MX, 5)]
    [InlineData("null-mx.mx.test.", DnsTypeCode.MX, 1)]
    [InlineData("null-mixed.mx.test.", DnsTypeCode.MX, 2)]
    [InlineData("ip-exchange.mx.test.", DnsTypeCode.MX, 3)]
    [InlineData("duplicate.mx.test.", DnsTypeCode.MX, 3)]
    [InlineData("pref-extremes.mx.test.", DnsTypeCode.MX, 3)]
    [InlineData("failover.mx.test.", DnsTypeCode.MX, 4)]
    [InlineData("xn--bcher-kva.mx.test.", DnsTypeCode.MX, 1)]
    [InlineData("mx.filtered.mx.test.", DnsTypeCode.A, 6)]
    [InlineData("mx.filtered.mx.test.", DnsTypeCode.AAAA, 8)]
    [InlineData("mx.dualstack.mx.test.", DnsTypeCode.AAAA, 1)]
    [InlineData("implicit.mx.test.", DnsTypeCode.MX, 0)]
    [InlineData("mx-to-cname.mx.test.", DnsTypeCode.MX, 1)]
    [InlineData("alias.mx.test.", DnsTypeCode.MX, 2)] // CNAME + MX of canonical
    [InlineData("loop-a.mx.test.", DnsTypeCode.MX, 2)] // both CNAMEs, then Unbound stops
    [InlineData("chain-8.mx.test.", DnsTypeCode.MX, 9)] // 8 CNAMEs + MX
    public async Task Query_DocumentedZoneNames_AnswerAsTheZoneCommentSays(string name, ushort type, int answers)
    {
        var reply = await UdpAsync(name, type);

        Assert.Equal(DnsRcodeCode.NoError, reply.Rcode);
        Assert.Equal(answers, reply.AnswerCount);
    }

    [Fact]
    public async Task Query_AliasWithNineHops_UnboundStopsAfterNineCnames()
    {
        // Documents what clients see: Unbound includes at most 9 CNAMEs and no final data, so a client
        // has to notice the unfinished chain itself (R4).
        var reply = await UdpAsync("chain-9.mx.test.", DnsTypeCode.MX);

        Assert.Equal(DnsRcodeCode.NoError, reply.Rcode);
        Assert.Equal(9, reply.Answers.Count(r => r.Type == DnsTypeCode.CNAME));
        Assert.DoesNotContain(reply.Answers, r => r.Type == DnsTypeCode.MX);
    }

    [Fact]
    public async Task Query_NameUnderBrokenSubZone_ServFailWithinBoundedTime()
    {
        // The first query waits for Unbound to give up on the dead stub (infra-cache-max-rtt 500 ms);
        // a few bounded attempts cover a slow machine. R6.
        DnsQueryInfo? reply = null;
        for (var attempt = 0; attempt < 4 && reply is null; attempt++)
        {
            try
            {
                reply = await UdpAsync("mx.broken.mx.test.", DnsTypeCode.A);
            }
            catch (TimeoutException)
            {
                // Try again; the loop is bounded.
            }
        }

        Assert.NotNull(reply);
        Assert.Equal(DnsRcodeCode.ServFail, reply.Rcode);
    }

    [Fact]
    public async Task ControlAsync_Status_ReportsRunningAndFlushWorks()
    {
        var status = await unbound.Server.ControlAsync(TestContext.Current.CancellationToken, "status");
        await unbound.Server.FlushAllAsync(TestContext.Current.CancellationToken);

        Assert.Contains("is running", status, StringComparison.Ordinal);
        Assert.Equal(DnsRcodeCode.NoError, (await UdpAsync("plain.mx.test.", DnsTypeCode.MX)).Rcode);
    }

    [Fact]
    public async Task StartAsync_OwnInstanceWithExtraConfig_ServesThenDisposeKillsAndCleansUp()
    {
        var options = UnboundServerOptions.SharedZone();
        options.ExtraServerConfig.Add("rrset-roundrobin: no");
        string directory;
        int processId;
        await using (var server = await UnboundServer.StartAsync(options, TestContext.Current.CancellationToken))
        {
            directory = server.Directory;
            processId = server.ProcessId;
            var id = NewId();
            var reply = DnsQueryInfo.Parse(await RawDnsClient.QueryUdpAsync(
                server.EndPoint, Query("equal.mx.test.", DnsTypeCode.MX, id), Timeout, TestContext.Current.CancellationToken));
            Assert.Equal(5, reply.AnswerCount);
            Assert.NotEqual(unbound.EndPoint, server.EndPoint);
            Assert.Contains("rrset-roundrobin: no", File.ReadAllText(server.ConfigPath), StringComparison.Ordinal);
        }

        Assert.False(Directory.Exists(directory));
        Assert.Throws<ArgumentException>(() => Process.GetProcessById(processId));
    }

    [Fact]
    public async Task StartAsync_StubZoneToScriptedServer_UnboundRelaysItsAnswer()
    {
        await using var scripted = new ScriptedDnsServer(q => ScriptedResponse.Reply(
            q.ReplyBuilder(authoritative: true).AddMx(RecordSection.Answer, q.Info!.QuestionName!, 5, "mx.elsewhere.test.", ttl: 42).Build()));
        var options = UnboundServerOptions.SharedZone();
        options.StubZones.Add(new UnboundStubZone("scripted.mx.test.", [scripted.EndPoint]));
        await using var server = await UnboundServer.StartAsync(options, TestContext.Current.CancellationToken);

        var reply = DnsQueryInfo.Parse(await RawDnsClient.QueryUdpAsync(
            server.EndPoint, Query("host.scripted.mx.test.", DnsTypeCode.MX, NewId()), Timeout, TestContext.Current.CancellationToken));

        Assert.Equal(DnsRcodeCode.NoError, reply.Rcode);
        var mx = Assert.Single(reply.Answers);
        Assert.Equal("5 mx.elsewhere.test.", mx.Data);
        Assert.Equal(42u, mx.Ttl);
        var upstream = Assert.Single(scripted.ReceivedQueries, q => q.Info?.QuestionType == DnsTypeCode.MX);
        Assert.Equal("host.scripted.mx.test.", upstream.Info!.QuestionName!.ToLowerInvariant());
    }

    [Fact]
    public async Task StartAsync_InvalidExtraConfig_FailsWithCheckconfOutput()
    {
        var options = UnboundServerOptions.SharedZone();
        options.ExtraServerConfig.Add("no-such-option-anywhere: yes");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => UnboundServer.StartAsync(options, TestContext.Current.CancellationToken));

        Assert.Contains("unbound-checkconf", error.Message, StringComparison.Ordinal);
    }
}
