using System.Buffers.Binary;
using Microsoft.Extensions.Time.Testing;
using MxResolver.Dns;
using MxResolver.Tests.Infrastructure;
using MxResolver.Transport;
using static MxResolver.Tests.Transport.PipelineTestKit;

namespace MxResolver.Tests.Transport;

/// <summary>PipelinedDnsConnection against scripted TCP servers (RFC 7766 pipelining and connection handling).</summary>
public sealed class PipelinedDnsConnectionTests
{
    [Fact]
    public async Task Pipelined_queries_answered_in_reverse_order_each_get_their_own_answer()
    {
        const int count = 16;
        await using var server = new ScriptedTcpDnsServer(async connection =>
        {
            var queries = await connection.ReadMessagesAsync(count);
            for (int i = count - 1; i >= 0; i--)
            {
                int index = int.Parse(NameOf(queries[i]).Split('.')[0][1..], System.Globalization.CultureInfo.InvariantCulture);
                await connection.SendAsync(ScriptedTcpDnsServer.Frame(ScriptedTcpDnsServer.Reply(queries[i], index)));
            }

            await connection.DrainUntilClosedAsync();
        });
        await using var connection = await OpenAsync(server.EndPoint);

        var tasks = Enumerable.Range(0, count)
            .Select(i => connection.QueryAsync(Query($"q{i}.test.", id: (ushort)(1000 + i)), TestContext.Current.CancellationToken).AsTask())
            .ToArray();
        var results = await Task.WhenAll(tasks).WaitAsync(Bound, TestContext.Current.CancellationToken);

        for (int i = 0; i < count; i++)
        {
            AssertAnswer(results[i], $"q{i}.test.", i, (ushort)(1000 + i));
        }

        // All sixteen were in flight at once on one connection, with distinct wire IDs.
        Assert.Equal(1, server.ConnectionCount);
        Assert.Equal(count, server.Connections[0].Received.Select(q => Id(q)).Distinct().Count());
        Assert.Empty(server.Errors);
    }

    [Fact]
    public async Task Ids_on_the_wire_are_unique_among_in_flight_queries_and_differ_from_the_callers()
    {
        const int count = 64;
        await using var server = new ScriptedTcpDnsServer(async connection =>
        {
            var queries = await connection.ReadMessagesAsync(count);
            await connection.SendAsync(ScriptedTcpDnsServer.Frame([.. queries.Select((q, i) => ScriptedTcpDnsServer.Reply(q, i))]));
            await connection.DrainUntilClosedAsync();
        });
        await using var connection = await OpenAsync(server.EndPoint, new DnsConnectionOptions { MaxInFlightPerConnection = count });

        // Every caller uses the same ID: the connection must still tell the replies apart.
        var tasks = Enumerable.Range(0, count).Select(i => connection.QueryAsync(Query($"same-id-{i}.test.", id: 7), TestContext.Current.CancellationToken).AsTask()).ToArray();
        var results = await Task.WhenAll(tasks).WaitAsync(Bound, TestContext.Current.CancellationToken);

        var wireIds = server.Connections[0].Received.Select(q => Id(q)).ToList();
        Assert.Equal(count, wireIds.Distinct().Count());
        foreach (var result in results)
        {
            Assert.Equal(DnsStreamStatus.Answered, result.Status);
            using var reply = result.Reply!;
            Assert.Equal(7, Id(reply.Span));
        }
    }

    [Fact]
    public async Task Two_replies_in_one_segment_and_one_reply_across_many_segments_are_both_delivered_whole()
    {
        await using var server = new ScriptedTcpDnsServer(async connection =>
        {
            var queries = await connection.ReadMessagesAsync(3);

            // Replies 0 and 1 in one send; reply 2 one byte at a time.
            await connection.SendAsync(ScriptedTcpDnsServer.Frame(ScriptedTcpDnsServer.Reply(queries[0], 100), ScriptedTcpDnsServer.Reply(queries[1], 101)));
            await connection.SendInPiecesAsync(ScriptedTcpDnsServer.Frame(ScriptedTcpDnsServer.Reply(queries[2], 102)), 1, TimeSpan.FromMilliseconds(2));
            await connection.DrainUntilClosedAsync();
        });
        await using var connection = await OpenAsync(server.EndPoint);

        var a = connection.QueryAsync(Query("a.test."), TestContext.Current.CancellationToken).AsTask();
        await WaitForReceivedAsync(server, 1);
        var b = connection.QueryAsync(Query("b.test."), TestContext.Current.CancellationToken).AsTask();
        await WaitForReceivedAsync(server, 2);
        var c = connection.QueryAsync(Query("c.test."), TestContext.Current.CancellationToken).AsTask();

        AssertAnswer(await a.WaitAsync(Bound, TestContext.Current.CancellationToken), "a.test.", 100, 0x4242);
        AssertAnswer(await b.WaitAsync(Bound, TestContext.Current.CancellationToken), "b.test.", 101, 0x4242);
        AssertAnswer(await c.WaitAsync(Bound, TestContext.Current.CancellationToken), "c.test.", 102, 0x4242);
        Assert.Empty(server.Errors);
    }

