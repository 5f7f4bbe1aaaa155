using System.Net;
using System.Net.Sockets;

namespace MxResolver.Tests.Infrastructure;

/// <summary>Proves the scripted server does what the transport tests will rely on.</summary>
public sealed class ScriptedDnsServerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static byte[] MxQuery(ushort id) => DnsMessageBuilder.Query(id, "Example.mx.test.", DnsTypeCode.MX).AddOpt(1232).Build();

    private static Socket NewUdpClient()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return socket;
    }

    private static async Task<(DnsQueryInfo Reply, IPEndPoint From)> ReceiveAsync(Socket socket)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Token);
        cts.CancelAfter(Timeout);
        var buffer = new byte[65535];
        var received = await socket.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), cts.Token);
        return (DnsQueryInfo.Parse(buffer[..received.ReceivedBytes]), (IPEndPoint)received.RemoteEndPoint);
    }

    [Fact]
    public async Task Udp_ScriptedSequence_RepliesArriveInOrderAndQueryIsRecorded()
    {
        await using var server = new ScriptedDnsServer(q => ScriptedResponse.Sequence(
            new ScriptedReply(q.Reply(DnsRcodeCode.Refused)),
            new ScriptedReply(q.Reply(DnsRcodeCode.ServFail)) { Delay = TimeSpan.FromMilliseconds(20) },
            new ScriptedReply(q.Reply(configure: b => b.AddMx(RecordSection.Answer, q.Info!.QuestionName!, 10, "mx.example.test.")))
            {
                Delay = TimeSpan.FromMilliseconds(20),
            }));
        using var client = NewUdpClient();

        await client.SendToAsync(MxQuery(0x4242), server.EndPoint, Token);
        var first = await ReceiveAsync(client);
        var second = await ReceiveAsync(client);
        var third = await ReceiveAsync(client);

        Assert.Equal([DnsRcodeCode.Refused, DnsRcodeCode.ServFail, DnsRcodeCode.NoError], [first.Reply.Rcode, second.Reply.Rcode, third.Reply.Rcode]);
        Assert.All(new[] { first, second, third }, r => Assert.Equal(server.EndPoint, r.From));
        Assert.Equal("10 mx.example.test.", Assert.Single(third.Reply.Answers).Data);
        Assert.Equal("Example.mx.test.", third.Reply.QuestionName);
        Assert.True(third.Reply.HasOpt);
        Assert.Equal(1, server.UdpQueryCount);
        Assert.Equal(0, server.TcpQueryCount);
        var query = Assert.Single(server.ReceivedQueries);
        Assert.Equal(ScriptedTransport.Udp, query.Transport);
        Assert.Equal(0x4242, query.Info!.Id);
        Assert.Equal(1232, query.Info.OptPayloadSize);
        Assert.Empty(server.ScriptErrors);
    }

    [Theory]
    [InlineData(ReplySource.OtherPort)]
    [InlineData(ReplySource.OtherAddress)]
    public async Task Udp_ForgedSource_FirstReplyComesFromElsewhere(ReplySource source)
    {
        await using var server = new ScriptedDnsServer(q => ScriptedResponse.Sequence(
            new ScriptedReply(q.Reply(DnsRcodeCode.NxDomain)) { Source = source },
            new ScriptedReply(q.Reply()) { Delay = TimeSpan.FromMilliseconds(20) }));
        using var client = NewUdpClient();

        await client.SendToAsync(MxQuery(7), server.EndPoint, Token);
        var forged = await ReceiveAsync(client);
        var genuine = await ReceiveAsync(client);

        Assert.NotEqual(server.EndPoint, forged.From);
        Assert.Equal(DnsRcodeCode.NxDomain, forged.Reply.Rcode);
        if (source == ReplySource.OtherPort)
        {
            Assert.Equal(IPAddress.Loopback, forged.From.Address);
        }
        else
        {
            Assert.Equal(IPAddress.Parse("127.0.0.2"), forged.From.Address);
            Assert.Equal(server.EndPoint.Port, forged.From.Port);
        }

        Assert.Equal(server.EndPoint, genuine.From);
        Assert.Equal(DnsRcodeCode.NoError, genuine.Reply.Rcode);
    }

    [Fact]
    public async Task Udp_Nothing_NoReplyButQueryCounted()
    {
        await using var server = new ScriptedDnsServer(_ => ScriptedResponse.Nothing);

        await Assert.ThrowsAsync<TimeoutException>(() =>
            RawDnsClient.QueryUdpAsync(server.EndPoint, MxQuery(9), TimeSpan.FromMilliseconds(300), Token));

        Assert.Equal(1, server.UdpQueryCount);
    }

    [Fact]
    public async Task Tcp_DribbledReply_ArrivesWhole()
    {
        byte[]? sent = null;
        await using var server = new ScriptedDnsServer(q =>
        {
            sent = q.Reply(configure: b => b.AddMx(RecordSection.Answer, q.Info!.QuestionName!, 10, "mx1.example.test.")
                .AddMx(RecordSection.Answer, q.Info.QuestionName!, 20, "mx2.example.test."));
            return ScriptedResponse.Dribble(sent, TimeSpan.FromMilliseconds(1));
        });

        var reply = await RawDnsClient.QueryTcpAsync(server.EndPoint, MxQuery(0x0102), Timeout, Token);

        Assert.Equal(sent, reply);
        Assert.Equal(2, DnsQueryInfo.Parse(reply).AnswerCount);
        Assert.Equal(1, server.TcpQueryCount);
        Assert.Equal(0, server.UdpQueryCount);
    }

    [Fact]
    public async Task Tcp_Close_ConnectionEndsWithoutReply()
    {
        await using var server = new ScriptedDnsServer(_ => ScriptedResponse.Close());

        await Assert.ThrowsAsync<EndOfStreamException>(() =>
            RawDnsClient.QueryTcpAsync(server.EndPoint, MxQuery(3), Timeout, Token));

        Assert.Equal(1, server.TcpQueryCount);
    }

    [Fact]
    public async Task Tcp_TwoQueriesOnOneConnection_BothAnsweredAndCounted()
    {
        await using var server = new ScriptedDnsServer(q => ScriptedResponse.Reply(q.Reply()));
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server.EndPoint, Token);
        await using var stream = new NetworkStream(socket);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Token);
        cts.CancelAfter(Timeout);

        await stream.WriteAsync(DnsMessageBuilder.FrameForTcp(MxQuery(1)), cts.Token);
        var first = DnsQueryInfo.Parse(await RawDnsClient.ReadTcpMessageAsync(stream, cts.Token));
        await stream.WriteAsync(DnsMessageBuilder.FrameForTcp(MxQuery(2)), cts.Token);
        var second = DnsQueryInfo.Parse(await RawDnsClient.ReadTcpMessageAsync(stream, cts.Token));

        Assert.Equal((1, 2), (first.Id, second.Id));
        Assert.Equal(2, server.TcpQueryCount);
        Assert.Equal(1, server.TcpConnectionCount);
        Assert.Equal([0, 1], server.ReceivedQueries.Select(q => q.Sequence));
    }

    [Fact]
    public async Task DisposeAsync_WithRepliesPending_StopsWithoutSendingThem()
    {
        var server = new ScriptedDnsServer(q => ScriptedResponse.Sequence(new ScriptedReply(q.Reply()) { Delay = TimeSpan.FromMinutes(5) }));
        using var client = NewUdpClient();
        await client.SendToAsync(MxQuery(5), server.EndPoint, Token);
        Assert.True(await server.WaitForQueriesAsync(1, Timeout, Token));

        // A hang guard, not a speed assertion: disposal must not wait for the 5-minute delay.
        await server.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30), Token);

        await Assert.ThrowsAsync<TimeoutException>(() =>
            RawDnsClient.QueryUdpAsync(server.EndPoint, MxQuery(6), TimeSpan.FromMilliseconds(200), Token));
    }

    [Fact]
    public async Task Script_Throws_ErrorRecordedAndNothingSent()
    {
        await using var server = new ScriptedDnsServer(_ => throw new InvalidOperationException("boom"));

        await Assert.ThrowsAsync<TimeoutException>(() =>
            RawDnsClient.QueryUdpAsync(server.EndPoint, MxQuery(8), TimeSpan.FromMilliseconds(200), Token));

        Assert.Equal("boom", Assert.Single(server.ScriptErrors).Message);
    }
}
