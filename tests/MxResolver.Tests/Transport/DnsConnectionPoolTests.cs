using System.Net;
using System.Net.Sockets;
using MxResolver.Transport;
using static MxResolver.Tests.Transport.PipelineTestKit;

namespace MxResolver.Tests.Transport;

/// <summary>DnsConnectionPool against scripted TCP servers: re-send on connection loss, spreading, timeouts.</summary>
public sealed class DnsConnectionPoolTests
{
    private static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Queries_in_flight_when_the_server_closes_are_sent_once_more_on_a_new_connection_and_succeed()
    {
        const int count = 8;
        await using var server = new ScriptedTcpDnsServer(async connection =>
        {
            if (connection.Index == 0)
            {
                // Read every query, answer none, close.
                await connection.ReadMessagesAsync(count);
                connection.Close();
                return;
            }

            while (await connection.ReadMessageAsync() is { } query)
            {
                await connection.SendAsync(ScriptedTcpDnsServer.Frame(ScriptedTcpDnsServer.Reply(query, connection.Index)));
            }
        });
        await using var pool = new DnsConnectionPool(new DnsConnectionOptions { MaxConnectionsPerServer = 1 });
        var entry = NameServerEndpoint.ForTcp(server.EndPoint);

        var results = await Task.WhenAll(Enumerable.Range(0, count).Select(i => pool.QueryAsync(entry, Query($"r{i}.test.", id: (ushort)i), QueryTimeout, TestContext.Current.CancellationToken).AsTask())).WaitAsync(Bound, TestContext.Current.CancellationToken);

        for (int i = 0; i < count; i++)
        {
            AssertAnswer(results[i], $"r{i}.test.", 1, (ushort)i); // marker 1: answered by the second connection
        }

        Assert.Equal(2, server.ConnectionCount);
        Assert.Equal(count, server.Connections[0].Received.Count);
        Assert.Equal(count, server.Connections[1].Received.Count); // each sent exactly once more
        Assert.Empty(server.Errors);
    }

    [Fact]
    public async Task A_query_is_re_sent_only_once_a_second_loss_is_reported()
    {
        await using var server = new ScriptedTcpDnsServer(async connection =>
        {
            await connection.ReadMessagesAsync(1);
            connection.Close();
        });
        await using var pool = new DnsConnectionPool();
        var entry = NameServerEndpoint.ForTcp(server.EndPoint);

        var result = await pool.QueryAsync(entry, Query("lost.test."), QueryTimeout, TestContext.Current.CancellationToken).AsTask().WaitAsync(Bound, TestContext.Current.CancellationToken);

        Assert.Equal(DnsStreamStatus.ConnectionLost, result.Status);
        Assert.Equal(DnsQueryError.NetworkError, result.Error);
        Assert.Equal(2, server.ConnectionCount);
    }

