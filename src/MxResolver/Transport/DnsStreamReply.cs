using System.Buffers;
using System.Net;
using MxResolver.Dns;

namespace MxResolver.Transport;

/// <summary>How a query over a stream transport (TCP or TLS) ended.</summary>
internal enum DnsStreamStatus
{
    /// <summary>A reply with the query's ID and question arrived; <see cref="DnsStreamResult.Reply"/> holds it.</summary>
    Answered = 0,

    /// <summary>No matching reply within the time allowed (also: a reply started but never finished).</summary>
    Timeout = 1,

    /// <summary>
    /// The connection closed or failed while the query was queued or in flight (RFC 7766 §6.2.4:
    /// a server may close at any time). The query may be sent again on another connection; the pool
    /// does so once.
    /// </summary>
    ConnectionLost = 2,

    /// <summary>No connection could be made (refused, unreachable, connect timeout).</summary>
    ConnectFailed = 3,

    /// <summary>
    /// The TLS handshake failed or the server did not authenticate (wrong name, untrusted or expired
    /// certificate, no pin matched). Fails closed: nothing is ever sent in plaintext instead.
    /// </summary>
    TlsFailed = 4,
}

/// <summary>The outcome of one query over a stream transport.</summary>
/// <remarks>
/// When <see cref="Status"/> is <see cref="DnsStreamStatus.Answered"/>, the caller owns
/// <see cref="Reply"/> and must dispose it (it holds a pooled buffer); otherwise it is <see langword="null"/>.
/// </remarks>
internal readonly struct DnsStreamResult
{
    private DnsStreamResult(DnsStreamStatus status, PooledDnsMessage? reply, string detail)
    {
        Status = status;
        Reply = reply;
        Detail = detail;
    }

    /// <summary>How the query ended.</summary>
    public DnsStreamStatus Status { get; }

    /// <summary>The reply (owned by the receiver of this result), when answered.</summary>
    public PooledDnsMessage? Reply { get; }

    /// <summary>Why it failed, for logs and exception messages; empty when answered.</summary>
    public string Detail { get; }

    /// <summary>The <see cref="DnsQueryError"/> a failure maps to, or <see langword="null"/> when answered.</summary>
    public DnsQueryError? Error => Status switch
    {
        DnsStreamStatus.Answered => null,
        DnsStreamStatus.Timeout => DnsQueryError.Timeout,
        _ => DnsQueryError.NetworkError,
    };

    /// <summary>An answered result that hands <paramref name="reply"/> to the receiver.</summary>
    public static DnsStreamResult Answered(PooledDnsMessage reply) => new(DnsStreamStatus.Answered, reply, string.Empty);

    /// <summary>A failed result.</summary>
    public static DnsStreamResult Failed(DnsStreamStatus status, string detail) => new(status, null, detail);
}

/// <summary>
/// A DNS message in a pooled buffer: one rented from <see cref="ArrayPool{T}.Shared"/>, or one that
/// belongs to a reusable owner (a pipelined connection's query, which hands out the same message
/// object for each of its replies). Whoever holds it disposes it once, after which
/// <see cref="Memory"/> must not be touched.
/// </summary>
internal sealed class PooledDnsMessage : IDisposable
{
    private readonly IOwner? _owner;
    private byte[]? _buffer;
    private int _length;

    /// <summary>Takes ownership of <paramref name="buffer"/> (rented from the shared pool).</summary>
    internal PooledDnsMessage(byte[] buffer, int length, IPEndPoint server, TimeSpan roundTripTime)
    {
        _buffer = buffer;
        _length = length;
        Server = server;
        RoundTripTime = roundTripTime;
    }

    /// <summary>A message that <paramref name="owner"/> fills with <see cref="Set"/> for each reply and takes back on <see cref="Dispose"/>.</summary>
    internal PooledDnsMessage(IOwner owner)
    {
        _owner = owner;
        Server = new IPEndPoint(IPAddress.None, 0);
    }

    /// <summary>The reusable holder of a message's buffer.</summary>
    internal interface IOwner
    {
        /// <summary>The holder of the message disposed it: <paramref name="buffer"/> (the one given to <see cref="Set"/>) is the owner's again.</summary>
        void Released(byte[] buffer);
    }

    /// <summary>The message bytes (no length prefix).</summary>
    /// <exception cref="ObjectDisposedException">After <see cref="Dispose"/>.</exception>
    public ReadOnlyMemory<byte> Memory => (_buffer ?? throw new ObjectDisposedException(nameof(PooledDnsMessage))).AsMemory(0, _length);

    /// <summary>The message bytes as a span.</summary>
    public ReadOnlySpan<byte> Span => Memory.Span;

    /// <summary>The server that sent the message.</summary>
    public IPEndPoint Server { get; private set; }

    /// <summary>From the moment the query was queued for sending to the moment its reply was complete.</summary>
    public TimeSpan RoundTripTime { get; private set; }

    /// <summary>Fills an owner's message with its next reply.</summary>
    internal void Set(byte[] buffer, int length, IPEndPoint server, TimeSpan roundTripTime)
    {
        _length = length;
        Server = server;
        RoundTripTime = roundTripTime;
        Volatile.Write(ref _buffer, buffer);
    }

    /// <summary>Gives the buffer back (to the shared pool, or to the owner). Safe to call twice.</summary>
    public void Dispose()
    {
        byte[]? buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is null)
        {
            return;
        }

        if (_owner is null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        else
        {
            _owner.Released(buffer);
        }
    }
}

/// <summary>
/// A transport for DNS over persistent streams (TCP, TLS): the small surface
/// <see cref="DnsStubClient"/> needs, implemented by <see cref="DnsConnectionPool"/>.
/// </summary>
internal interface IDnsStreamTransport
{
    /// <summary>Sends one query to <paramref name="server"/> and waits for its reply.</summary>
    /// <param name="server">The server and how to reach it (<see cref="DnsTransport.Udp"/> entries are asked over TCP).</param>
    /// <param name="query">
    /// A complete DNS query message with exactly one question (as <see cref="DnsQueryWriter"/> writes
    /// it), without a length prefix. Copied before the call returns its task; the caller may reuse the
    /// memory at once. Its ID is replaced on the wire by one unique on the connection, and the reply's
    /// ID is set back to the caller's, so the caller matches the reply as it would over UDP.
    /// </param>
    /// <param name="timeout">How long the whole query may take, connecting and one re-send included.</param>
    /// <param name="cancellationToken">Stops waiting; the connection stays usable for other queries.</param>
    /// <returns>The reply (owned by the caller, to dispose) or why there is none.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    /// <exception cref="ArgumentException"><paramref name="query"/> is not a query with one question.</exception>
    ValueTask<DnsStreamResult> QueryAsync(NameServerEndpoint server, ReadOnlyMemory<byte> query, TimeSpan timeout, CancellationToken cancellationToken);
}
