using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Threading.Channels;
using MxResolver.Dns;

namespace MxResolver.Transport;

/// <summary>
/// One long-lived DNS connection over TCP (RFC 7766) or TLS (RFC 7858) to one server, carrying many
/// queries at once. Thread-safe.
/// </summary>
/// <remarks>
/// <para>
/// Pipelining (RFC 7766 §6.2.1.1): queries are sent without waiting for earlier replies, and the
/// server may answer them in any order, so each reply is matched to its query by message ID and
/// question (name compared case-insensitively, type, class). A reply with an unknown ID, or with a
/// known ID but another question, is dropped and the query keeps waiting (as RFC 5452 §9.1 asks of
/// any reply). IDs come from <see cref="RandomNumberGenerator"/> and are unique among the queries in
/// flight on the connection (RFC 7766 §7). At most <see cref="DnsConnectionOptions.MaxInFlightPerConnection"/>
/// queries are in flight; more wait for a slot.
/// </para>
/// <para>
/// One writer task sends; whatever queries are queued when it runs go out in one write (one TCP
/// segment or TLS record for a burst, RFC 7766 §8 asks that the length and message go together). One
/// reader task reads two-byte length-prefixed messages (RFC 1035 §4.2.2) and hands over only whole
/// messages: a message cut off by the end of the connection is never delivered.
/// </para>
/// <para>
/// If the connection ends (the server closes it, RFC 7766 §6.2.4, or an error) every query queued
/// or in flight ends with <see cref="DnsStreamStatus.ConnectionLost"/>, which the pool answers by
/// sending it once more on another connection. With nothing in flight for the idle timeout
/// (<see cref="DnsConnectionOptions.IdleTimeout"/>, shortened by a server's edns-tcp-keepalive,
/// RFC 7828 §3.2.2) the client closes the connection itself (RFC 7766 §6.2.3). Canceling one query
/// frees its slot and ID and touches nothing else.
/// </para>
/// <para>
/// Delayed ACKs: a server that writes each reply with Nagle's algorithm on (Unbound does not set
/// TCP_NODELAY on accepted connections) holds back its next small reply until the previous one is
/// acknowledged; a client that has nothing to send acknowledges only when its delayed-ACK timer
/// fires (40 ms minimum on Linux). With <see cref="DnsConnectionOptions.QuickAck"/> the reader sets
/// TCP_QUICKACK after every read so each reply is acknowledged at once.
/// </para>
/// </remarks>
internal sealed partial class PipelinedDnsConnection : IAsyncDisposable
{
    /// <summary>The deadline of a query that has none.</summary>
    public const long NoDeadline = long.MaxValue;

    private const int MaxFrame = 2 + ushort.MaxValue;
    private const int SendBatchLength = 16 * 1024;
    private const int ReceiveBufferLength = MaxFrame + 32 * 1024;

