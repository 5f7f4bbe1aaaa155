using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

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

        // The caller's memory is only promised until the first await.
        byte[] copy = ArrayPool<byte>.Shared.Rent(query.Length);
        query.Span.CopyTo(copy);
        ReadOnlyMemory<byte> ours = copy.AsMemory(0, query.Length);
        using var deadline = new CancellationTokenSource(timeout, _options.TimeProvider);
        using CancellationTokenRegistration link = cancellationToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), deadline);
        try
        {
            PipelinedDnsConnection? lost = null;
            string lostReason = string.Empty;
            for (int attempt = 0; attempt < 2; attempt++)
            {
                (PipelinedDnsConnection? connection, DnsStreamStatus status, string detail) = await group.AcquireAsync(lost, deadline.Token).ConfigureAwait(false);
                if (connection is null)
                {
                    return DnsStreamResult.Failed(status, detail);
                }

                DnsStreamResult result = await connection.QueryAsync(ours, deadline.Token).ConfigureAwait(false);
                if (result.Status != DnsStreamStatus.ConnectionLost)
                {
                    return result;
                }

                lost = connection;
                lostReason = result.Detail;
            }

            return DnsStreamResult.Failed(DnsStreamStatus.ConnectionLost, $"{server.EndPoint}: the connection was lost twice ({lostReason})");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && !_disposed.IsCancellationRequested)
        {
            return DnsStreamResult.Failed(DnsStreamStatus.Timeout, $"no reply from {server.EndPoint} over {(server.Transport == DnsTransport.Tls ? "TLS" : "TCP")} within {timeout.TotalMilliseconds:0} ms");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
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
        public async ValueTask<(PipelinedDnsConnection? Connection, DnsStreamStatus Status, string Detail)> AcquireAsync(PipelinedDnsConnection? exclude, CancellationToken cancellationToken)
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

            return await connecting.WaitAsync(cancellationToken).ConfigureAwait(false);
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
