using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using MxResolver.Dns;

namespace MxResolver.Transport;

/// <summary>
/// Persistent, pipelined DNS connections (TCP, RFC 7766; TLS, RFC 7858) shared by all queries:
/// per server a few connections, each carrying many queries at once. Thread-safe.
/// </summary>
/// <remarks>
/// <para>
/// Spreading: a query goes to the open connection with the fewest queries; another connection is
/// opened (up to <see cref="DnsConnectionOptions.MaxConnectionsPerServer"/>) when every open one
/// carries <see cref="DnsConnectionOptions.OpenAnotherAtLoad"/> or more. RFC 7766 §6.2.2 asks clients
/// to keep the number of connections to a server small; one connection with TCP_QUICKACK already
/// reaches about what a loopback Unbound serves over TCP, and four add a little in bursts (figures in
/// tests/MxResolver.Tests/Transport/PipelineMeasurement.cs).
/// </para>
/// <para>
/// Connection loss: a server may close a connection at any time (RFC 7766 §6.2.4), idle or not.
/// A query that was queued or in flight on a connection that ended is sent once more on another
/// (new or already open) connection, within the same timeout; a second loss is reported.
/// </para>
/// <para>
/// Failures to connect are not cached: the next query tries again. A DNS over TLS server that does
/// not authenticate fails every query for it with <see cref="DnsStreamStatus.TlsFailed"/>; the pool
/// never falls back to plain TCP or UDP.
/// </para>
/// </remarks>
internal sealed class DnsConnectionPool : IDnsStreamTransport, IAsyncDisposable
{
    private readonly DnsConnectionOptions _options;
    private readonly ConcurrentDictionary<NameServerEndpoint, ServerConnections> _servers = new();
    private readonly CancellationTokenSource _disposed = new();
    private readonly BoundedPool<byte[]> _copies = new();

    /// <summary>Creates an empty pool; connections are opened on demand.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public DnsConnectionPool(DnsConnectionOptions? options = null)
    {
        _options = options ?? new DnsConnectionOptions();
        _options.Validate();
    }

    /// <summary>The open connections to <paramref name="server"/> (for tests and diagnostics).</summary>
    internal IReadOnlyList<PipelinedDnsConnection> GetConnections(NameServerEndpoint server)
        => _servers.TryGetValue(AsStream(server), out ServerConnections? group) ? group.Snapshot() : [];

    /// <summary>Connections opened so far to <paramref name="server"/> (for tests and diagnostics).</summary>
    internal int GetConnectionsOpened(NameServerEndpoint server)
        => _servers.TryGetValue(AsStream(server), out ServerConnections? group) ? group.Opened : 0;

    /// <inheritdoc/>
    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    public async ValueTask<DnsStreamResult> QueryAsync(NameServerEndpoint server, ReadOnlyMemory<byte> query, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(server);
        if (timeout <= TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout is positive or infinite.");
        }

        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        cancellationToken.ThrowIfCancellationRequested();
        ServerConnections group = _servers.GetOrAdd(AsStream(server), static (key, options) => new ServerConnections(key, options), _options);

        // One deadline for connecting, sending, and sending once more after a lost connection: the
        // connection's own timer per query enforces it, so no cancellation source is made per query.
        TimeProvider time = _options.TimeProvider;
        long deadline = timeout == Timeout.InfiniteTimeSpan
            ? PipelinedDnsConnection.NoDeadline
            : time.GetTimestamp() + (long)(timeout.TotalSeconds * time.TimestampFrequency);

        // The caller's memory is only promised until the first await.
        byte[] copy = RentCopy(query.Length);
        query.Span.CopyTo(copy);
        ReadOnlyMemory<byte> ours = copy.AsMemory(0, query.Length);
        try
        {
            PipelinedDnsConnection? lost = null;
            string lostReason = string.Empty;
            for (int attempt = 0; attempt < 2; attempt++)
            {
                (PipelinedDnsConnection? connection, DnsStreamStatus status, string detail) = await group.AcquireAsync(lost, deadline, cancellationToken).ConfigureAwait(false);
                if (connection is null)
                {
                    return status == DnsStreamStatus.Timeout ? TimedOut(server, timeout) : DnsStreamResult.Failed(status, detail);
                }

                DnsStreamResult result = await connection.QueryAsync(ours, deadline, cancellationToken).ConfigureAwait(false);
                if (result.Status == DnsStreamStatus.Timeout)
                {
                    return TimedOut(server, timeout);
                }

                if (result.Status != DnsStreamStatus.ConnectionLost)
                {
                    return result;
                }

                lost = connection;
                lostReason = result.Detail;
            }

            return DnsStreamResult.Failed(DnsStreamStatus.ConnectionLost, $"{server.EndPoint}: the connection was lost twice ({lostReason})");
        }
        finally
        {
            ReturnCopy(copy);
        }
    }

    private static DnsStreamResult TimedOut(NameServerEndpoint server, TimeSpan timeout)
        => DnsStreamResult.Failed(DnsStreamStatus.Timeout, $"no reply from {server.EndPoint} over {(server.Transport == DnsTransport.Tls ? "TLS" : "TCP")} within {timeout.TotalMilliseconds:0} ms");

