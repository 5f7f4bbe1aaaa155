using System.Net;
using System.Net.Sockets;

namespace MxResolver.Testing;

/// <summary>
/// A loopback DNS forwarder that holds every reply for a fixed time: put it in front of Unbound (or any
/// server) to give benchmarks and tests a resolver with a known round-trip time. UDP and TCP on
/// 127.0.0.1, one free port for both; each query is forwarded at once over the same transport, and its
/// reply sent back <see cref="Delay"/> after it arrived from upstream. Queries are handled concurrently,
/// so the delay is per reply, not a queue.
/// </summary>
/// <remarks>
/// Bounded: the delay is at most <see cref="MaxDelay"/>; each upstream exchange is given
/// <see cref="UpstreamTimeout"/>; at most <see cref="MaxInFlight"/> queries are held at once (more are
/// dropped and counted in <see cref="DroppedCount"/>); <see cref="DisposeAsync"/> stops within a few seconds.
/// The delay runs on the <see cref="TimeProvider"/> given, so a test can drive it with a fake clock.
/// </remarks>
public sealed class DelayingDnsProxy : IAsyncDisposable
{
    public const int MaxInFlight = 4096;

    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);

    public static readonly TimeSpan UpstreamTimeout = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan StopBound = TimeSpan.FromSeconds(5);

    private readonly IPEndPoint _upstream;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private readonly Socket _udp;
    private readonly Socket _tcp;
    private readonly List<Task> _running = [];
    private readonly Task _udpLoop;
    private readonly Task _acceptLoop;
    private int _inFlight;
    private int _held;
    private int _forwarded;
    private int _dropped;
    private int _disposed;

    /// <summary>Starts forwarding to <paramref name="upstream"/> with every reply held for <paramref name="delay"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delay"/> is negative or over <see cref="MaxDelay"/>.</exception>
    public DelayingDnsProxy(IPEndPoint upstream, TimeSpan delay, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(upstream);
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(delay, MaxDelay);
        _upstream = upstream;
        Delay = delay;
        _time = timeProvider ?? TimeProvider.System;
        (_udp, _tcp) = ScriptedDnsServer.BindPair();
        EndPoint = (IPEndPoint)_udp.LocalEndPoint!;
        _udpLoop = Task.Run(UdpLoopAsync);
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>127.0.0.1 and the proxy's port, for UDP and TCP.</summary>
    public IPEndPoint EndPoint { get; }

    public TimeSpan Delay { get; }

    /// <summary>Replies received from upstream and now waiting out the delay.</summary>
    public int HeldCount => Volatile.Read(ref _held);

    /// <summary>Replies sent back to clients.</summary>
    public int ForwardedCount => Volatile.Read(ref _forwarded);

    /// <summary>Queries dropped because <see cref="MaxInFlight"/> were already in flight.</summary>
    public int DroppedCount => Volatile.Read(ref _dropped);

    /// <summary>Raised (on a pool thread) when a reply from upstream starts waiting out the delay.</summary>
    public event Action? ReplyHeld;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync();
        _udp.Dispose();
        _tcp.Dispose();
        Task[] tasks;
        lock (_running)
        {
            tasks = [_udpLoop, _acceptLoop, .. _running];
        }

        try
        {
            await Task.WhenAll(tasks).WaitAsync(StopBound);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or TimeoutException or IOException)
        {
            // Stopping: loops end with cancellation or disposal errors by design.
        }

        _stop.Dispose();
    }

    private async Task UdpLoopAsync()
    {
        var buffer = new byte[65535];
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _udp.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException && _stop.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                // ICMP unreachable from an earlier reply's client: keep serving.
                continue;
            }

            var query = buffer[..received.ReceivedBytes];
            var client = received.RemoteEndPoint;
            Track(async () =>
            {
                var reply = await ExchangeUdpAsync(query);
                if (reply is not null && await HoldAsync())
                {
                    // Counted before it leaves: a client that has the reply must see the count.
                    Interlocked.Increment(ref _forwarded);
                    await _udp.SendToAsync(reply, SocketFlags.None, client, _stop.Token);
                }
            });
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await _tcp.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            Track(() => ServeConnectionAsync(connection));
        }
    }

    /// <summary>One client connection: each framed query forwarded on its own upstream connection, replies
    /// written back (in whatever order they come) under a lock so frames never interleave.</summary>
    private async Task ServeConnectionAsync(Socket connection)
    {
        using var writeLock = new SemaphoreSlim(1, 1);
        await using var stream = new NetworkStream(connection, ownsSocket: true);
        var pending = new List<Task>();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                byte[] query;
                try
                {
                    query = await RawDnsClient.ReadTcpMessageAsync(stream, _stop.Token);
                }
                catch (Exception e) when (e is EndOfStreamException or IOException or OperationCanceledException or ObjectDisposedException)
                {
                    break;
                }

                pending.Add(Guarded(async () =>
                {
                    var reply = await ExchangeTcpAsync(query);
                    if (reply is not null && await HoldAsync())
                    {
                        await writeLock.WaitAsync(_stop.Token);
                        try
                        {
                            Interlocked.Increment(ref _forwarded); // before it leaves, as for UDP
                            await stream.WriteAsync(DnsMessageBuilder.FrameForTcp(reply), _stop.Token);
                        }
                        finally
                        {
                            writeLock.Release();
                        }
                    }
                }));
            }
        }
        finally
        {
            await Task.WhenAll(pending);
        }
    }

    /// <summary>Counts the reply as held, waits out the delay on the time provider; false when stopping.</summary>
    private async Task<bool> HoldAsync()
    {
        Interlocked.Increment(ref _held);
        try
        {
            // The timer exists before anyone hears of the held reply, so a fake clock advanced then fires it.
            var wait = Task.Delay(Delay, _time, _stop.Token);
            ReplyHeld?.Invoke();
            await wait;
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        finally
        {
            Interlocked.Decrement(ref _held);
        }
    }

    private async Task<byte[]?> ExchangeUdpAsync(byte[] query)
    {
        try
        {
            return await RawDnsClient.QueryUdpAsync(_upstream, query, UpstreamTimeout, _stop.Token);
        }
        catch (Exception e) when (e is TimeoutException or SocketException or OperationCanceledException)
        {
            return null;
        }
    }

    private async Task<byte[]?> ExchangeTcpAsync(byte[] query)
    {
        try
        {
            return await RawDnsClient.QueryTcpAsync(_upstream, query, UpstreamTimeout, _stop.Token);
        }
        catch (Exception e) when (e is TimeoutException or SocketException or IOException or OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Runs <paramref name="work"/> in the background unless <see cref="MaxInFlight"/> are running.</summary>
    private void Track(Func<Task> work)
    {
        if (Interlocked.Increment(ref _inFlight) > MaxInFlight)
        {
            Interlocked.Decrement(ref _inFlight);
            Interlocked.Increment(ref _dropped);
            return;
        }

        var task = Task.Run(() => Guarded(work));
        lock (_running)
        {
            _running.RemoveAll(t => t.IsCompleted);
            _running.Add(task);
        }

        _ = task.ContinueWith(_ => Interlocked.Decrement(ref _inFlight), TaskScheduler.Default);
    }

    private async Task Guarded(Func<Task> work)
    {
        try
        {
            await work();
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException or IOException)
        {
            // The client went away or we are stopping: nothing to report to anyone.
        }
    }
}
