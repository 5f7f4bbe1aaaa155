using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MxResolver.Diagnostics;
using MxResolver.Dns;
using MxResolver.Transport;

namespace MxResolver;

/// <summary>
/// A DNS stub client: sends one question to recursive name servers over UDP (RFC 1035 §4.2.1),
/// falls back to TCP for truncated replies (RFC 7766), and fails over between servers and attempts.
/// Thread-safe; one instance serves any number of concurrent queries.
/// </summary>
/// <remarks>
/// <para>
/// Every exchange uses a fresh socket (so the operating system picks a random UDP source port)
/// and a transaction ID from <see cref="RandomNumberGenerator"/> (RFC 5452 §4, §9.2). A reply is
/// accepted only if it comes from the server asked, has QR set, the query's ID and the query's
/// question; anything else is discarded and the client keeps waiting (RFC 5452 §9.1), so a forged
/// packet never ends or fails a query.
/// </para>
/// <para>
/// SERVFAIL, REFUSED, NOTIMP, a malformed reply, a timeout or a network error moves on to the next
/// server or attempt; NOERROR (with or without records) and NXDOMAIN are final. See
/// <see cref="DnsStubClientOptions"/> for the timing: at worst servers × attempts × timeout, never
/// more than <see cref="DnsStubClientOptions.QueryDeadline"/>.
/// </para>
/// <para>
/// UDP servers hold no sockets between queries. TCP and DNS over TLS servers (and the TCP retries
/// after truncated UDP replies) go through persistent, pipelined connections (RFC 7766 §6.2.1.1)
/// shared by all queries; dispose the client to close them (idle ones close on their own after
/// <see cref="DnsStubClientOptions.IdleConnectionTimeout"/>).
/// </para>
/// </remarks>
public sealed partial class DnsStubClient : IDisposable, IAsyncDisposable
{
    // A TCP length prefix followed by the largest query the writer produces; UDP sends from offset 2.
    private const int QueryAreaLength = 2 + DnsQueryWriter.MaxQueryLength;

    private const int RandomPoolLength = 512;

    [ThreadStatic]
    private static byte[]? t_randomPool;

    [ThreadStatic]
    private static int t_randomPosition;

    private readonly NameServerEndpoint[] _servers;
    private readonly DnsConnectionPool _pool;
    private readonly TimeSpan _attemptTimeout;
    private readonly int _attempts;
    private readonly bool _rotate;
    private readonly bool _tcpOnly;
    private readonly ushort _udpPayloadSize;
    private readonly TimeSpan _queryDeadline;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly UdpExchange.Pool _udpExchanges;
    private readonly BoundedPool<byte[]> _buffers = new();
    private readonly bool _trustLoopbackAuthenticatedData;
    private readonly IPAddress[] _trustedAuthenticatedDataServers;
    private int _rotation = -1;

    /// <summary>Creates a client.</summary>
    /// <param name="options">The servers and timing; copied, later changes have no effect.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/>, its name server list, an entry of it, or its time provider is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A timeout, the deadline, the attempts, the payload size or a connection setting is out of range.</exception>
    /// <exception cref="ArgumentException">Both <see cref="DnsStubClientOptions.NameServers"/> and <see cref="DnsStubClientOptions.NameServerEntries"/> are set.</exception>
    /// <exception cref="FormatException">An entry of <see cref="DnsStubClientOptions.NameServerEntries"/> is malformed; the message names the part.</exception>
    /// <exception cref="InvalidOperationException">
    /// <see cref="DnsStubClientOptions.NameServers"/> is empty and the system's configuration names no
    /// name server. The client never falls back to a public resolver.
    /// </exception>
    public DnsStubClient(DnsStubClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.NameServers, nameof(options.NameServers));
        ArgumentNullException.ThrowIfNull(options.TimeProvider, nameof(options.TimeProvider));
        if (options.AttemptTimeout is TimeSpan timeout && (timeout <= TimeSpan.Zero || timeout.TotalMilliseconds > int.MaxValue))
        {
            throw new ArgumentOutOfRangeException(nameof(options.AttemptTimeout), timeout, "The attempt timeout must be positive (and under 24 days).");
        }

