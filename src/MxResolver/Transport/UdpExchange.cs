using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks.Sources;

namespace MxResolver.Transport;

/// <summary>
/// The reusable parts of a UDP exchange: the receive operation and the timer that bounds it. One
/// query takes one from its client's pool and gives it back at the end, so the per-query cost is
/// the fresh socket alone (RFC 5452 §9.2 wants a new source port per query): no awaitable, no
/// cancellation source and no timer is allocated for it.
/// </summary>
/// <remarks>
/// <para>
/// A timeout, or the caller's cancellation, closes the exchange's socket; the pending receive then
/// completes with an error and <see cref="Disarm"/> says which of the two happened. The socket is
/// only ever closed while this object still refers to it, under <see cref="_gate"/>, so a late
/// timer never touches a later exchange's socket.
/// </para>
/// <para>
/// A timer callback can run late (queued just before <see cref="Disarm"/> stopped the timer) or a
/// hair early (timers have millisecond granularity): it acts only when the exchange's own deadline
/// has passed on <see cref="TimeProvider"/>'s clock, and otherwise re-arms itself for the rest.
/// </para>
/// </remarks>
internal sealed class UdpExchange : SocketAsyncEventArgs, IValueTaskSource<UdpDatagram>
{
    private readonly TimeProvider _time;
    private readonly ITimer _timer;
    private readonly object _gate = new();
    private ManualResetValueTaskSourceCore<UdpDatagram> _completion;
    private int _bufferLength;
    private Socket? _socket;
    private long _deadline;
    private bool _timedOut;
    private bool _canceled; // sticky from the caller's cancellation until the exchange goes back to the pool

    private UdpExchange(TimeProvider time)
        : base(unsafeSuppressExecutionContextFlow: true)
    {
        _time = time;
        _timer = time.CreateTimer(static state => ((UdpExchange)state!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>
    /// Starts bounding <paramref name="socket"/>'s exchange by <paramref name="timeout"/>. If the
    /// caller canceled since the exchange was rented, closes the socket at once.
    /// </summary>
    public void Arm(Socket socket, TimeSpan timeout)
    {
        bool canceled;
        lock (_gate)
        {
            _socket = socket;
            _timedOut = false;
            _deadline = _time.GetTimestamp() + (long)(timeout.TotalSeconds * _time.TimestampFrequency);
            canceled = _canceled;
        }

        if (canceled)
        {
            socket.Dispose();
            return;
        }

        _timer.Change(timeout, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The caller canceled: closes the current socket, if any, and every later one armed before the exchange goes back to the pool.</summary>
    public void Cancel()
    {
        Socket? socket;
        lock (_gate)
        {
            socket = _socket;
            _canceled = true;
        }

        socket?.Dispose();
    }

    /// <summary>Stops the timer and forgets the socket; says whether the timeout closed it (once: a second call says no).</summary>
    /// <returns><see langword="true"/> if the timeout fired (and not a cancellation first).</returns>
    public bool Disarm()
    {
        _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        lock (_gate)
        {
            bool timedOut = _timedOut && !_canceled;
            _socket = null;
            _timedOut = false;
            return timedOut;
        }
    }

    /// <summary>Waits for one datagram on the armed socket.</summary>
    /// <returns>
    /// The bytes of the datagram that fit in <paramref name="buffer"/>, and whether the datagram was
    /// longer than that: a cut datagram is never a whole message.
    /// </returns>
    /// <exception cref="SocketException">The receive failed (also when the timeout or cancellation closed the socket).</exception>
    /// <exception cref="ObjectDisposedException">The socket was closed before the receive started.</exception>
    public ValueTask<UdpDatagram> ReceiveAsync(Socket socket, Memory<byte> buffer)
    {
        _completion.Reset();
        SetBuffer(buffer);
        _bufferLength = buffer.Length;

        // SocketFlags is both what the receive asks for and what it reports: an earlier datagram
        // cut to the buffer leaves Truncated (MSG_TRUNC) in it, and passed back in, that flag makes
        // the kernel return a datagram's real length instead of the part that fits.
        SocketFlags = SocketFlags.None;
        if (socket.ReceiveAsync(this))
        {
            return new ValueTask<UdpDatagram>(this, _completion.Version);
        }

        return SocketError == SocketError.Success
            ? new ValueTask<UdpDatagram>(Received())
            : ValueTask.FromException<UdpDatagram>(new SocketException((int)SocketError));
    }

    /// <summary>The completed receive: never more than the buffer, and cut when the datagram did not fit.</summary>
    private UdpDatagram Received()
    {
        int received = BytesTransferred;
        bool cut = (SocketFlags & SocketFlags.Truncated) != 0 || received > _bufferLength;
        return new UdpDatagram(Math.Min(received, _bufferLength), cut);
    }

    /// <inheritdoc/>
    protected override void OnCompleted(SocketAsyncEventArgs e)
    {
        if (SocketError == SocketError.Success)
        {
            _completion.SetResult(Received());
        }
        else
        {
            _completion.SetException(new SocketException((int)SocketError));
        }
    }

    UdpDatagram IValueTaskSource<UdpDatagram>.GetResult(short token) => _completion.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<UdpDatagram>.GetStatus(short token) => _completion.GetStatus(token);

    void IValueTaskSource<UdpDatagram>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
        => _completion.OnCompleted(continuation, state, token, flags);

    /// <summary>The timer's callback; internal so tests can play a late or early one.</summary>
    internal void OnTimer()
    {
        Socket? socket;
        lock (_gate)
        {
            socket = _socket;
            if (socket is null)
            {
                return; // disarmed: a late callback of an earlier exchange
            }

            long left = _deadline - _time.GetTimestamp();
            if (left > 0)
            {
                // Early, or a late callback from before this exchange re-armed the timer: wait out the rest.
                _timer.Change(TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond, (long)((double)left / _time.TimestampFrequency * TimeSpan.TicksPerSecond))), Timeout.InfiniteTimeSpan);
                return;
            }

            _timedOut = true;
        }

        socket.Dispose();
    }

    /// <summary>A bounded pool of exchanges sharing one clock.</summary>
    internal sealed class Pool(TimeProvider time)
    {
        // Beyond the bound, extra exchanges are created and dropped (their timers disposed) instead of kept.
        private readonly BoundedPool<UdpExchange> _items = new();

        /// <summary>How many exchanges wait in the pool.</summary>
        public int Count => _items.Count;

        /// <summary>The most exchanges the pool keeps.</summary>
        public static int MaxCount => BoundedPool<UdpExchange>.DefaultCapacity;

        public UdpExchange Rent()
        {
            if (_items.TryRent(out UdpExchange? exchange))
            {
                exchange._canceled = false; // no registration refers to it any more (see DnsStubClient)
                return exchange;
            }

            return new UdpExchange(time);
        }

        public void Return(UdpExchange exchange)
        {
            exchange.SetBuffer(Memory<byte>.Empty);
            exchange.SocketFlags = SocketFlags.None;
            if (!_items.TryReturn(exchange))
            {
                exchange._timer.Dispose();
                exchange.Dispose();
            }
        }
    }
}

/// <summary>What one UDP receive got.</summary>
/// <param name="Length">The bytes received, at most the buffer's length.</param>
/// <param name="Truncated">Whether the datagram was longer than the buffer and was cut to it.</param>
internal readonly record struct UdpDatagram(int Length, bool Truncated);
