using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Threading.Tasks.Sources;
using MxResolver.Dns;

namespace MxResolver.Transport;

internal sealed partial class PipelinedDnsConnection
{
    /// <summary>Where a query stands; read and written under the connection's lock.</summary>
    private enum QueryState
    {
        /// <summary>Not yet placed (or back in the pool).</summary>
        Idle,

        /// <summary>Every slot is taken: in line for one.</summary>
        WaitingForSlot,

        /// <summary>In the table under its wire ID, sent or about to be.</summary>
        InFlight,

        /// <summary>Withdrawn: answered, lost, canceled or timed out; its completion is on its way.</summary>
        Done,
    }

    /// <summary>
    /// One query on this connection: its frame, its question, its deadline timer, its reply and its
    /// completion. Reused for a later query once every holder has let it go: the caller (until it
    /// has the result, or until it disposes the reply), the writer (until it has sent or skipped the
    /// frame) and the line for a slot (until the query leaves it), so per query nothing is allocated.
    /// </summary>
    /// <remarks>
    /// Whoever withdraws the query from the table or the line (the reader with the reply, the timer,
    /// the caller's cancellation, <see cref="Close"/>) completes it, exactly once. The completion runs
    /// the caller's continuation on the thread pool, never on the reader's loop. A late timer callback
    /// from an earlier use acts only once this use's own deadline has passed.
    /// </remarks>
    private sealed class PendingQuery : IValueTaskSource<DnsStreamResult>, IThreadPoolWorkItem, PooledDnsMessage.IOwner
    {
        // Room for the largest query the writer makes, its length prefix and a keepalive request.
        private const int OwnFrameLength = 2 + DnsQueryWriter.MaxQueryLength + EdnsTcpKeepalive.RequestLength;

        // Replies up to this size (nearly all) go into the query's own buffer; larger ones into a rented one.
        private const int OwnReplyLength = 512;

        private readonly PipelinedDnsConnection _owner;
        private readonly ITimer _timer;
        private readonly byte[] _ownFrame = new byte[OwnFrameLength];
        private readonly PooledDnsMessage _reply;
        private byte[] _frame;
        private byte[]? _ownReply;
        private ManualResetValueTaskSourceCore<DnsStreamResult> _completion;
        private DnsStreamResult _result;
        private Exception? _exception;
        private int _completed;
        private int _references;
        private int _questionLength;
        private ushort _id;
        private bool _timerUsed;
        private bool _armed; // under the owner's lock
        private long _deadline; // under the owner's lock