        if (options.AttemptsPerServer is int attempts && attempts < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options.AttemptsPerServer), attempts, "At least one attempt is needed.");
        }

        if (options.QueryDeadline != Timeout.InfiniteTimeSpan && options.QueryDeadline <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options.QueryDeadline), options.QueryDeadline, "The query deadline must be positive or infinite.");
        }

        if (options.UdpPayloadSize > ushort.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(options.UdpPayloadSize), options.UdpPayloadSize, "The UDP payload size is at most 65,535.");
        }

        ArgumentNullException.ThrowIfNull(options.NameServerEntries, nameof(options.NameServerEntries));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxConnectionsPerServer, 1, nameof(options.MaxConnectionsPerServer));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxQueriesPerConnection, 1, nameof(options.MaxQueriesPerConnection));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.MaxQueriesPerConnection, 8192, nameof(options.MaxQueriesPerConnection));
        if (options.IdleConnectionTimeout < TimeSpan.Zero && options.IdleConnectionTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(options.IdleConnectionTimeout), options.IdleConnectionTimeout, "The idle connection timeout is zero or more, or infinite.");
        }

        if (options.NameServers.Count > 0 && options.NameServerEntries.Count > 0)
        {
            throw new ArgumentException("Set either NameServers or NameServerEntries, not both.", nameof(options));
        }

        NameServerConfiguration? system = null;
        if (options.NameServerEntries.Count > 0)
        {
            _servers = new NameServerEndpoint[options.NameServerEntries.Count];
            for (int i = 0; i < _servers.Length; i++)
            {
                string entry = options.NameServerEntries[i] ?? throw new ArgumentNullException(nameof(options.NameServerEntries), "A name server entry is null.");
                _servers[i] = NameServerEndpoint.Parse(entry);
            }
        }
        else if (options.NameServers.Count == 0)
        {
            system = SystemNameServers.Load();
            _servers = [.. system.Servers.Select(static s => NameServerEndpoint.ForUdp(s))];
        }
        else
        {
            _servers = new NameServerEndpoint[options.NameServers.Count];
            for (int i = 0; i < _servers.Length; i++)
            {
                IPEndPoint server = options.NameServers[i] ?? throw new ArgumentNullException(nameof(options.NameServers), "A name server endpoint is null.");
                _servers[i] = NameServerEndpoint.ForUdp(server);
            }
        }

        _attemptTimeout = options.AttemptTimeout ?? system?.AttemptTimeout ?? DnsStubClientOptions.DefaultAttemptTimeout;
        _attempts = options.AttemptsPerServer ?? system?.Attempts ?? DnsStubClientOptions.DefaultAttemptsPerServer;
        _rotate = options.Rotate || system?.Rotate == true;
        _tcpOnly = options.UseTcpOnly || system?.UseTcpOnly == true;

        // RFC 6891 §6.2.5: values below 512 are treated as 512.
        _udpPayloadSize = (ushort)Math.Max(options.UdpPayloadSize, 512);
        _queryDeadline = options.QueryDeadline;
        _time = options.TimeProvider;
        _logger = options.Logger ?? NullLogger.Instance;
        _udpExchanges = new UdpExchange.Pool(_time);
        _trustLoopbackAuthenticatedData = options.TrustLoopbackAuthenticatedData;
        IList<IPAddress> trusted = options.TrustedAuthenticatedDataServers ?? [];
        _trustedAuthenticatedDataServers = new IPAddress[trusted.Count];
        for (int i = 0; i < trusted.Count; i++)
        {
            IPAddress address = trusted[i] ?? throw new ArgumentNullException(nameof(options.TrustedAuthenticatedDataServers), "A trusted server address is null.");
            _trustedAuthenticatedDataServers[i] = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        }


        _pool = new DnsConnectionPool(new DnsConnectionOptions
        {
            MaxConnectionsPerServer = options.MaxConnectionsPerServer,
            MaxInFlightPerConnection = options.MaxQueriesPerConnection,
            IdleTimeout = options.IdleConnectionTimeout,
            Tls = options.TlsTrustedRoots is { Count: > 0 } roots
                ? new DnsTlsClientOptions { TrustedRoots = [.. roots] }
                : DnsTlsClientOptions.Default,
            TimeProvider = _time,
        });
        Servers = Array.AsReadOnly(_servers);
        NameServers = Array.AsReadOnly(Array.ConvertAll(_servers, static s => new IPEndPoint(s.EndPoint.Address, s.EndPoint.Port)));
    }

    /// <summary>The name servers asked, in order: the configured ones or those of the system (addresses only; <see cref="DnsStubClientOptions.NameServerEntries"/> also names the transport).</summary>
    public IReadOnlyList<IPEndPoint> NameServers { get; }

    /// <summary>
    /// The name servers asked, with their transport and TLS authentication. A server with
    /// <see cref="NameServerEndpoint.IsAuthenticated"/> is reached only over authenticated DNS over
    /// TLS: the seam for trusting its AD bit (RFC 6840 §5.9 asks for a secure channel to the resolver).
    /// </summary>
    internal IReadOnlyList<NameServerEndpoint> Servers { get; }

    /// <summary>Closes the pooled TCP and TLS connections; queries in flight on them fail. Queries after disposal fail (UDP ones still work).</summary>
    public ValueTask DisposeAsync() => _pool.DisposeAsync();

    /// <summary>Closes the pooled TCP and TLS connections, waiting for them to end; prefer <see cref="DisposeAsync"/>.</summary>
    public void Dispose() => _pool.DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Asks the name servers for the <paramref name="type"/> records of <paramref name="name"/> (class IN, recursion desired).</summary>
    /// <param name="name">
    /// The name, always treated as absolute (a trailing dot is optional; no search list applies), in
    /// presentation form: <c>\DDD</c> and <c>\X</c> stand for an octet and a character (RFC 1035 §5.1),
    /// as in the names of a <see cref="DnsResponse"/>, so any name read from a response can be asked for.
    /// </param>
    /// <param name="type">The record type.</param>
    /// <param name="cancellationToken">Stops the query promptly and releases its socket.</param>
    /// <returns>
    /// The final response (NOERROR, possibly without records, or NXDOMAIN), with
    /// <see cref="DnsResponse.Server"/>, <see cref="DnsResponse.RoundTripTime"/> and
    /// <see cref="DnsResponse.ReceivedOverTcp"/> set.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid DNS name (empty label, label over 63 octets, name over 255 octets, a '\' that begins no escape); thrown before any I/O.</exception>
    /// <exception cref="DnsQueryException">No server gave a final answer; <see cref="DnsQueryException.Error"/> says why. Temporary.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    public Task<DnsResponse> QueryAsync(string name, DnsRecordType type, CancellationToken cancellationToken = default)
    {
        ValidateName(name);
        return QueryCoreAsync(
            name,
            type,
            static (ReadOnlySpan<byte> message, in DnsReplyScan scan, in ReplyOrigin origin, object? _) => DnsResponse.Parse(message, origin.Server, origin.RoundTripTime, origin.OverTcp, scan.IsSecure),
            (object?)null,
            cancellationToken).AsTask();
    }

    /// <summary>
    /// Like the public overload, but runs <paramref name="handler"/> on the pooled receive buffer
    /// once a final, matching, non-truncated reply arrives, so nothing is materialized that the
    /// caller does not need. The handler also gets the answer's records of <paramref name="type"/>,
    /// kept by the walk that validated the reply, so it need not walk the reply again. If the handler throws <see cref="DnsFormatException"/> the reply counts
    /// as malformed and the client moves on to the next server or attempt.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid DNS name; thrown before any I/O.</exception>
    /// <exception cref="DnsQueryException">No server gave a final answer.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    internal ValueTask<TResult> QueryAsync<TState, TResult>(
        string name,
        DnsRecordType type,
        DnsResponseHandler<TState, TResult> handler,
        TState state,
        CancellationToken cancellationToken)
    {
        ValidateName(name);
        ArgumentNullException.ThrowIfNull(handler);
        return QueryCoreAsync(
            name,
            type,
            static (ReadOnlySpan<byte> message, in DnsReplyScan scan, in ReplyOrigin _, (DnsResponseHandler<TState, TResult> Handler, TState State) s) => s.Handler(message, scan, s.State),
            (handler, state),
            cancellationToken);
    }

    private static void ValidateName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        _ = DnsQueryWriter.GetLength(name, includeOpt: true); // throws ArgumentException for an invalid name
    }

    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    private async ValueTask<TResult> QueryCoreAsync<TState, TResult>(
        string name,
        DnsRecordType type,
        ReplyHandler<TState, TResult> handler,
        TState state,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        long started = _time.GetTimestamp();
        NameServerEndpoint[] servers = _servers;
        int first = _rotate ? (int)((uint)Interlocked.Increment(ref _rotation) % (uint)servers.Length) : 0;
        bool[]? ednsRejected = null;
        QueryFailureLog? failures = null;
        UdpExchange? udp = null;
        CancellationTokenRegistration cancelLink = default;
        byte[] buffer = RentBuffer();
        try
        {
            // Round over the servers, then repeat (as resolv.conf does), so one dead server costs
            // one timeout per round rather than every attempt before the next server is tried.
            int exchanges = _attempts * servers.Length;
            for (int step = 0; step < exchanges; step++)
            {
                int index = (first + step) % servers.Length;
                NameServerEndpoint entry = servers[index];
                IPEndPoint server = entry.EndPoint;
                if (RemainingTimeout(started) is not TimeSpan timeout)
                {
                    break;
                }

                bool withOpt = ednsRejected is null || !ednsRejected[index];
                bool overTcp = _tcpOnly || entry.Transport != DnsTransport.Udp;
                ExchangeOutcome<TResult> outcome;
                while (true)
                {
                    if (overTcp)
                    {
                        outcome = await ExchangeStreamAsync(entry, name, type, withOpt, handler, state, buffer, timeout, cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        // The UDP exchange (RFC 1035 §4.2.1) is written out here rather than in a
                        // method of its own: one async state machine per query instead of two.
                        if (udp is null)
                        {
                            udp = _udpExchanges.Rent();
                            if (cancellationToken.CanBeCanceled)
                            {
                                cancelLink = cancellationToken.UnsafeRegister(static s => ((UdpExchange)s!).Cancel(), udp);
                            }
                        }

                        ushort id = NewId();
                        int length = WriteQuery(buffer, id, name, type, withOpt);
                        Memory<byte> receive = buffer.AsMemory(QueryAreaLength, _udpPayloadSize);
                        Socket? socket = null;
                        try
                        {
                            socket = OpenUdpSocket(server);
                            udp.Arm(socket, timeout);
                            long sent = _time.GetTimestamp();
                            if (!TrySendNow(socket, buffer.AsSpan(2, length)))
                            {
                                await socket.SendAsync(buffer.AsMemory(2, length), SocketFlags.None).ConfigureAwait(false);
                            }

                            do
                            {
                                UdpDatagram received = await udp.ReceiveAsync(socket, receive).ConfigureAwait(false);
                                outcome = Complete(server, name, type, withOpt, id, receive.Span[..received.Length], received.Truncated, overTcp: false, _time.GetElapsedTime(sent), handler, state);
                            }
                            while (outcome.Status == ExchangeStatus.Discarded);
                        }
                        catch (Exception e) when (e is SocketException or ObjectDisposedException)
                        {
                            // The timeout and the caller's cancellation close the socket, which ends a
                            // pending receive (or send) with an error; ICMP port unreachable arrives as
                            // ConnectionRefused on a connected socket.
                            if (cancellationToken.IsCancellationRequested)
                            {
                                throw new OperationCanceledException(cancellationToken);
                            }

                            outcome = udp.Disarm()
                                ? ExchangeOutcome<TResult>.Failed(DnsQueryError.Timeout, "no reply over UDP within " + FormatTimeout(timeout))
                                : ExchangeOutcome<TResult>.Failed(DnsQueryError.NetworkError, "UDP: " + (e is SocketException se ? se.SocketErrorCode.ToString() : "the socket was closed"));
                        }
                        finally
                        {
                            udp.Disarm();
                            socket?.Dispose();
                        }
                    }

                    if (outcome.Status == ExchangeStatus.Truncated)
                    {
                        // RFC 1035 §4.2.1, RFC 7766 §5: a truncated reply is never an answer (nor
                        // NODATA); ask the same server the same question over TCP.
                        DnsLog.TruncatedRetryingOverTcp(_logger, server, name, type);
                        overTcp = true;
                    }
                    else if (outcome.Status == ExchangeStatus.EdnsRejected)
                    {
                        // RFC 6891 §7: a server that does not understand OPT answers FORMERR (or
                        // NOTIMP); ask it once more without, and keep asking it without for this query.
                        DnsLog.EdnsRejected(_logger, server, name, type, outcome.ResponseCode);
                        (ednsRejected ??= new bool[servers.Length])[index] = true;
                        withOpt = false;
                    }
                    else
                    {
                        break;
                    }

                    if (RemainingTimeout(started) is not TimeSpan retryTimeout)
                    {
                        outcome = ExchangeOutcome<TResult>.Failed(DnsQueryError.Timeout, "the query deadline passed before the retry");
                        break;
                    }

                    timeout = retryTimeout;
                }

                if (outcome.Status == ExchangeStatus.Answered)
                {
                    return outcome.Result!;
                }

                DnsLog.ServerFailed(_logger, server, name, type, outcome.Error, outcome.Detail);
                (failures ??= new QueryFailureLog()).Add(server, outcome.Error, outcome.Detail);
            }
        }
        finally
        {
            if (udp is not null)
            {
                // The registration goes first: once disposed, no cancellation can reach the exchange
                // after another query rents it.
                cancelLink.Dispose();
                _udpExchanges.Return(udp);
            }

            _buffers.TryReturn(buffer);
        }

        DnsQueryException exception = QueryFailureLog.ToException(failures, name, type, deadlinePassed: RemainingTimeout(started) is null);
        DnsLog.QueryFailed(_logger, name, type, exception.Error);
        throw exception;
    }

    /// <summary>
    /// A query's buffer: the query (after room for a TCP length prefix) and the largest UDP reply.
    /// The client's own pool, not the shared one: a few hundred queries in flight would empty that.
    /// </summary>
    private byte[] RentBuffer()
        => _buffers.TryRent(out byte[]? buffer) ? buffer : new byte[QueryAreaLength + _udpPayloadSize];

    /// <summary>The time the next exchange may take: the attempt timeout, cut to what is left of the deadline; <see langword="null"/> once the deadline passed.</summary>
    private TimeSpan? RemainingTimeout(long started)
    {
        if (_queryDeadline == Timeout.InfiniteTimeSpan)
        {
            return _attemptTimeout;
        }

        // Timers fire with millisecond granularity, possibly a hair before the high-resolution
        // clock agrees: a sliver under a millisecond counts as the deadline having passed.
        TimeSpan remaining = _queryDeadline - _time.GetElapsedTime(started);
        if (remaining < TimeSpan.FromMilliseconds(1))
        {
            return null;
        }

        return remaining < _attemptTimeout ? remaining : _attemptTimeout;
    }

    /// <summary>A transaction ID from a cryptographic random source (RFC 5452 §4.3, §9.2).</summary>
    /// <remarks>
    /// <see cref="RandomNumberGenerator"/> costs about as much for 2 bytes as for 512 (a call into the
    /// operating system's generator), a tenth of a loopback round trip; so each thread draws 512
    /// bytes at a time and uses each pair once. The IDs stay unpredictable: the bytes never leave
    /// the thread and are never reused.
    /// </remarks>
    private static ushort NewId()
    {
        byte[] pool = t_randomPool ??= new byte[RandomPoolLength];
        if (t_randomPosition == 0)
        {
            RandomNumberGenerator.Fill(pool);
        }

        ushort id = BinaryPrimitives.ReadUInt16LittleEndian(pool.AsSpan(t_randomPosition));
        t_randomPosition = (t_randomPosition + 2) % RandomPoolLength;
        return id;
    }

    /// <summary>Decides what a received message means for the exchange, and runs the handler on a final one.</summary>
    private ExchangeOutcome<TResult> Complete<TState, TResult>(
        IPEndPoint server,
        string name,
        DnsRecordType type,
        bool withOpt,
        ushort id,
        ReadOnlySpan<byte> reply,
        bool cut,
        bool overTcp,
        TimeSpan roundTripTime,
        ReplyHandler<TState, TResult> handler,
        TState state,
        bool authenticatedChannel = false)
    {
        // The walk that validates the reply keeps the answer's records here, for the handler.
        var scan = new DnsReplyScan(stackalloc DnsRecordView[16]);
        try
        {
            // A server reached over authenticated DNS over TLS is trusted too: nobody on the path can set its AD bit.
            scan.FromTrustedServer = authenticatedChannel || TrustsAuthenticatedData(server.Address);
            ReplyVerdict verdict = DnsReplyInspector.Inspect(reply, id, name, type, withOpt, cut, ref scan, out DnsQueryError error, out string reason, out DnsResponseCode responseCode);
            switch (verdict)
            {
                case ReplyVerdict.Mismatch:
                    DnsLog.ReplyDiscarded(_logger, server, name, type, overTcp ? "TCP" : "UDP", reason);
                    return ExchangeOutcome<TResult>.Discarded;
                case ReplyVerdict.Truncated:
                    return overTcp
                        ? ExchangeOutcome<TResult>.Failed(DnsQueryError.Truncated, "the reply over TCP had TC set")
                        : ExchangeOutcome<TResult>.TruncatedReply;
                case ReplyVerdict.EdnsRejected:
                    return ExchangeOutcome<TResult>.RejectedEdns(responseCode);
                case ReplyVerdict.Failed:
                    return ExchangeOutcome<TResult>.Failed(error, reason);
                default:
                    try
                    {
                        return ExchangeOutcome<TResult>.Answered(handler(reply, scan, new ReplyOrigin(server, roundTripTime, overTcp), state));
                    }
                    catch (DnsFormatException e)
                    {
                        return ExchangeOutcome<TResult>.Failed(DnsQueryError.MalformedResponse, e.Message);
                    }
            }
        }
        finally
        {
            scan.Dispose();
        }
    }

    /// <summary>
    /// Whether the AD bit of <paramref name="server"/> is believed: AD travels unprotected, so it is
    /// only as good as the path to the validator (RFC 6840 §5.7, RFC 7672 §8). By default only
    /// loopback servers, on the same host, are believed.
    /// </summary>
    internal bool TrustsAuthenticatedData(IPAddress server)
    {
        if (server.IsIPv4MappedToIPv6)
        {
            server = server.MapToIPv4();
        }

        if (_trustLoopbackAuthenticatedData && IPAddress.IsLoopback(server))
        {
            return true;
        }

        foreach (IPAddress trusted in _trustedAuthenticatedDataServers)
        {
            if (trusted.Equals(server))
            {
                return true;
            }
        }

        return false;
    }

    private delegate TResult ReplyHandler<TState, TResult>(ReadOnlySpan<byte> message, in DnsReplyScan scan, in ReplyOrigin origin, TState state);

    /// <summary>Where and how a final reply came.</summary>
    private readonly record struct ReplyOrigin(IPEndPoint Server, TimeSpan RoundTripTime, bool OverTcp);

    private enum ExchangeStatus
    {
        Discarded,
        Answered,
        Failed,
        Truncated,
        EdnsRejected,
    }

    private readonly struct ExchangeOutcome<TResult>
    {
        private ExchangeOutcome(ExchangeStatus status, TResult? result, DnsQueryError error, string detail, DnsResponseCode responseCode)
        {
            Status = status;
            Result = result;
            Error = error;
            Detail = detail;
            ResponseCode = responseCode;
        }

        public static ExchangeOutcome<TResult> Discarded => new(ExchangeStatus.Discarded, default, default, string.Empty, default);

        public static ExchangeOutcome<TResult> TruncatedReply => new(ExchangeStatus.Truncated, default, default, string.Empty, default);

        public ExchangeStatus Status { get; }

        public TResult? Result { get; }

        public DnsQueryError Error { get; }

        public string Detail { get; }

        public DnsResponseCode ResponseCode { get; }

        public static ExchangeOutcome<TResult> Answered(TResult result) => new(ExchangeStatus.Answered, result, default, string.Empty, default);

        public static ExchangeOutcome<TResult> Failed(DnsQueryError error, string detail) => new(ExchangeStatus.Failed, default, error, detail, default);

        public static ExchangeOutcome<TResult> RejectedEdns(DnsResponseCode responseCode) => new(ExchangeStatus.EdnsRejected, default, default, string.Empty, responseCode);
    }
}