    [Fact]
    public async Task A_length_prefix_followed_by_silence_times_out_and_nothing_partial_is_delivered()
    {
        var stalled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new ScriptedTcpDnsServer(async connection =>
        {
            var query = (await connection.ReadMessagesAsync(1))[0];
            byte[] whole = ScriptedTcpDnsServer.Frame(ScriptedTcpDnsServer.Reply(query, 1));

            // The length and half the message, then nothing.
            await connection.SendAsync(whole.AsMemory(0, 2 + ((whole.Length - 2) / 2)));
            stalled.SetResult();
            await connection.DrainUntilClosedAsync();
        });
        await using var connection = await OpenAsync(server.EndPoint);

        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(400));
        var query = connection.QueryAsync(Query("stall.test."), timeout.Token).AsTask();
        await stalled.Task.WaitAsync(Bound, TestContext.Current.CancellationToken);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => query.WaitAsync(Bound, TestContext.Current.CancellationToken));

        // The connection is still open (the server did not close it), and it was the caller's timeout that ended the query.
        Assert.True(connection.IsOpen);
        Assert.Equal(0, connection.Load);
    }

    [Fact]
    public async Task A_reply_cut_off_by_the_server_closing_is_never_delivered_and_the_query_is_lost()
    {
        await using var server = new ScriptedTcpDnsServer(async connection =>
        {
            var query = (await connection.ReadMessagesAsync(1))[0];
            byte[] whole = ScriptedTcpDnsServer.Frame(ScriptedTcpDnsServer.Reply(query, 1));
            await connection.SendAsync(whole.AsMemory(0, whole.Length - 3));
            connection.Close();
        });
        await using var connection = await OpenAsync(server.EndPoint);

        var result = await connection.QueryAsync(Query("cut.test."), TestContext.Current.CancellationToken).AsTask().WaitAsync(Bound, TestContext.Current.CancellationToken);

        Assert.Equal(DnsStreamStatus.ConnectionLost, result.Status);
        Assert.Null(result.Reply);
        Assert.Contains("middle of a reply", result.Detail, StringComparison.Ordinal);
        Assert.False(connection.IsOpen);
    }

    [Fact]
    public async Task Replies_with_an_unknown_id_or_the_wrong_question_are_ignored_and_the_right_one_is_accepted_later()
    {
        await using var server = new ScriptedTcpDnsServer(async connection =>
        {
            var query = (await connection.ReadMessagesAsync(1))[0];
            ushort id = Id(query);

            byte[] unknownId = ScriptedTcpDnsServer.Reply(query, 1);
            BinaryPrimitives.WriteUInt16BigEndian(unknownId, (ushort)(id ^ 0x5A5A));
            byte[] wrongName = ScriptedTcpDnsServer.Reply(Rewrite(query, "other.test.", DnsRecordType.A, id), 2);
            byte[] wrongType = ScriptedTcpDnsServer.Reply(Rewrite(query, "right.test.", DnsRecordType.AAAA, id), 3);
            byte[] notAResponse = (byte[])query.Clone();
            byte[] right = ScriptedTcpDnsServer.Reply(query, 4);

            // The wrong ones first, each in its own segment, then the right one.
            foreach (var message in new[] { unknownId, wrongName, wrongType, notAResponse })
            {
                await connection.SendAsync(ScriptedTcpDnsServer.Frame(message));
                await Task.Delay(5, TestContext.Current.CancellationToken);
            }

            await connection.SendAsync(ScriptedTcpDnsServer.Frame(right));
            await connection.DrainUntilClosedAsync();
        });
        await using var connection = await OpenAsync(server.EndPoint);

        var result = await connection.QueryAsync(Query("right.test."), TestContext.Current.CancellationToken).AsTask().WaitAsync(Bound, TestContext.Current.CancellationToken);

        AssertAnswer(result, "right.test.", 4, 0x4242);
        Assert.Empty(server.Errors);
    }

    [Fact]
    public async Task A_wrong_question_reply_alone_does_not_complete_the_query()
    {
        await using var server = new ScriptedTcpDnsServer(async connection =>
        {
            var query = (await connection.ReadMessagesAsync(1))[0];
            await connection.SendAsync(ScriptedTcpDnsServer.Frame(ScriptedTcpDnsServer.Reply(Rewrite(query, "other.test.", DnsRecordType.A, Id(query)), 2)));
            await connection.DrainUntilClosedAsync();
        });
        await using var connection = await OpenAsync(server.EndPoint);

        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => connection.QueryAsync(Query("right.test."), timeout.Token).AsTask().WaitAsync(Bound, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task The_question_name_matches_case_insensitively()
    {
        await using var server = new ScriptedTcpDnsServer(async connection =>
        {
            var query = (await connection.ReadMessagesAsync(1))[0];
            await connection.SendAsync(ScriptedTcpDnsServer.Frame(ScriptedTcpDnsServer.Reply(Rewrite(query, "MiXeD.TeSt.", DnsRecordType.A, Id(query)), 9)));
            await connection.DrainUntilClosedAsync();
        });
        await using var connection = await OpenAsync(server.EndPoint);

        var result = await connection.QueryAsync(Query("mixed.test."), TestContext.Current.CancellationToken).AsTask().WaitAsync(Bound, TestContext.Current.CancellationToken);

        AssertAnswer(result, "mixed.test.", 9, 0x4242);
    }

    [Fact]
    public async Task Canceling_one_query_leaves_the_connection_and_the_other_queries_working()
    {
        await using var server = new ScriptedTcpDnsServer(async connection =>
        {
            var queries = await connection.ReadMessagesAsync(2);

            // Wait for the test to cancel the first, then answer both (the first reply is now unknown).
            await Task.Delay(100, TestContext.Current.CancellationToken);
            await connection.SendAsync(ScriptedTcpDnsServer.Frame(ScriptedTcpDnsServer.Reply(queries[0], 1), ScriptedTcpDnsServer.Reply(queries[1], 2)));
            var third = (await connection.ReadMessagesAsync(1))[0];
            await connection.SendAsync(ScriptedTcpDnsServer.Frame(ScriptedTcpDnsServer.Reply(third, 3)));
            await connection.DrainUntilClosedAsync();
        });
        await using var connection = await OpenAsync(server.EndPoint);

        using var cancel = new CancellationTokenSource();
        var first = connection.QueryAsync(Query("first.test."), cancel.Token).AsTask();
        var second = connection.QueryAsync(Query("second.test."), TestContext.Current.CancellationToken).AsTask();
        await WaitForReceivedAsync(server, 2);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first.WaitAsync(Bound, TestContext.Current.CancellationToken));
        AssertAnswer(await second.WaitAsync(Bound, TestContext.Current.CancellationToken), "second.test.", 2, 0x4242);
        AssertAnswer(await connection.QueryAsync(Query("third.test."), TestContext.Current.CancellationToken).AsTask().WaitAsync(Bound, TestContext.Current.CancellationToken), "third.test.", 3, 0x4242);
        Assert.True(connection.IsOpen);
    }

    [Fact]
    public async Task Beyond_the_in_flight_bound_queries_wait_for_a_slot()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new ScriptedTcpDnsServer(async connection =>
        {
            var first = await connection.ReadMessagesAsync(2);
            await release.Task;
            foreach (var query in first)
            {
                await connection.SendAsync(ScriptedTcpDnsServer.Frame(ScriptedTcpDnsServer.Reply(query, 1)));
            }

            while (await connection.ReadMessageAsync() is { } query)
            {
                await connection.SendAsync(ScriptedTcpDnsServer.Frame(ScriptedTcpDnsServer.Reply(query, 1)));
            }
        });
        await using var connection = await OpenAsync(server.EndPoint, new DnsConnectionOptions { MaxInFlightPerConnection = 2 });

        var tasks = Enumerable.Range(0, 5).Select(i => connection.QueryAsync(Query($"w{i}.test."), TestContext.Current.CancellationToken).AsTask()).ToArray();
        await WaitForReceivedAsync(server, 2);
        await Task.Delay(200, TestContext.Current.CancellationToken);

        // Only two went out; the other three are waiting, not lost.
        Assert.Equal(2, server.Connections[0].Received.Count);
        Assert.Equal(5, connection.Load);
        Assert.All(tasks, t => Assert.False(t.IsCompleted));

        release.SetResult();
        var results = await Task.WhenAll(tasks).WaitAsync(Bound, TestContext.Current.CancellationToken);
        Assert.All(results, r => Assert.Equal(DnsStreamStatus.Answered, r.Status));
        Assert.Equal(5, server.Connections[0].Received.Count);
        foreach (var r in results)
        {
            r.Reply!.Dispose();
        }
    }

    [Fact]
    public async Task A_query_past_its_deadline_ends_as_a_timeout_freeing_its_slot_and_its_late_reply_is_ignored()
    {
        var time = new FakeTimeProvider();
        await using var server = new ScriptedTcpDnsServer(async connection =>
        {
            var slow = (await connection.ReadMessagesAsync(1))[0];
            var next = (await connection.ReadMessagesAsync(1))[0]; // sent only once the slow one left its slot
            await connection.SendAsync(ScriptedTcpDnsServer.Frame(ScriptedTcpDnsServer.Reply(slow, 1), ScriptedTcpDnsServer.Reply(next, 2)));
            await connection.DrainUntilClosedAsync();
        });
        await using var connection = await OpenAsync(server.EndPoint, new DnsConnectionOptions { TimeProvider = time, MaxInFlightPerConnection = 1 });

        var slow = connection.QueryAsync(Query("slow.test."), time.GetTimestamp() + time.TimestampFrequency, TestContext.Current.CancellationToken).AsTask();
        await WaitForReceivedAsync(server, 1);
        var next = connection.QueryAsync(Query("next.test."), TestContext.Current.CancellationToken).AsTask();
        Assert.False(slow.IsCompleted);

        time.Advance(TimeSpan.FromSeconds(1));

        var timedOut = await slow.WaitAsync(Bound, TestContext.Current.CancellationToken);
        Assert.Equal(DnsStreamStatus.Timeout, timedOut.Status);
        Assert.Null(timedOut.Reply);
        AssertAnswer(await next.WaitAsync(Bound, TestContext.Current.CancellationToken), "next.test.", 2, 0x4242);
        Assert.True(connection.IsOpen);
    }

    [Fact]
    public async Task A_query_waiting_for_a_slot_leaves_the_line_at_its_deadline_or_its_cancellation_and_is_never_sent()
    {
        var time = new FakeTimeProvider();
        var answer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new ScriptedTcpDnsServer(async connection =>
        {
            var first = (await connection.ReadMessagesAsync(1))[0];
            await answer.Task;
            await connection.SendAsync(ScriptedTcpDnsServer.Frame(ScriptedTcpDnsServer.Reply(first, 1)));
            while (await connection.ReadMessageAsync() is { } query)
            {
                await connection.SendAsync(ScriptedTcpDnsServer.Frame(ScriptedTcpDnsServer.Reply(query, 4)));
            }
        });
        await using var connection = await OpenAsync(server.EndPoint, new DnsConnectionOptions { TimeProvider = time, MaxInFlightPerConnection = 1 });

        var first = connection.QueryAsync(Query("first.test."), TestContext.Current.CancellationToken).AsTask();
        await WaitForReceivedAsync(server, 1);
        var late = connection.QueryAsync(Query("late.test."), time.GetTimestamp() + time.TimestampFrequency, TestContext.Current.CancellationToken).AsTask();
        using var cancel = new CancellationTokenSource();
        var canceled = connection.QueryAsync(Query("canceled.test."), cancel.Token).AsTask();
        Assert.Equal(3, connection.Load);

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(DnsStreamStatus.Timeout, (await late.WaitAsync(Bound, TestContext.Current.CancellationToken)).Status);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => canceled.WaitAsync(Bound, TestContext.Current.CancellationToken));

        answer.SetResult();
        AssertAnswer(await first.WaitAsync(Bound, TestContext.Current.CancellationToken), "first.test.", 1, 0x4242);
        AssertAnswer(await connection.QueryAsync(Query("after.test."), TestContext.Current.CancellationToken).AsTask().WaitAsync(Bound, TestContext.Current.CancellationToken), "after.test.", 4, 0x4242);
        Assert.Equal(["first.test", "after.test"], server.Connections[0].Received.Select(q => NameOf(q).TrimEnd('.')));
        Assert.Equal(0, connection.Load);
    }

    [Fact]
    public async Task Many_queries_one_after_another_each_get_their_own_answer()
    {
        // Each query's state (frame, question, reply) is reused by the next: nothing of one may show in another.
        await using var server = new ScriptedTcpDnsServer(async connection =>
        {
            int marker = 0;
            while (await connection.ReadMessageAsync() is { } query)
            {
                await connection.SendAsync(ScriptedTcpDnsServer.Frame(ScriptedTcpDnsServer.Reply(query, ++marker)));
            }
        });
        await using var connection = await OpenAsync(server.EndPoint);

        for (int i = 1; i <= 100; i++)
        {
            string name = i % 2 == 0 ? $"n{i}.test." : $"a-much-longer-name-for-query-{i}.example.test.";
            var result = await connection.QueryAsync(Query(name, id: (ushort)i), TestContext.Current.CancellationToken).AsTask().WaitAsync(Bound, TestContext.Current.CancellationToken);
            AssertAnswer(result, name, i, (ushort)i);
        }
    }

    [Fact]
    public async Task The_server_closing_with_queries_in_flight_ends_them_as_connection_lost()
    {
        await using var server = new ScriptedTcpDnsServer(async connection =>
        {
            await connection.ReadMessagesAsync(3);
            connection.Close();
        });
        await using var connection = await OpenAsync(server.EndPoint);

        var results = await Task.WhenAll(Enumerable.Range(0, 3).Select(i => connection.QueryAsync(Query($"l{i}.test."), TestContext.Current.CancellationToken).AsTask())).WaitAsync(Bound, TestContext.Current.CancellationToken);

        Assert.All(results, r => Assert.Equal(DnsStreamStatus.ConnectionLost, r.Status));
        Assert.False(connection.IsOpen);

        // And a query after the loss fails at once, without being sent.
        var after = await connection.QueryAsync(Query("after.test."), TestContext.Current.CancellationToken).AsTask().WaitAsync(Bound, TestContext.Current.CancellationToken);
        Assert.Equal(DnsStreamStatus.ConnectionLost, after.Status);
    }

    [Fact]
    public async Task An_idle_connection_closes_after_the_idle_timeout()
    {
        var time = new FakeTimeProvider();
        await using var server = new ScriptedTcpDnsServer(async connection =>
        {
            var query = (await connection.ReadMessagesAsync(1))[0];
            await connection.SendAsync(ScriptedTcpDnsServer.Frame(ScriptedTcpDnsServer.Reply(query, 1)));
            await connection.DrainUntilClosedAsync();
        });
        await using var connection = await OpenAsync(server.EndPoint, new DnsConnectionOptions { TimeProvider = time, IdleTimeout = TimeSpan.FromSeconds(10), RequestKeepalive = false });

        AssertAnswer(await connection.QueryAsync(Query("idle.test."), TestContext.Current.CancellationToken).AsTask().WaitAsync(Bound, TestContext.Current.CancellationToken), "idle.test.", 1, 0x4242);

        time.Advance(TimeSpan.FromSeconds(9.9));
        Assert.True(connection.IsOpen);

        time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.False(connection.IsOpen);
        Assert.StartsWith("idle", connection.CloseReason, StringComparison.Ordinal);

        // The server sees the client close.
        await server.Connections[0].ClientClosed.Task.WaitAsync(Bound, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_busy_connection_does_not_idle_out()
    {
        var time = new FakeTimeProvider();
        var answer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new ScriptedTcpDnsServer(async connection =>
        {
            var query = (await connection.ReadMessagesAsync(1))[0];
            await answer.Task;
            await connection.SendAsync(ScriptedTcpDnsServer.Frame(ScriptedTcpDnsServer.Reply(query, 1)));
            await connection.DrainUntilClosedAsync();
        });
        await using var connection = await OpenAsync(server.EndPoint, new DnsConnectionOptions { TimeProvider = time, IdleTimeout = TimeSpan.FromSeconds(10) });

        var pending = connection.QueryAsync(Query("busy.test."), TestContext.Current.CancellationToken).AsTask();
        await WaitForReceivedAsync(server, 1);
        time.Advance(TimeSpan.FromSeconds(60));
        Assert.True(connection.IsOpen);

        answer.SetResult();
        AssertAnswer(await pending.WaitAsync(Bound, TestContext.Current.CancellationToken), "busy.test.", 1, 0x4242);

        // Idle from now on: closes 10 s later.
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.False(connection.IsOpen);
    }

    [Fact]
    public async Task The_servers_edns_tcp_keepalive_shortens_the_idle_timeout_and_queries_ask_for_it()
    {
        var time = new FakeTimeProvider();
        await using var server = new ScriptedTcpDnsServer(async connection =>
        {
            var query = (await connection.ReadMessagesAsync(1))[0];
            var info = DnsQueryInfo.Parse(query);
            var reply = DnsMessageBuilder.ReplyTo(info, echoOpt: false)
                .AddA(RecordSection.Answer, info.QuestionName!, ScriptedTcpDnsServer.MarkerAddress(5))
                .AddOpt(1232, options: [0, 11, 0, 2, 0, 20]) // edns-tcp-keepalive, TIMEOUT 20 × 100 ms
                .Build();
            await connection.SendAsync(ScriptedTcpDnsServer.Frame(reply));
            await connection.DrainUntilClosedAsync();
        });
        await using var connection = await OpenAsync(server.EndPoint, new DnsConnectionOptions { TimeProvider = time, IdleTimeout = TimeSpan.FromSeconds(10) });

        AssertAnswer(await connection.QueryAsync(Query("keepalive.test."), TestContext.Current.CancellationToken).AsTask().WaitAsync(Bound, TestContext.Current.CancellationToken), "keepalive.test.", 5, 0x4242);

        Assert.Equal(TimeSpan.FromSeconds(2), connection.IdleTimeout);
        var sent = server.Connections[0].Received[0];
        Assert.True(EndsWithKeepaliveRequest(sent), "the query carries an empty edns-tcp-keepalive option (RFC 7828 §3.2.1)");

        time.Advance(TimeSpan.FromSeconds(1.9));
        Assert.True(connection.IsOpen);
        time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.False(connection.IsOpen);
    }

    [Fact]
    public async Task Disposing_ends_queries_in_flight_as_connection_lost()
    {
        await using var server = new ScriptedTcpDnsServer(async connection => await connection.DrainUntilClosedAsync());
        var connection = await OpenAsync(server.EndPoint);
        var pending = connection.QueryAsync(Query("dispose.test."), TestContext.Current.CancellationToken).AsTask();
        await WaitForReceivedAsync(server, 1);

        await connection.DisposeAsync().AsTask().WaitAsync(Bound, TestContext.Current.CancellationToken);

        Assert.Equal(DnsStreamStatus.ConnectionLost, (await pending.WaitAsync(Bound, TestContext.Current.CancellationToken)).Status);
    }

    [Fact]
    public async Task A_malformed_query_is_rejected_before_anything_is_sent()
    {
        await using var server = new ScriptedTcpDnsServer(async connection => await connection.DrainUntilClosedAsync());
        await using var connection = await OpenAsync(server.EndPoint);

        await Assert.ThrowsAsync<ArgumentException>(() => connection.QueryAsync(new byte[5], TestContext.Current.CancellationToken).AsTask());
        byte[] twoQuestions = Query("x.test.");
        twoQuestions[5] = 2;
        await Assert.ThrowsAsync<ArgumentException>(() => connection.QueryAsync(twoQuestions, TestContext.Current.CancellationToken).AsTask());
        Assert.True(connection.IsOpen);
    }

    internal static async Task WaitForReceivedAsync(ScriptedTcpDnsServer server, int count)
    {
        using var timeout = new CancellationTokenSource(Bound);
        while (server.Connections.Sum(c => c.Received.Count) < count)
        {
            await Task.Delay(5, timeout.Token);
        }
    }

    /// <summary>A copy of <paramref name="query"/> asking another question, with the given wire ID.</summary>
    private static byte[] Rewrite(byte[] query, string name, DnsRecordType type, ushort id)
    {
        _ = query;
        return Query(name, type, id);
    }

    private static bool EndsWithKeepaliveRequest(byte[] query)
        => query.Length >= 4 && query[^4] == 0 && query[^3] == 11 && query[^2] == 0 && query[^1] == 0;
}
