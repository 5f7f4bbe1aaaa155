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
internal sealed class PipelinedDnsConnection : IAsyncDisposable
{
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
    private readonly SemaphoreSlim _slots;
    private readonly Channel<PendingQuery> _sendQueue = Channel.CreateUnbounded<PendingQuery>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = false, AllowSynchronousContinuations = false });
    private readonly CancellationTokenSource _closing = new();
    private readonly ITimer _idleTimer;
    private readonly byte[] _random = new byte[256];
    private readonly bool _quickAck;
    private Task _reader = Task.CompletedTask;
    private Task _writer = Task.CompletedTask;
    private int _randomPosition;
    private int _active;
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
        _slots = new SemaphoreSlim(options.MaxInFlightPerConnection, int.MaxValue);
        _quickAck = options.QuickAck && OperatingSystem.IsLinux() && stream is NetworkStream;
        _idleTimer = _time.CreateTimer(static s => ((PipelinedDnsConnection)s!).OnIdleTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The server this connection talks to.</summary>
    public NameServerEndpoint Server { get; }

    /// <summary>Queries inside <see cref="QueryAsync"/> (waiting for a slot, queued or in flight): the pool's load measure.</summary>
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

    /// <summary>Sends <paramref name="query"/> on this connection and waits for its reply.</summary>
    /// <param name="query">A query with exactly one question, no length prefix; copied before the first await. Its ID is replaced on the wire and restored in the reply.</param>
    /// <param name="cancellationToken">Stops waiting for this query only.</param>
    /// <returns><see cref="DnsStreamStatus.Answered"/> with the reply, or <see cref="DnsStreamStatus.ConnectionLost"/>.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    /// <exception cref="ArgumentException"><paramref name="query"/> is not a DNS query with one question.</exception>
    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    public async ValueTask<DnsStreamResult> QueryAsync(ReadOnlyMemory<byte> query, CancellationToken cancellationToken)
    {
        int questionLength = GetQuestionLength(query.Span);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (_closeReason is not null)
            {
                return Lost(_closeReason);
            }

            if (_active++ == 0)
            {
                _idleTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            }
        }

        // Copy now: the caller's memory is only promised until the first await.
        var pending = new PendingQuery(this, query.Span, questionLength, _options.RequestKeepalive);
        bool slot = false;
        bool handedToWriter = false;
        try
        {
            if (!_slots.Wait(0))
            {
                using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closing.Token);
                try
                {
                    await _slots.WaitAsync(either.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    return Lost(CloseReason ?? "closed");
                }
            }

            slot = true;
            lock (_lock)
            {
                if (_closeReason is not null)
                {
                    return Lost(_closeReason);
                }

                pending.Id = NewUniqueId();
                _inFlight.Add(pending.Id, pending);
            }

            // The slot now belongs to the entry: whoever removes it from the table releases it.
            slot = false;
            pending.Queued = _time.GetTimestamp();

            // If closed between the check and the write, Close has completed the entry already.
            handedToWriter = _sendQueue.Writer.TryWrite(pending);

            using (cancellationToken.UnsafeRegister(static s => ((PendingQuery)s!).Cancel(), pending))
            {
                return await pending.Task.ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        finally
        {
            if (slot)
            {
                _slots.Release();
            }

            if (!handedToWriter)
            {
                pending.ReturnFrame();
            }

            lock (_lock)
            {
                if (--_active == 0)
                {
                    ArmIdleTimer();
                }
            }
        }
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

        // _closing and _slots are left to the collector: a late cancellation callback may still
        // touch them, and neither holds an unmanaged resource here.
    }

    /// <summary>Ends the connection; idempotent. Every queued or in-flight query ends with ConnectionLost.</summary>
    internal void Close(string reason)
    {
        PendingQuery[] orphans;
        lock (_lock)
        {
            if (_closeReason is not null)
            {
                return;
            }

            _closeReason = reason;
            orphans = [.. _inFlight.Values];
            _inFlight.Clear();
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
            CancellationToken closing = _closing.Token;
            while (await queue.WaitToReadAsync(closing).ConfigureAwait(false))
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

                        next.ReturnFrame();
                        continue;
                    }

                    queue.TryRead(out _);
                    if (!next.IsCompleted)
                    {
                        next.Frame.Span.CopyTo(batch.AsSpan(used));
                        used += next.FrameLength;
                    }

                    next.ReturnFrame();
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
                left.ReturnFrame();
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

            _inFlight.Remove(id);
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

        byte[] copy = ArrayPool<byte>.Shared.Rent(message.Length);
        message.CopyTo(copy);
        BinaryPrimitives.WriteUInt16BigEndian(copy, match.CallerId);
        var reply = new PooledDnsMessage(copy, message.Length, Server.EndPoint, _time.GetElapsedTime(match.Queued));
        if (!match.Complete(DnsStreamResult.Answered(reply)))
        {
            reply.Dispose();
        }
    }

    /// <summary>One query on this connection: its frame until sent, its question, and its completion.</summary>
    private sealed class PendingQuery
    {
        private readonly PipelinedDnsConnection _owner;
        private readonly TaskCompletionSource<DnsStreamResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly byte[] _question;
        private byte[]? _frame;
        private int _completed;
        private ushort _id;

        public PendingQuery(PipelinedDnsConnection owner, ReadOnlySpan<byte> query, int questionLength, bool requestKeepalive)
        {
            _owner = owner;
            CallerId = BinaryPrimitives.ReadUInt16BigEndian(query);
            _question = query.Slice(DnsHeader.Size, questionLength).ToArray();
            _frame = ArrayPool<byte>.Shared.Rent(2 + query.Length + EdnsTcpKeepalive.RequestLength);
            int length = requestKeepalive ? EdnsTcpKeepalive.TryAppendRequest(query, _frame.AsSpan(2)) : 0;
            if (length == 0)
            {
                query.CopyTo(_frame.AsSpan(2));
                length = query.Length;
            }

            BinaryPrimitives.WriteUInt16BigEndian(_frame, (ushort)length);
            FrameLength = 2 + length;
        }

        public ushort CallerId { get; }

        /// <summary>The ID on the wire; written into the frame when set.</summary>
        public ushort Id
        {
            get => _id;
            set
            {
                _id = value;
                BinaryPrimitives.WriteUInt16BigEndian(_frame.AsSpan(2), value);
            }
        }

        public long Queued { get; set; }

        public int FrameLength { get; }

        public ReadOnlyMemory<byte> Frame => _frame.AsMemory(0, FrameLength);

        public bool IsCompleted => Volatile.Read(ref _completed) != 0;

        public Task<DnsStreamResult> Task => _completion.Task;

        /// <summary>Whether <paramref name="reply"/> carries this query's question: one question, same name (ASCII case-insensitive), type and class.</summary>
        public bool IsAnsweredBy(ReadOnlySpan<byte> reply)
        {
            if (BinaryPrimitives.ReadUInt16BigEndian(reply[4..]) != 1 || reply.Length < DnsHeader.Size + _question.Length)
            {
                return false;
            }

            // The name (uncompressed in both: a question's name is the first in the message) is compared
            // with ASCII letters folded (RFC 4343); the length bytes (≤ 63) are never letters. Type and
            // class are compared exactly.
            ReadOnlySpan<byte> theirs = reply.Slice(DnsHeader.Size, _question.Length);
            int nameLength = _question.Length - 4;
            for (int i = 0; i < nameLength; i++)
            {
                int a = _question[i];
                int b = theirs[i];
                if (a != b && ((uint)((a | 0x20) - 'a') > 'z' - 'a' || (a | 0x20) != (b | 0x20)))
                {
                    return false;
                }
            }

            return theirs[nameLength..].SequenceEqual(_question.AsSpan(nameLength));
        }

        /// <summary>Completes the query once; releases its slot. False if it was already completed.</summary>
        public bool Complete(DnsStreamResult result)
        {
            if (Interlocked.Exchange(ref _completed, 1) != 0)
            {
                return false;
            }

            _owner._slots.Release();
            _completion.TrySetResult(result);
            return true;
        }

        public void Cancel()
        {
            lock (_owner._lock)
            {
                if (_owner._inFlight.TryGetValue(_id, out PendingQuery? current) && ReferenceEquals(current, this))
                {
                    _owner._inFlight.Remove(_id);
                }
                else
                {
                    return; // answered or lost already
                }
            }

            if (Interlocked.Exchange(ref _completed, 1) == 0)
            {
                _owner._slots.Release();
                _completion.TrySetCanceled();
            }
        }

        public void ReturnFrame()
        {
            byte[]? frame = Interlocked.Exchange(ref _frame, null);
            if (frame is not null)
            {
                ArrayPool<byte>.Shared.Return(frame);
            }
        }
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