    [Fact]
    public async Task A_stalled_reply_ends_as_a_timeout_within_the_queries_deadline()
    {
        await using var server = new ScriptedTcpDnsServer(async connection =>
        {
            await connection.ReadMessagesAsync(1);
            await connection.SendAsync(new byte[] { 0, 40 }); // a length prefix, then nothing
            await connection.DrainUntilClosedAsync();
        });
        await using var pool = new DnsConnectionPool();
        var entry = NameServerEndpoint.ForTcp(server.EndPoint);

        var started = System.Diagnostics.Stopwatch.StartNew();
        var result = await pool.QueryAsync(entry, Query("stall.test."), TimeSpan.FromMilliseconds(300), TestContext.Current.CancellationToken).AsTask().WaitAsync(Bound, TestContext.Current.CancellationToken);

        Assert.Equal(DnsStreamStatus.Timeout, result.Status);
        Assert.Null(result.Reply);
        Assert.InRange(started.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_deadline_passing_while_the_connection_is_being_made_ends_as_a_timeout()
    {
        // A server that never answers the TLS handshake: the query's deadline, not the connect
        // timeout, ends the wait for the connection.
        await using var server = new ScriptedTcpDnsServer(async connection => await connection.DrainUntilClosedAsync());
        await using var pool = new DnsConnectionPool(new DnsConnectionOptions { ConnectTimeout = TimeSpan.FromSeconds(30) });
        var entry = NameServerEndpoint.Parse($"tls://{server.EndPoint}#dns.stall.test");

        var started = System.Diagnostics.Stopwatch.StartNew();
        var result = await pool.QueryAsync(entry, Query("stall.test."), TimeSpan.FromMilliseconds(300), TestContext.Current.CancellationToken).AsTask().WaitAsync(Bound, TestContext.Current.CancellationToken);

        Assert.Equal(DnsStreamStatus.Timeout, result.Status);
        Assert.Contains("over TLS within 300 ms", result.Detail, StringComparison.Ordinal);
        Assert.InRange(started.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task The_callers_cancellation_throws_rather_than_reporting_a_timeout()
    {
        await using var server = new ScriptedTcpDnsServer(async connection => await connection.DrainUntilClosedAsync());
        await using var pool = new DnsConnectionPool();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pool.QueryAsync(NameServerEndpoint.ForTcp(server.EndPoint), Query("c.test."), QueryTimeout, cancel.Token).AsTask().WaitAsync(Bound, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Load_is_spread_over_more_connections_up_to_the_limit()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new ScriptedTcpDnsServer(async connection =>
        {
            var held = new List<byte[]>();
            var reading = Task.Run(async () =>
            {
                while (await connection.ReadMessageAsync() is { } query)
                {
                    lock (held)
                    {
                        held.Add(query);
                    }
                }
            });
            await release.Task;
            byte[][] all;
            lock (held)
            {
                all = [.. held];
            }

            foreach (var query in all)
            {
                await connection.SendAsync(ScriptedTcpDnsServer.Frame(ScriptedTcpDnsServer.Reply(query, connection.Index)));
            }

            await reading;
        });
        await using var pool = new DnsConnectionPool(new DnsConnectionOptions { MaxConnectionsPerServer = 3, OpenAnotherAtLoad = 2 });
        var entry = NameServerEndpoint.ForTcp(server.EndPoint);

        // Two at a time, waiting for each pair to be received, so connections open as load grows.
        var tasks = new List<Task<DnsStreamResult>>();
        for (int i = 0; i < 12; i++)
        {
            tasks.Add(pool.QueryAsync(entry, Query($"s{i}.test."), QueryTimeout, TestContext.Current.CancellationToken).AsTask());
            await PipelinedDnsConnectionTests.WaitForReceivedAsync(server, i + 1);
        }

        Assert.Equal(3, server.ConnectionCount); // never more than the limit
        Assert.All(server.Connections, c => Assert.InRange(c.Received.Count, 2, 8)); // every connection carries some
        release.SetResult();
        var results = await Task.WhenAll(tasks).WaitAsync(Bound, TestContext.Current.CancellationToken);
        Assert.All(results, r => Assert.Equal(DnsStreamStatus.Answered, r.Status));
        foreach (var r in results)
        {
            r.Reply!.Dispose();
        }
    }

    [Fact]
    public async Task A_refused_connection_reports_connect_failed_and_is_retried_by_the_next_query()
    {
        // A port with nothing listening: bind, note the port, close.
        int port;
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            port = ((IPEndPoint)probe.LocalEndPoint!).Port;
        }

        await using var pool = new DnsConnectionPool();
        var entry = NameServerEndpoint.ForTcp(new IPEndPoint(IPAddress.Loopback, port));

        var first = await pool.QueryAsync(entry, Query("refused.test."), QueryTimeout, TestContext.Current.CancellationToken).AsTask().WaitAsync(Bound, TestContext.Current.CancellationToken);
        var second = await pool.QueryAsync(entry, Query("refused.test."), QueryTimeout, TestContext.Current.CancellationToken).AsTask().WaitAsync(Bound, TestContext.Current.CancellationToken);

        Assert.Equal(DnsStreamStatus.ConnectFailed, first.Status);
        Assert.Contains("ConnectionRefused", first.Detail, StringComparison.Ordinal);
        Assert.Equal(DnsStreamStatus.ConnectFailed, second.Status);
    }

    [Fact]
    public async Task The_callers_query_buffer_may_be_reused_as_soon_as_the_call_returns()
    {
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new ScriptedTcpDnsServer(async connection =>
        {
            await go.Task;
            while (await connection.ReadMessageAsync() is { } query)
            {
                await connection.SendAsync(ScriptedTcpDnsServer.Frame(ScriptedTcpDnsServer.Reply(query, 3)));
            }
        });
        await using var pool = new DnsConnectionPool();
        byte[] buffer = Query("kept.test.");

        var pending = pool.QueryAsync(NameServerEndpoint.ForTcp(server.EndPoint), buffer, QueryTimeout, TestContext.Current.CancellationToken).AsTask();
        Array.Clear(buffer); // the pool copied it before returning
        go.SetResult();

        AssertAnswer(await pending.WaitAsync(Bound, TestContext.Current.CancellationToken), "kept.test.", 3, 0x4242);
    }
}