    // Linux: IPPROTO_TCP = 6, TCP_QUICKACK = 12.
    private const int IpProtoTcp = 6;
    private const int TcpQuickAck = 12;
    private static readonly byte[] s_one = BitConverter.GetBytes(1);

    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly DnsConnectionOptions _options;
    private readonly TimeProvider _time;
    private readonly object _lock = new();
    private readonly Dictionary<ushort, PendingQuery> _inFlight = [];
    private readonly Queue<PendingQuery> _waitingForSlot = new();
    private readonly Channel<PendingQuery> _sendQueue = Channel.CreateUnbounded<PendingQuery>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = false, AllowSynchronousContinuations = false });
    private readonly CancellationTokenSource _closing = new();
    private readonly ITimer _idleTimer;
    private readonly byte[] _random = new byte[256];
    private readonly BoundedPool<PendingQuery> _idleQueries = new();
    private readonly bool _quickAck;
    private Task _reader = Task.CompletedTask;
    private Task _writer = Task.CompletedTask;
    private int _randomPosition;
    private int _active;
    private int _freeSlots;
    private string? _closeReason;
    private TimeSpan _idleTimeout;

    private PipelinedDnsConnection(NameServerEndpoint server, Socket socket, Stream stream, DnsConnectionOptions options)
    {
        Server = server;
        _socket = socket;
        _stream = stream;
        _options = options;
        _time = options.TimeProvider;
        _idleTimeout = options.IdleTimeout;
        _freeSlots = options.MaxInFlightPerConnection;
        _quickAck = options.QuickAck && OperatingSystem.IsLinux() && stream is NetworkStream;
        _idleTimer = _time.CreateTimer(static s => ((PipelinedDnsConnection)s!).OnIdleTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The server this connection talks to.</summary>
    public NameServerEndpoint Server { get; }

    /// <summary>Queries inside <c>QueryAsync</c> (waiting for a slot, queued or in flight): the pool's load measure.</summary>
    public int Load => Volatile.Read(ref _active);

    /// <summary>Whether the connection can take queries (not closed by either side, not failed).</summary>
    public bool IsOpen => Volatile.Read(ref _closeReason) is null;

    /// <summary>Why the connection closed, or <see langword="null"/> while open.</summary>
    public string? CloseReason => Volatile.Read(ref _closeReason);

    /// <summary>The idle timeout in force: the configured one, or the server's edns-tcp-keepalive timeout if shorter.</summary>
    public TimeSpan IdleTimeout
    {
        get
        {
            lock (_lock)
            {
                return _idleTimeout;
            }
        }
    }

    /// <summary>
    /// The bytes the server sent during the TLS handshake (0 for plain TCP): a resumed session
    /// (no certificate sent) shows as a much smaller number than a full handshake.
    /// </summary>
    internal long HandshakeBytesReceived { get; private set; }

    /// <summary>
    /// Connects to <paramref name="server"/> (TCP, then the TLS handshake for <see cref="DnsTransport.Tls"/>)
    /// and starts the reader and writer.
    /// </summary>
    /// <returns>The open connection, or the failure (<see cref="DnsStreamStatus.ConnectFailed"/> or <see cref="DnsStreamStatus.TlsFailed"/>) with a reason.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    public static async ValueTask<(PipelinedDnsConnection? Connection, DnsStreamStatus Status, string Detail)> ConnectAsync(
        NameServerEndpoint server,
        DnsConnectionOptions options,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        using var timeout = new CancellationTokenSource(options.ConnectTimeout, options.TimeProvider);
        using CancellationTokenRegistration link = cancellationToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), timeout);
        Socket? socket = new Socket(server.EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Stream? stream = null;
        try
        {
            try
            {
                await socket.ConnectAsync(server.EndPoint, timeout.Token).ConfigureAwait(false);
            }
            catch (SocketException e)
            {
                return (null, DnsStreamStatus.ConnectFailed, $"connecting to {server.EndPoint} failed: {e.SocketErrorCode}");
            }

            var network = new NetworkStream(socket, ownsSocket: true);
            stream = network;
            long handshakeBytes = 0;
            if (server.Transport == DnsTransport.Tls)
            {
                var counting = new CountingStream(network);
                var tls = new SslStream(counting, leaveInnerStreamOpen: false);
                stream = tls;
                var failure = new StrongBox<string?>();
                try
                {
                    await tls.AuthenticateAsClientAsync(options.Tls.CreateAuthenticationOptions(server, failure), timeout.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is AuthenticationException or IOException && !timeout.IsCancellationRequested)
                {
                    string detail = failure.Value ?? e.Message;
                    return (null, DnsStreamStatus.TlsFailed, $"TLS with {server.EndPoint} ({server.AuthenticationName ?? "pinned key"}) failed: {detail}");
                }

                handshakeBytes = counting.BytesRead;
                counting.StopCounting();
            }

            var connection = new PipelinedDnsConnection(server, socket, stream, options) { HandshakeBytesReceived = handshakeBytes };
            connection._reader = Task.Run(connection.ReadLoopAsync, CancellationToken.None);
            connection._writer = Task.Run(connection.WriteLoopAsync, CancellationToken.None);
            connection.ArmIdleTimer();
            stream = null;
            socket = null;
            return (connection, DnsStreamStatus.Answered, string.Empty);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, DnsStreamStatus.ConnectFailed, $"connecting to {server.EndPoint} took longer than {options.ConnectTimeout.TotalMilliseconds:0} ms");
        }
        catch (Exception e) when (e is SocketException or IOException && !cancellationToken.IsCancellationRequested)
        {
            return (null, DnsStreamStatus.ConnectFailed, $"connecting to {server.EndPoint} failed: {e.Message}");
        }
        finally
        {
            if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }

            socket?.Dispose();
        }
    }

    /// <summary>Sends <paramref name="query"/> on this connection and waits for its reply, for as long as it takes.</summary>
    /// <param name="query">A query with exactly one question, no length prefix; copied before the first await. Its ID is replaced on the wire and restored in the reply.</param>
    /// <param name="cancellationToken">Stops waiting for this query only.</param>
    /// <returns><see cref="DnsStreamStatus.Answered"/> with the reply, or <see cref="DnsStreamStatus.ConnectionLost"/>.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    /// <exception cref="ArgumentException"><paramref name="query"/> is not a DNS query with one question.</exception>
    public ValueTask<DnsStreamResult> QueryAsync(ReadOnlyMemory<byte> query, CancellationToken cancellationToken)
        => QueryAsync(query, NoDeadline, cancellationToken);

    /// <summary>Sends <paramref name="query"/> on this connection and waits for its reply until <paramref name="deadline"/>.</summary>
    /// <param name="query">A query with exactly one question, no length prefix; copied before the first await. Its ID is replaced on the wire and restored in the reply.</param>
    /// <param name="deadline">
    /// A timestamp of the connection's <see cref="TimeProvider"/>: with no reply by then, the query
    /// ends with <see cref="DnsStreamStatus.Timeout"/> (and frees its slot and ID); <see cref="NoDeadline"/> for none.
    /// </param>
    /// <param name="cancellationToken">Stops waiting for this query only.</param>
    /// <returns>
    /// <see cref="DnsStreamStatus.Answered"/> with the reply (the caller disposes it), <see cref="DnsStreamStatus.Timeout"/>
    /// or <see cref="DnsStreamStatus.ConnectionLost"/>.
    /// </returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    /// <exception cref="ArgumentException"><paramref name="query"/> is not a DNS query with one question.</exception>
    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    public async ValueTask<DnsStreamResult> QueryAsync(ReadOnlyMemory<byte> query, long deadline, CancellationToken cancellationToken)
    {
        int questionLength = GetQuestionLength(query.Span);
        cancellationToken.ThrowIfCancellationRequested();

        // Copy now: the caller's memory is only promised until the first await.
        PendingQuery pending = RentQuery(query.Span, questionLength);
        bool active = false;
        bool replyHandedOver = false;
        try
        {
            bool inFlight;
            lock (_lock)
            {
                if (_closeReason is not null)
                {
                    return Lost(_closeReason);
                }

                active = true;
                if (_active++ == 0)
                {
                    _idleTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                }

                // With every slot taken, the query waits in line (holding its place by a reference)
                // and is sent when an entry leaves the table; its deadline and cancellation apply there too.
                inFlight = _freeSlots > 0;
                if (inFlight)
                {
                    _freeSlots--;
                    Enter(pending);
                }
                else
                {
                    pending.State = QueryState.WaitingForSlot;
                    pending.AddReference();
                    _waitingForSlot.Enqueue(pending);
                }
            }

            pending.Arm(deadline);
            if (inFlight)
            {
                // The writer holds the query (its frame) until it has sent or skipped it. If closed
                // between the check and the write, Close has completed the entry already.
                pending.AddReference();
                if (!_sendQueue.Writer.TryWrite(pending))
                {
                    pending.Release();
                }
            }

            DnsStreamResult result;
            using (cancellationToken.UnsafeRegister(static s => ((PendingQuery)s!).Cancel(), pending))
            {
                result = await pending.WaitAsync().ConfigureAwait(false);
            }

            // An answer's reply is the query's own message: disposing it lets the query go.
            replyHandedOver = result.Status == DnsStreamStatus.Answered;
            return result;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        finally
        {
            pending.Disarm();
            if (!replyHandedOver)
            {
                pending.Release();
            }

            if (active)
            {
                lock (_lock)
                {
                    if (--_active == 0)
                    {
                        ArmIdleTimer();
                    }
                }
            }
        }
    }

    /// <summary>Puts a query that has a slot into the table under a fresh ID. Under <see cref="_lock"/>.</summary>
    private void Enter(PendingQuery pending)
    {
        pending.Id = NewUniqueId();
        pending.State = QueryState.InFlight;
        pending.Queued = _time.GetTimestamp();
        _inFlight.Add(pending.Id, pending);
    }

    /// <summary>
    /// Takes <paramref name="pending"/> out of the table (freeing its slot) or out of the line for a
    /// slot. Under <see cref="_lock"/>. Whoever withdraws a query completes it.
    /// </summary>
    /// <returns><see langword="false"/> if it was answered, lost, canceled or timed out already.</returns>
    private bool Withdraw(PendingQuery pending)
    {
        switch (pending.State)
        {
            case QueryState.InFlight:
                _inFlight.Remove(pending.Id);
                pending.State = QueryState.Done;
                FreeSlot();
                return true;
            case QueryState.WaitingForSlot:
                // Its place in line is skipped when reached.
                pending.State = QueryState.Done;
                return true;
            default:
                return false;
        }
    }

    /// <summary>An entry left the table: the first query still waiting in line takes its slot, or the slot is free. Under <see cref="_lock"/>.</summary>
    private void FreeSlot()
    {
        while (_waitingForSlot.TryDequeue(out PendingQuery? next))
        {
            if (next.State == QueryState.WaitingForSlot)
            {
                Enter(next);

                // The place in line becomes the writer's hold on the query.
                if (!_sendQueue.Writer.TryWrite(next))
                {
                    next.Release();
                }

                return;
            }

            next.Release();
        }

        _freeSlots++;
    }

    /// <summary>Closes the connection: queries in flight end with <see cref="DnsStreamStatus.ConnectionLost"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        Close("the connection was disposed");
        try
        {
            await Task.WhenAll(_reader, _writer).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // Ending by design.
        }

        // _closing is left to the collector: a late cancellation callback may still touch it, and
        // it holds no unmanaged resource here.
    }

    /// <summary>Ends the connection; idempotent. Every queued or in-flight query ends with ConnectionLost.</summary>
    internal void Close(string reason)
    {
        List<PendingQuery> orphans;
        PendingQuery[] line;
        lock (_lock)
        {
            if (_closeReason is not null)
            {
                return;
            }

            _closeReason = reason;
            orphans = [.. _inFlight.Values];
            _inFlight.Clear();
            line = [.. _waitingForSlot];
            _waitingForSlot.Clear();
            foreach (PendingQuery waiting in line)
            {
                if (waiting.State == QueryState.WaitingForSlot)
                {
                    orphans.Add(waiting);
                }
            }

            foreach (PendingQuery orphan in orphans)
            {
                orphan.State = QueryState.Done;
            }

            _idleTimer.Dispose();
        }

        _sendQueue.Writer.TryComplete();
        try
        {
            _closing.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Disposed concurrently: nothing left to wake.
        }

        foreach (PendingQuery orphan in orphans)
        {
            orphan.Complete(Lost(reason));
        }

        foreach (PendingQuery waiting in line)
        {
            waiting.Release(); // its place in line
        }

        // Nothing will be asked on this connection again: the idle queries' timers go now.
        while (_idleQueries.TryRent(out PendingQuery? idle))
        {
            idle.DisposeTimer();
        }

        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already gone.
        }

        _stream.Dispose();
    }

    private static DnsStreamResult Lost(string reason) => DnsStreamResult.Failed(DnsStreamStatus.ConnectionLost, reason);

    private static DnsStreamResult TimedOut => DnsStreamResult.Failed(DnsStreamStatus.Timeout, "no reply within the time allowed");

    /// <summary>The time left until <paramref name="deadline"/>: infinite for <see cref="NoDeadline"/>, zero once it passed.</summary>
    private TimeSpan Remaining(long deadline)
    {
        if (deadline == NoDeadline)
        {
            return Timeout.InfiniteTimeSpan;
        }

        long left = deadline - _time.GetTimestamp();
        return left <= 0 ? TimeSpan.Zero : TimeSpan.FromTicks(Math.Max(1, (long)((double)left / _time.TimestampFrequency * TimeSpan.TicksPerSecond)));
    }

    private PendingQuery RentQuery(ReadOnlySpan<byte> query, int questionLength)
    {
        PendingQuery pending = _idleQueries.TryRent(out PendingQuery? idle) ? idle : new PendingQuery(this);
        pending.Start(query, questionLength, _options.RequestKeepalive);
        return pending;
    }

    /// <summary>A query that has ended and been let go by all its holders: kept for the next, or its timer disposed.</summary>
    private void ReturnQuery(PendingQuery pending)
    {
        if (!IsOpen || !_idleQueries.TryReturn(pending))
        {
            pending.DisposeTimer();
        }
    }

    /// <summary>Validates a query and returns the length of its question (name, type, class) after the header.</summary>
    private static int GetQuestionLength(ReadOnlySpan<byte> query)
    {
        if (query.Length < DnsHeader.Size || query.Length > ushort.MaxValue - EdnsTcpKeepalive.RequestLength)
        {
            throw new ArgumentException("The query is shorter than a DNS header or longer than a TCP message can be.", nameof(query));
        }

        if (BinaryPrimitives.ReadUInt16BigEndian(query[4..]) != 1 || (query[2] & 0x80) != 0)
        {
            throw new ArgumentException("The query must be a query (QR clear) with exactly one question.", nameof(query));
        }

        // The question name as written by DnsQueryWriter: plain labels, no compression.
        int position = DnsHeader.Size;
        while (true)
        {
            if (position >= query.Length)
            {
                throw new ArgumentException("The query's question is cut off.", nameof(query));
            }

            int label = query[position];
            if (label == 0)
            {
                position++;
                break;
            }

            if (label > 63)
            {
                throw new ArgumentException("The query's question name must not be compressed.", nameof(query));
            }

            position += 1 + label;
        }

        if (position + 4 > query.Length)
        {
            throw new ArgumentException("The query's question is cut off.", nameof(query));
        }

        return position + 4 - DnsHeader.Size;
    }

    private void ArmIdleTimer()
    {
        // Called under _lock, or before the connection is shared.
        if (_closeReason is null && _active == 0)
        {
            _idleTimer.Change(_idleTimeout, Timeout.InfiniteTimeSpan);
        }
    }

    private void OnIdleTimer()
    {
        lock (_lock)
        {
            if (_closeReason is not null || _active != 0)
            {
                return;
            }
        }

        Close("idle for " + IdleTimeout.TotalMilliseconds.ToString("0", System.Globalization.CultureInfo.InvariantCulture) + " ms");
    }

    private ushort NewUniqueId()
    {
        // Under _lock. The table holds at most MaxInFlight (≤ 8192) entries, so a free ID turns up quickly.
        while (true)
        {
            if (_randomPosition == 0)
            {
                RandomNumberGenerator.Fill(_random);
            }

            ushort id = BinaryPrimitives.ReadUInt16LittleEndian(_random.AsSpan(_randomPosition));
            _randomPosition = (_randomPosition + 2) % _random.Length;
            if (!_inFlight.ContainsKey(id))
            {
                return id;
            }
        }
    }

    private async Task WriteLoopAsync()
    {
        byte[] batch = ArrayPool<byte>.Shared.Rent(SendBatchLength);
        ChannelReader<PendingQuery> queue = _sendQueue.Reader;
        try
        {
            // Close completes the queue, which ends the wait: no token, so the channel's one
            // reusable waiter serves every wait.
            CancellationToken closing = _closing.Token;
            while (await queue.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
            {
                int used = 0;
                while (queue.TryPeek(out PendingQuery? next))
                {
                    if (next.FrameLength > batch.Length - used)
                    {
                        if (used > 0)
                        {
                            break;
                        }

                        // Larger than a whole batch: send it by itself.
                        queue.TryRead(out _);
                        if (!next.IsCompleted)
                        {
                            await _stream.WriteAsync(next.Frame, closing).ConfigureAwait(false);
                        }

                        next.Release();
                        continue;
                    }

                    queue.TryRead(out _);
                    if (!next.IsCompleted)
                    {
                        next.Frame.Span.CopyTo(batch.AsSpan(used));
                        used += next.FrameLength;
                    }

                    next.Release();
                }

                if (used > 0)
                {
                    await _stream.WriteAsync(batch.AsMemory(0, used), closing).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            Close(IsOpen ? "sending failed: " + e.Message : CloseReason!);
        }
        finally
        {
            while (queue.TryRead(out PendingQuery? left))
            {
                left.Release();
            }

            ArrayPool<byte>.Shared.Return(batch);
        }
    }

    private async Task ReadLoopAsync()
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ReceiveBufferLength);
        int start = 0;
        int end = 0;
        string reason;
        try
        {
            CancellationToken closing = _closing.Token;
            while (true)
            {
                // Hand over every whole message in the buffer; keep a partial one for the next read.
                while (end - start >= 2)
                {
                    int length = BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(start));
                    if (end - start < 2 + length)
                    {
                        break;
                    }

                    Dispatch(buffer.AsSpan(start + 2, length));
                    start += 2 + length;
                }

                if (start == end)
                {
                    start = end = 0;
                }
                else if (start > 0)
                {
                    buffer.AsSpan(start, end - start).CopyTo(buffer);
                    end -= start;
                    start = 0;
                }

                int read = await _stream.ReadAsync(buffer.AsMemory(end), closing).ConfigureAwait(false);
                if (read == 0)
                {
                    reason = end > 0 ? "the server closed the connection in the middle of a reply" : "the server closed the connection";
                    break;
                }

                if (_quickAck)
                {
                    // Not sticky: Linux drops back to delayed ACKs, so it is set after every read.
                    try
                    {
                        _socket.SetRawSocketOption(IpProtoTcp, TcpQuickAck, s_one);
                    }
                    catch (SocketException)
                    {
                        // Best effort.
                    }
                }

                end += read;
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            reason = CloseReason ?? "receiving failed: " + e.Message;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        Close(reason);
    }

    /// <summary>Matches one whole received message to its query; anything that matches nothing is dropped.</summary>
    private void Dispatch(ReadOnlySpan<byte> message)
    {
        if (message.Length < DnsHeader.Size || (message[2] & 0x80) == 0)
        {
            return; // not a response
        }

        ushort id = BinaryPrimitives.ReadUInt16BigEndian(message);
        PendingQuery? match;
        lock (_lock)
        {
            if (!_inFlight.TryGetValue(id, out match) || !match.IsAnsweredBy(message))
            {
                return;
            }

            Withdraw(match);
        }

        if (EdnsTcpKeepalive.TryReadTimeout(message, out TimeSpan serverTimeout))
        {
            lock (_lock)
            {
                // RFC 7828 §3.2.2: do not keep an idle connection open longer than the server asks.
                if (_idleTimeout == Timeout.InfiniteTimeSpan || serverTimeout < _idleTimeout)
                {
                    _idleTimeout = serverTimeout;
                }
            }
        }

        // Whoever takes an entry out of the table completes it: the reply goes into the query's own message.
        match.CompleteWithReply(message, Server.EndPoint, _time.GetElapsedTime(match.Queued));
    }

    /// <summary>
    /// Counts the bytes read through it until told to stop (the TLS handshake's size tells a resumed
    /// session from a full one); after that, reads go straight through, with no state machine of its own.
    /// </summary>
    private sealed class CountingStream(Stream inner) : Stream
    {
        private bool _counting = true;

        public long BytesRead { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count)
        {
            int read = inner.Read(buffer, offset, count);
            BytesRead += read;
            return read;
        }

        public void StopCounting() => _counting = false;

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            => _counting ? ReadCountedAsync(buffer, cancellationToken) : inner.ReadAsync(buffer, cancellationToken);

        private async ValueTask<int> ReadCountedAsync(Memory<byte> buffer, CancellationToken cancellationToken)
        {
            int read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            BytesRead += read;
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => inner.WriteAsync(buffer, cancellationToken);

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.WriteAsync(buffer, offset, count, cancellationToken);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