    /// <summary>A buffer for a copy of a query: the pool's own for the usual sizes (the shared one runs dry with hundreds in flight).</summary>
    private byte[] RentCopy(int length)
        => length > DnsQueryWriter.MaxQueryLength ? ArrayPool<byte>.Shared.Rent(length)
            : _copies.TryRent(out byte[]? copy) ? copy : new byte[DnsQueryWriter.MaxQueryLength];

    private void ReturnCopy(byte[] copy)
    {
        if (copy.Length != DnsQueryWriter.MaxQueryLength)
        {
            ArrayPool<byte>.Shared.Return(copy);
        }
        else
        {
            _copies.TryReturn(copy);
        }
    }

    /// <summary>Closes every connection; queries in flight end with <see cref="DnsStreamStatus.ConnectionLost"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        await _disposed.CancelAsync().ConfigureAwait(false);
        foreach (ServerConnections group in _servers.Values)
        {
            await group.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static NameServerEndpoint AsStream(NameServerEndpoint server)
        => server.Transport == DnsTransport.Udp ? server with { Transport = DnsTransport.Tcp } : server;

    /// <summary>The connections to one server.</summary>
    private sealed class ServerConnections(NameServerEndpoint server, DnsConnectionOptions options) : IAsyncDisposable
    {
        private readonly object _lock = new();
        private readonly List<PipelinedDnsConnection> _connections = [];
        private Task<(PipelinedDnsConnection? Connection, DnsStreamStatus Status, string Detail)>? _connecting;
        private bool _disposed;
        private int _opened;

        public int Opened => Volatile.Read(ref _opened);

        public PipelinedDnsConnection[] Snapshot()
        {
            lock (_lock)
            {
                return [.. _connections.Where(c => c.IsOpen)];
            }
        }

        /// <summary>The least-loaded open connection other than <paramref name="exclude"/>, opening one when all are busy.</summary>
        /// <returns>The connection, or why there is none: <see cref="DnsStreamStatus.Timeout"/> when <paramref name="deadline"/> passed while a connection was being made.</returns>
        public async ValueTask<(PipelinedDnsConnection? Connection, DnsStreamStatus Status, string Detail)> AcquireAsync(PipelinedDnsConnection? exclude, long deadline, CancellationToken cancellationToken)
        {
            Task<(PipelinedDnsConnection? Connection, DnsStreamStatus Status, string Detail)> connecting;
            lock (_lock)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                PipelinedDnsConnection? best = null;
                for (int i = _connections.Count - 1; i >= 0; i--)
                {
                    PipelinedDnsConnection candidate = _connections[i];
                    if (!candidate.IsOpen)
                    {
                        _connections.RemoveAt(i);
                        _ = candidate.DisposeAsync().AsTask();
                        continue;
                    }

                    if (!ReferenceEquals(candidate, exclude) && (best is null || candidate.Load < best.Load))
                    {
                        best = candidate;
                    }
                }

                bool wantMore = best is null || best.Load >= options.OpenAnotherAtLoad;
                if (wantMore && _connecting is null && _connections.Count < options.MaxConnectionsPerServer)
                {
                    _connecting = ConnectAsync();
                }

                if (best is not null)
                {
                    return (best, DnsStreamStatus.Answered, string.Empty);
                }

                // Nothing open (or only the lost one): wait for the connection being made. If the
                // pool is full of connections that are all excluded, ignore the limit for this one.
                connecting = _connecting ??= ConnectAsync();
            }

            if (deadline == PipelinedDnsConnection.NoDeadline)
            {
                return await connecting.WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            TimeProvider time = options.TimeProvider;
            long left = deadline - time.GetTimestamp();
            try
            {
                if (left <= 0)
                {
                    throw new TimeoutException();
                }

                return await connecting.WaitAsync(TimeSpan.FromSeconds((double)left / time.TimestampFrequency), time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return (null, DnsStreamStatus.Timeout, string.Empty);
            }
        }

        public async ValueTask DisposeAsync()
        {
            PipelinedDnsConnection[] all;
            lock (_lock)
            {
                _disposed = true;
                all = [.. _connections];
                _connections.Clear();
            }

            foreach (PipelinedDnsConnection connection in all)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }

        private async Task<(PipelinedDnsConnection? Connection, DnsStreamStatus Status, string Detail)> ConnectAsync()
        {
            (PipelinedDnsConnection? Connection, DnsStreamStatus Status, string Detail) outcome;
            try
            {
                await Task.Yield(); // leave the caller's lock before connecting
                outcome = await PipelinedDnsConnection.ConnectAsync(server, options, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                outcome = (null, DnsStreamStatus.ConnectFailed, $"connecting to {server.EndPoint} failed: {e.Message}");
            }

            bool orphan = false;
            lock (_lock)
            {
                _connecting = null;
                if (outcome.Connection is not null)
                {
                    if (_disposed)
                    {
                        orphan = true;
                    }
                    else
                    {
                        _connections.Add(outcome.Connection);
                        _opened++;
                    }
                }
            }

            if (orphan)
            {
                await outcome.Connection!.DisposeAsync().ConfigureAwait(false);
                return (null, DnsStreamStatus.ConnectionLost, "the pool was disposed");
            }

            return outcome;
        }
    }
}
