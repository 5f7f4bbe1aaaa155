using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using MxResolver.Dns;
using MxResolver.Transport;

namespace MxResolver.Tests.Transport;

/// <summary>
/// The pooled receive-and-timeout of a UDP exchange, on real loopback sockets and a fake clock:
/// the timeout closes only its own exchange's socket, cancellation sticks until the exchange goes
/// back to the pool, and a late or early timer callback never ends an exchange before its deadline.
/// </summary>
public sealed class UdpExchangeTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private readonly Socket _peer;

    public UdpExchangeTests()
    {
        _peer = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        _peer.Bind(new IPEndPoint(IPAddress.Loopback, 0));
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public void Dispose() => _peer.Dispose();

    private Socket Connected()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Connect(_peer.LocalEndPoint!);
        return socket;
    }

    private static bool IsClosed(Socket socket) => socket.SafeHandle.IsClosed;

    [Fact]
    public async Task ReceiveAsync_DatagramArrives_ReturnsItsLength()
    {
        var pool = new UdpExchange.Pool(TimeProvider.System);
        UdpExchange exchange = pool.Rent();
        using Socket socket = Connected();
        exchange.Arm(socket, TimeSpan.FromSeconds(20));
        var buffer = new byte[64];
        ValueTask<UdpDatagram> receive = exchange.ReceiveAsync(socket, buffer);

        await _peer.SendToAsync(new byte[] { 1, 2, 3 }, SocketFlags.None, socket.LocalEndPoint!, Token);

        Assert.Equal(new UdpDatagram(3, Truncated: false), await receive.AsTask().WaitAsync(Bound, Token));
        Assert.Equal(new byte[] { 1, 2, 3 }, buffer[..3]);
        Assert.False(exchange.Disarm());
        Assert.False(IsClosed(socket));
        pool.Return(exchange);
    }

    [Fact]
    public async Task ReceiveAsync_DatagramLargerThanTheBuffer_CutAndSaidSo_AndNothingLeaksIntoTheNextReceive()
    {
        // The pooled receive must not carry an oversized datagram's truncation flag into the next
        // receive: passed back to the kernel, it makes the next oversized one report its real length.
        var pool = new UdpExchange.Pool(TimeProvider.System);
        UdpExchange exchange = pool.Rent();
        using Socket socket = Connected();
        exchange.Arm(socket, TimeSpan.FromSeconds(20));
        var buffer = new byte[64];
        byte[] large = [.. Enumerable.Range(0, 200).Select(i => (byte)i)];

        for (int round = 0; round < 2; round++)
        {
            ValueTask<UdpDatagram> receive = exchange.ReceiveAsync(socket, buffer);
            await _peer.SendToAsync(large, SocketFlags.None, socket.LocalEndPoint!, Token);

            Assert.Equal(new UdpDatagram(64, Truncated: true), await receive.AsTask().WaitAsync(Bound, Token));
            Assert.Equal(large[..64], buffer);
        }

        ValueTask<UdpDatagram> small = exchange.ReceiveAsync(socket, buffer);
        await _peer.SendToAsync(new byte[] { 9, 8, 7 }, SocketFlags.None, socket.LocalEndPoint!, Token);

        Assert.Equal(new UdpDatagram(3, Truncated: false), await small.AsTask().WaitAsync(Bound, Token));
        Assert.False(exchange.Disarm());
        pool.Return(exchange);
    }

    [Fact]
    public async Task Timeout_ClosesTheSocket_EndsThePendingReceive_AndIsReportedOnce()
    {
        var time = new FakeTimeProvider();
        var pool = new UdpExchange.Pool(time);
        UdpExchange exchange = pool.Rent();
        using Socket socket = Connected();
        exchange.Arm(socket, TimeSpan.FromSeconds(2));
        ValueTask<UdpDatagram> receive = exchange.ReceiveAsync(socket, new byte[64]);

        time.Advance(TimeSpan.FromMilliseconds(1999));
        Assert.False(IsClosed(socket));
        time.Advance(TimeSpan.FromMilliseconds(1));

        await Assert.ThrowsAsync<SocketException>(() => receive.AsTask().WaitAsync(Bound, Token));
        Assert.True(IsClosed(socket));
        Assert.True(exchange.Disarm());
        Assert.False(exchange.Disarm()); // said once: a later failure of the same exchange is not a timeout
    }

    [Fact]
    public void TimerCallback_BeforeTheDeadline_DoesNotCloseAndWaitsOutTheRest()
    {
        // A callback queued by an earlier exchange's timer that runs after this exchange was armed,
        // or one fired a hair early, must not end this exchange.
        var time = new FakeTimeProvider();
        UdpExchange exchange = new UdpExchange.Pool(time).Rent();
        using Socket socket = Connected();
        exchange.Arm(socket, TimeSpan.FromSeconds(5));

        time.Advance(TimeSpan.FromSeconds(1));
        exchange.OnTimer();
        Assert.False(IsClosed(socket));

        time.Advance(TimeSpan.FromSeconds(3.5));
        Assert.False(IsClosed(socket));
        time.Advance(TimeSpan.FromSeconds(0.5));
        Assert.True(IsClosed(socket));
        Assert.True(exchange.Disarm());
    }

    [Fact]
    public void TimerCallback_AfterDisarm_TouchesNothing()
    {
        var time = new FakeTimeProvider();
        UdpExchange exchange = new UdpExchange.Pool(time).Rent();
        using Socket first = Connected();
        exchange.Arm(first, TimeSpan.FromSeconds(1));
        Assert.False(exchange.Disarm());

        time.Advance(TimeSpan.FromSeconds(10));
        exchange.OnTimer(); // late: the exchange it was armed for is over
        Assert.False(IsClosed(first));

        // The next exchange on the same object keeps its own full timeout.
        using Socket second = Connected();
        exchange.Arm(second, TimeSpan.FromSeconds(2));
        exchange.OnTimer();
        Assert.False(IsClosed(second));
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(IsClosed(second));
        Assert.False(IsClosed(first));
    }

    [Fact]
    public async Task Cancel_ClosesTheCurrentSocket_AndEveryLaterOneUntilReturned()
    {
        var pool = new UdpExchange.Pool(new FakeTimeProvider());
        UdpExchange exchange = pool.Rent();
        using Socket first = Connected();
        exchange.Arm(first, TimeSpan.FromSeconds(5));
        ValueTask<UdpDatagram> receive = exchange.ReceiveAsync(first, new byte[64]);

        exchange.Cancel();

        await Assert.ThrowsAsync<SocketException>(() => receive.AsTask().WaitAsync(Bound, Token));
        Assert.True(IsClosed(first));
        Assert.False(exchange.Disarm()); // canceled, not timed out

        // A cancellation between two exchanges of the same query still ends the next one at once.
        using Socket second = Connected();
        exchange.Arm(second, TimeSpan.FromSeconds(5));
        Assert.True(IsClosed(second));
        Assert.Throws<ObjectDisposedException>(() => exchange.ReceiveAsync(second, new byte[64]));
        exchange.Disarm();

        // Back in the pool, the cancellation is forgotten.
        pool.Return(exchange);
        UdpExchange again = pool.Rent();
        Assert.Same(exchange, again);
        using Socket third = Connected();
        again.Arm(third, TimeSpan.FromSeconds(5));
        Assert.False(IsClosed(third));
        Assert.False(again.Disarm());
    }

    [Fact]
    public void Pool_KeepsAtMostItsCapacity_AndReusesWhatItKeeps()
    {
        var pool = new UdpExchange.Pool(new FakeTimeProvider());
        var rented = new UdpExchange[UdpExchange.Pool.MaxCount + 10];
        for (int i = 0; i < rented.Length; i++)
        {
            rented[i] = pool.Rent();
        }

        Assert.Equal(rented.Length, rented.Distinct().Count());
        foreach (UdpExchange exchange in rented)
        {
            pool.Return(exchange);
        }

        Assert.Equal(UdpExchange.Pool.MaxCount, pool.Count);
        UdpExchange reused = pool.Rent();
        Assert.Contains(reused, rented);
        Assert.Equal(UdpExchange.Pool.MaxCount - 1, pool.Count);
    }
}
