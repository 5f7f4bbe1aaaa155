using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;

namespace MxResolver.Tests.Infrastructure;

/// <summary>The delaying forwarder benchmarks put in front of Unbound: every reply held for a fixed time.</summary>
public sealed class DelayingDnsProxyTests(UnboundFixture unbound)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private static byte[] Query(string name, out ushort id)
    {
        id = (ushort)RandomNumberGenerator.GetInt32(ushort.MaxValue + 1);
        return DnsMessageBuilder.Query(id, name, DnsTypeCode.MX).AddOpt(1232).Build();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Reply_HeldUntilTheDelayElapses_ThenForwarded(bool tcp)
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new FakeTimeProvider();
        var delay = TimeSpan.FromMilliseconds(250);
        await using var upstream = new ScriptedDnsServer(q => ScriptedResponse.Reply(q.Reply(configure: r => r.AddMx(RecordSection.Answer, q.Info!.QuestionName!, 10, "mx.a.test."))));
        await using var proxy = new DelayingDnsProxy(upstream.EndPoint, delay, time);
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        proxy.ReplyHeld += () => held.TrySetResult();

        var query = Query("a.test.", out var id);
        var exchange = tcp
            ? RawDnsClient.QueryTcpAsync(proxy.EndPoint, query, Bound, ct)
            : RawDnsClient.QueryUdpAsync(proxy.EndPoint, query, Bound, ct);
        await held.Task.WaitAsync(Bound, ct);
        time.Advance(delay - TimeSpan.FromTicks(1));

        // The upstream answered, but the fake clock has not reached the delay: no timer can release it.
        Assert.Equal(1, upstream.UdpQueryCount + upstream.TcpQueryCount);
        Assert.Equal(1, proxy.HeldCount);
        Assert.False(exchange.IsCompleted);

        time.Advance(TimeSpan.FromTicks(1));
        var reply = DnsQueryInfo.Parse(await exchange.WaitAsync(Bound, ct));

        Assert.Equal(id, reply.Id);
        Assert.Equal("10 mx.a.test.", Assert.Single(reply.Answers).Data);
        Assert.Equal(1, proxy.ForwardedCount);
        Assert.Equal(0, proxy.DroppedCount);
    }

    [Fact]
    public async Task Reply_InFrontOfUnbound_SameAnswerNoSoonerThanTheDelay()
    {
        var ct = TestContext.Current.CancellationToken;
        var delay = TimeSpan.FromMilliseconds(100);
        await using var proxy = new DelayingDnsProxy(unbound.EndPoint, delay);

        var clock = Stopwatch.StartNew();
        var reply = DnsQueryInfo.Parse(await RawDnsClient.QueryUdpAsync(proxy.EndPoint, Query("plain.mx.test.", out var id), Bound, ct));
        var elapsed = clock.Elapsed;

        // A lower bound only: the reply cannot come back before the proxy releases it.
        Assert.True(elapsed >= delay, $"answered after {elapsed.TotalMilliseconds} ms");
        Assert.Equal(id, reply.Id);
        Assert.Equal(3, reply.Answers.Count(r => r.Type == DnsTypeCode.MX));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(30_001)]
    public void Constructor_DelayOutOfBounds_Throws(int milliseconds)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new DelayingDnsProxy(unbound.EndPoint, TimeSpan.FromMilliseconds(milliseconds)));
    }
}
