using System.Net;
using System.Net.Sockets;

namespace MxResolver.Testing;

/// <summary>
/// A fake, possibly hostile DNS server on real sockets: UDP and TCP on 127.0.0.1, same random free port.
/// Every received query is recorded and handed to the script, whose <see cref="ScriptedResponse"/> says
/// what to send back. Replies run concurrently with further receiving, so delays never block other
/// queries. Everything is cancellable; <see cref="DisposeAsync"/> stops it within a few seconds at worst.
/// </summary>
public sealed class ScriptedDnsServer : IAsyncDisposable
{
    private static readonly TimeSpan StopBound = TimeSpan.FromSeconds(5);

    private readonly Func<ScriptedQuery, ScriptedResponse> _script;
    private readonly CancellationTokenSource _stop = new();
    private readonly Socket _udp;
    private readonly Socket _tcp;
    private readonly List<ScriptedQuery> _received = [];
    private readonly List<Exception> _scriptErrors = [];
    private readonly List<Task> _running = [];
    private readonly List<Socket> _connections = [];
    private readonly Task _udpLoop;
    private readonly Task _acceptLoop;
    private int _udpCount;
    private int _tcpCount;
    private int _tcpConnections;
    private int _sentReplies;
    private int _disposed;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Binds UDP and TCP on 127.0.0.1 (one free port for both) and starts serving.</summary>
    public ScriptedDnsServer(Func<ScriptedQuery, ScriptedResponse> script)
    {
        ArgumentNullException.ThrowIfNull(script);
        _script = script;
        (_udp, _tcp) = BindPair();
        EndPoint = (IPEndPoint)_udp.LocalEndPoint!;
        _udpLoop = Task.Run(UdpLoopAsync);
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>127.0.0.1 and the port, for UDP and TCP.</summary>
    public IPEndPoint EndPoint { get; }

    public int UdpQueryCount => Volatile.Read(ref _udpCount);

    public int TcpQueryCount => Volatile.Read(ref _tcpCount);

    /// <summary>TCP connections accepted so far.</summary>
    public int TcpConnectionCount => Volatile.Read(ref _tcpConnections);

    /// <summary>TCP connections open now: accepted and not yet closed by the client (or by the script).</summary>
    public int OpenTcpConnectionCount
    {
        get
        {
            lock (_running)
            {
                return _connections.Count;
            }
        }
    }

    /// <summary>Waits until no TCP connection is open, bounded by <paramref name="timeout"/>.</summary>
    public Task<bool> WaitForNoOpenConnectionsAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        WaitUntilAsync(() => OpenTcpConnectionCount == 0, timeout, cancellationToken);

    /// <summary>A snapshot of every query received, in arrival order.</summary>
    public IReadOnlyList<ScriptedQuery> ReceivedQueries
    {
        get
        {
            lock (_received)
            {
                return [.. _received];
            }
        }
    }

    /// <summary>Exceptions thrown by the script or while sending; a test can assert this is empty.</summary>
    public IReadOnlyList<Exception> ScriptErrors
    {
        get
        {
            lock (_scriptErrors)
            {
                return [.. _scriptErrors];
            }
        }
    }

    /// <summary>Replies written to a socket so far (UDP datagrams sent, TCP replies written whole).</summary>
    public int SentReplyCount => Volatile.Read(ref _sentReplies);

    /// <summary>Waits until at least <paramref name="count"/> queries arrived in total; false after <paramref name="timeout"/>.</summary>
    public Task<bool> WaitForQueriesAsync(int count, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        WaitUntilAsync(() => UdpQueryCount + TcpQueryCount >= count, timeout, cancellationToken);

    /// <summary>Waits until at least <paramref name="count"/> replies were sent (<see cref="SentReplyCount"/>); false after <paramref name="timeout"/>.</summary>
    public Task<bool> WaitForRepliesAsync(int count, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        WaitUntilAsync(() => SentReplyCount >= count, timeout, cancellationToken);

    /// <summary>Wakes on every query received and reply sent (no polling), bounded by <paramref name="timeout"/>.</summary>
    private async Task<bool> WaitUntilAsync(Func<bool> condition, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(timeout);
        try
        {
            while (true)
            {
                // Take the signal before testing, so a change between the test and the wait is not missed.
                var changed = Volatile.Read(ref _changed).Task;
                if (condition())
                {
                    return true;
                }

                await changed.WaitAsync(bound.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return condition();
        }
    }

    private void Signal() =>
        Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    private void CountSent()
    {
        Interlocked.Increment(ref _sentReplies);
        Signal();
    }

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
            foreach (var connection in _connections)
            {
                connection.Dispose();
            }

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

    internal static (Socket Udp, Socket Tcp) BindPair()
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                tcp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                udp.Bind(new IPEndPoint(IPAddress.Loopback, ((IPEndPoint)tcp.LocalEndPoint!).Port));
                tcp.Listen(512);
                return (udp, tcp);
            }
            catch (SocketException)
            {
                tcp.Dispose();
                udp.Dispose();
            }
        }

        throw new InvalidOperationException("No loopback port free for both TCP and UDP after 100 tries.");
    }

    private ScriptedQuery Record(ScriptedTransport transport, byte[] message, IPEndPoint client)
    {
        var sequence = transport == ScriptedTransport.Udp
            ? Interlocked.Increment(ref _udpCount) - 1
            : Interlocked.Increment(ref _tcpCount) - 1;
        var query = new ScriptedQuery(transport, sequence, message, DnsQueryInfo.TryParse(message), client);
        lock (_received)
        {
            _received.Add(query);
        }

        Signal();
        return query;
    }

    private ScriptedResponse RunScript(ScriptedQuery query)
    {
        try
        {
            return _script(query);
        }
        catch (Exception e)
        {
            AddError(e);
            return ScriptedResponse.Nothing;
        }
    }

    private void AddError(Exception e)
    {
        lock (_scriptErrors)
        {
            _scriptErrors.Add(e);
        }
    }

    private void Track(Func<Task> work)
    {
        lock (_running)
        {
            if (_stop.IsCancellationRequested)
            {
                return;
            }

            _running.RemoveAll(t => t.IsCompleted);
            _running.Add(Task.Run(work));
        }
    }

    private async Task UdpLoopAsync()
    {
        var buffer = new byte[65535];
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _udp.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), token);
            }
            catch (SocketException) when (!token.IsCancellationRequested)
            {
                // ICMP errors from earlier replies surface here on Linux: keep listening.
                continue;
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            var client = (IPEndPoint)received.RemoteEndPoint;
            var query = Record(ScriptedTransport.Udp, buffer[..received.ReceivedBytes], client);
            var response = RunScript(query);
            if (response.Replies.Count > 0)
            {
                Track(() => SendUdpAsync(response, client, token));
            }
        }
    }

    private async Task SendUdpAsync(ScriptedResponse response, IPEndPoint client, CancellationToken token)
    {
        try
        {
            foreach (var reply in response.Replies)
            {
                if (reply.Delay > TimeSpan.Zero)
                {
                    await Task.Delay(reply.Delay, token);
                }

                if (reply.Source == ReplySource.ListeningSocket)
                {
                    await _udp.SendToAsync(reply.Message, client, token);
                    CountSent();
                    continue;
                }

                using var forger = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                forger.Bind(reply.Source == ReplySource.OtherPort
                    ? new IPEndPoint(IPAddress.Loopback, 0)
                    : new IPEndPoint(IPAddress.Parse("127.0.0.2"), EndPoint.Port));
                await forger.SendToAsync(reply.Message, client, token);
                CountSent();
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException && token.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (Exception e)
        {
            AddError(e);
        }
    }

    private async Task AcceptLoopAsync()
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await _tcp.AcceptAsync(token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            connection.NoDelay = true;
            Interlocked.Increment(ref _tcpConnections);
            lock (_running)
            {
                if (_stop.IsCancellationRequested)
                {
                    connection.Dispose();
                    return;
                }

                _connections.Add(connection);
            }

            Track(() => ServeConnectionAsync(connection, token));
        }
    }

    private async Task ServeConnectionAsync(Socket connection, CancellationToken token)
    {
        var client = (IPEndPoint)connection.RemoteEndPoint!;
        await using var stream = new NetworkStream(connection, ownsSocket: true);
        var lengthBytes = new byte[2];
        try
        {
            while (!token.IsCancellationRequested)
            {
                // RFC 1035 §4.2.2: each message is preceded by its two-byte length; a connection may carry several.
                await stream.ReadExactlyAsync(lengthBytes, token);
                var message = new byte[(lengthBytes[0] << 8) | lengthBytes[1]];
                await stream.ReadExactlyAsync(message, token);
                var query = Record(ScriptedTransport.Tcp, message, client);
                var response = RunScript(query);
                foreach (var reply in response.Replies)
                {
                    if (reply.Delay > TimeSpan.Zero)
                    {
                        await Task.Delay(reply.Delay, token);
                    }

                    var bytes = reply.FrameForTcp ? DnsMessageBuilder.FrameForTcp(reply.Message) : reply.Message;
                    if (reply.DribbleDelay > TimeSpan.Zero)
                    {
                        for (var i = 0; i < bytes.Length; i++)
                        {
                            await stream.WriteAsync(bytes.AsMemory(i, 1), token);
                            await stream.FlushAsync(token);
                            await Task.Delay(reply.DribbleDelay, token);
                        }
                    }
                    else
                    {
                        await stream.WriteAsync(bytes, token);
                    }

                    CountSent();
                }

                if (response.CloseConnection)
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // The client closed the connection, or we are stopping.
        }
        finally
        {
            lock (_running)
            {
                _connections.Remove(connection);
            }

            Signal();
        }
    }
}