        public PendingQuery(PipelinedDnsConnection owner)
        {
            _owner = owner;
            _frame = _ownFrame;
            _reply = new PooledDnsMessage(this);
            _timer = owner._time.CreateTimer(static s => ((PendingQuery)s!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        /// <summary>Under the owner's lock.</summary>
        public QueryState State { get; set; }

        public ushort CallerId { get; private set; }

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

        public int FrameLength { get; private set; }

        public ReadOnlyMemory<byte> Frame => _frame.AsMemory(0, FrameLength);

        public bool IsCompleted => Volatile.Read(ref _completed) != 0;

        /// <summary>Takes <paramref name="query"/> (copied into the frame, with a keepalive request if asked): one holder, the caller.</summary>
        public void Start(ReadOnlySpan<byte> query, int questionLength, bool requestKeepalive)
        {
            _references = 1;
            _completed = 0;
            _timerUsed = false;
            State = QueryState.Idle;
            CallerId = BinaryPrimitives.ReadUInt16BigEndian(query);
            _questionLength = questionLength;
            int room = 2 + query.Length + EdnsTcpKeepalive.RequestLength;
            _frame = room <= _ownFrame.Length ? _ownFrame : ArrayPool<byte>.Shared.Rent(room);
            int length = requestKeepalive ? EdnsTcpKeepalive.TryAppendRequest(query, _frame.AsSpan(2)) : 0;
            if (length == 0)
            {
                query.CopyTo(_frame.AsSpan(2));
                length = query.Length;
            }

            BinaryPrimitives.WriteUInt16BigEndian(_frame, (ushort)length);
            FrameLength = 2 + length;
        }

        /// <summary>Whether <paramref name="reply"/> carries this query's question: one question, same name (ASCII case-insensitive), type and class.</summary>
        public bool IsAnsweredBy(ReadOnlySpan<byte> reply)
        {
            if (BinaryPrimitives.ReadUInt16BigEndian(reply[4..]) != 1 || reply.Length < DnsHeader.Size + _questionLength)
            {
                return false;
            }

            // The name (uncompressed in both: a question's name is the first in the message) is compared
            // with ASCII letters folded (RFC 4343); the length bytes (≤ 63) are never letters. Type and
            // class are compared exactly.
            ReadOnlySpan<byte> ours = _frame.AsSpan(2 + DnsHeader.Size, _questionLength);
            ReadOnlySpan<byte> theirs = reply.Slice(DnsHeader.Size, _questionLength);
            int nameLength = _questionLength - 4;
            for (int i = 0; i < nameLength; i++)
            {
                int a = ours[i];
                int b = theirs[i];
                if (a != b && ((uint)((a | 0x20) - 'a') > 'z' - 'a' || (a | 0x20) != (b | 0x20)))
                {
                    return false;
                }
            }

            return theirs[nameLength..].SequenceEqual(ours[nameLength..]);
        }

        /// <summary>A second holder (the writer, or the line for a slot).</summary>
        public void AddReference() => Interlocked.Increment(ref _references);

        /// <summary>A holder lets go; the last one puts the query back in its connection's pool.</summary>
        public void Release()
        {
            if (Interlocked.Decrement(ref _references) != 0)
            {
                return;
            }

            if (!ReferenceEquals(_frame, _ownFrame))
            {
                ArrayPool<byte>.Shared.Return(_frame);
                _frame = _ownFrame;
            }

            _completion.Reset();
            _result = default;
            _exception = null;
            _owner.ReturnQuery(this);
        }

        public ValueTask<DnsStreamResult> WaitAsync() => new(this, _completion.Version);

        /// <summary>Starts the timer for <paramref name="deadline"/> (none for <see cref="NoDeadline"/>).</summary>
        public void Arm(long deadline)
        {
            if (deadline == NoDeadline)
            {
                return;
            }

            TimeSpan left = _owner.Remaining(deadline);
            lock (_owner._lock)
            {
                _armed = true;
                _deadline = deadline;
            }

            _timerUsed = true;
            _timer.Change(left, Timeout.InfiniteTimeSpan);
        }

        /// <summary>Stops the timer; a callback already on its way then does nothing.</summary>
        public void Disarm()
        {
            if (!_timerUsed)
            {
                return;
            }

            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            lock (_owner._lock)
            {
                _armed = false;
            }
        }

        public void DisposeTimer() => _timer.Dispose();

        /// <summary>Completes the query with <paramref name="result"/>, unless it is completed already.</summary>
        public void Complete(DnsStreamResult result)
        {
            if (Claim())
            {
                _result = result;
                ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
            }
        }

        /// <summary>Completes the query with a copy of <paramref name="message"/>, its ID set back to the caller's.</summary>
        public void CompleteWithReply(ReadOnlySpan<byte> message, IPEndPoint server, TimeSpan roundTripTime)
        {
            if (!Claim())
            {
                return;
            }

            byte[] buffer = message.Length <= OwnReplyLength ? _ownReply ??= new byte[OwnReplyLength] : ArrayPool<byte>.Shared.Rent(message.Length);
            message.CopyTo(buffer);
            BinaryPrimitives.WriteUInt16BigEndian(buffer, CallerId);
            _reply.Set(buffer, message.Length, server, roundTripTime);
            _result = DnsStreamResult.Answered(_reply);
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }

        /// <summary>The caller's cancellation: withdraws the query (freeing its slot and ID) and completes it canceled.</summary>
        public void Cancel()
        {
            lock (_owner._lock)
            {
                if (!_owner.Withdraw(this))
                {
                    return; // answered, lost or timed out already
                }
            }

            if (Claim())
            {
                _exception = new OperationCanceledException();
                ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
            }
        }

        void IThreadPoolWorkItem.Execute()
        {
            // Runs the caller's continuation here. Nothing may touch the query after this: the caller
            // may already have let it go, and another query may have it.
            if (_exception is { } exception)
            {
                _completion.SetException(exception);
            }
            else
            {
                _completion.SetResult(_result);
            }
        }

        DnsStreamResult IValueTaskSource<DnsStreamResult>.GetResult(short token) => _completion.GetResult(token);

        ValueTaskSourceStatus IValueTaskSource<DnsStreamResult>.GetStatus(short token) => _completion.GetStatus(token);

        void IValueTaskSource<DnsStreamResult>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
            => _completion.OnCompleted(continuation, state, token, flags);

        void PooledDnsMessage.IOwner.Released(byte[] buffer)
        {
            if (!ReferenceEquals(buffer, _ownReply))
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            Release(); // the caller's hold, which went with the reply
        }

        private bool Claim() => Interlocked.Exchange(ref _completed, 1) == 0;

        private void OnTimer()
        {
            lock (_owner._lock)
            {
                if (!_armed)
                {
                    return; // disarmed: a late callback of an earlier use
                }

                long left = _deadline - _owner._time.GetTimestamp();
                if (left > 0)
                {
                    // Early (timers have millisecond granularity), or a late callback from before this use re-armed the timer.
                    _timer.Change(_owner.Remaining(_deadline), Timeout.InfiniteTimeSpan);
                    return;
                }

                _armed = false;
                if (!_owner.Withdraw(this))
                {
                    return;
                }
            }

            Complete(TimedOut);
        }
    }
}
