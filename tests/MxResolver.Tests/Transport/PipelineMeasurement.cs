using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using MxResolver.Dns;
using MxResolver.Tests.Infrastructure;
using MxResolver.Transport;

namespace MxResolver.Tests.Transport;

/// <summary>
/// Throughput of pipelined TCP against a loopback Unbound, for the stall investigation. Explicit: never
/// part of a normal run. Run by hand:
/// <c>dotnet test --project tests/MxResolver.Tests -c Release -- --explicit only --filter-class MxResolver.Tests.Transport.PipelineMeasurement</c>;
/// the figures go to the test output and to $TMPDIR/mxr-pipeline-measurement.txt.
/// Each variant is a closed loop: <c>inFlight</c> workers each send their next query as soon as the last is answered
/// (the shape of <c>dnsperf -q</c>); the batch variants send 64 at once and wait for all 64 (the prototype's shape).
/// </summary>
/// <remarks>
/// <para>Findings (2 shared cores, Unbound 1.17 single thread, loopback; client and server compete for the CPU):</para>
/// <list type="bullet">
/// <item><description>Unbound sets no TCP_NODELAY on accepted DNS connections (strace: no setsockopt after
/// accept4; only DoH has <c>http-nodelay</c>) and writes each reply with its own writev (2-byte length +
/// message), reading each query with two recvfrom calls.</description></item>
/// <item><description>Batches of 64, TCP_QUICKACK off: every batch takes ~44 ms (p50 44.0 ms, 1,000/1,000
/// batches ≥ 30 ms), ~1,400 q/s, with 1 or 4 connections; <c>nstat</c> counts 4,176 TcpExtDelayedACKs for
/// 2,000 batches. With TCP_QUICKACK set after every read: mean batch 1.3–2.4 ms, 26,000–51,000 q/s,
/// TcpExtDelayedACKs 1. So the stall is Nagle on Unbound's side (second reply held until the first is
/// acknowledged) against the client's delayed ACK (40 ms minimum on Linux) once the client has nothing
/// more to send.</description></item>
/// <item><description>Closed loop (a new query as soon as one is answered): the client keeps sending, ACKs ride
/// on queries, and stalls are rare either way: 1 connection × 64 in flight 33,000–53,000 q/s without
/// QUICKACK (57–124 replies ≥ 30 ms per 20,000–100,000), 44,000–48,000 q/s with it (0–64); 2 connections
/// 36,000–45,000 vs 50,000–52,000 q/s; 4 connections 26,000–56,000 vs 36,000–40,000 q/s; 1 in flight
/// 7,000–14,000 q/s. 256 in flight only adds queueing (mean 5–13 ms) at 20,000–51,000 q/s.</description></item>
/// <item><description>dnsperf 2.10 against the same Unbound: UDP 64 outstanding 107,000 q/s; TCP 1 client × 64
/// outstanding 52,000 q/s (max latency 48.9 ms); 4 clients × 256 outstanding 52,600 q/s (max 49.8 ms).
/// Our client with QUICKACK reaches that TCP capacity with one connection; the machine's CPU, not the
/// transport, is the limit here.</description></item>
/// </list>
/// </remarks>
public sealed class PipelineMeasurement
{
    private static readonly string Name = Environment.GetEnvironmentVariable("MXR_NAME") ?? "plain.mx.test.";

    [Fact(Explicit = true)]
    public async Task Measure_variants()
    {
        var extra = (Environment.GetEnvironmentVariable("MXR_UNBOUND_EXTRA") ?? string.Empty)
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var options = UnboundServerOptions.SharedZone();
        options.ExtraServerConfig.AddRange(extra);
        await using var unbound = await UnboundServer.StartAsync(options, TestContext.Current.CancellationToken);

        // MXR_SERVER=127.0.0.1:port measures another loopback server (e.g. one dnsperf is also pointed at).
        string? other = Environment.GetEnvironmentVariable("MXR_SERVER");
        var server = NameServerEndpoint.ForTcp(other is null ? unbound.EndPoint : IPEndPoint.Parse(other));
        Assert.True(IPAddress.IsLoopback(server.EndPoint.Address), "loopback only");
        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"unbound extra config: [{string.Join("; ", extra)}]");
        int queries = int.Parse(Environment.GetEnvironmentVariable("MXR_QUERIES") ?? "20000", CultureInfo.InvariantCulture);

        var variants = new (string Label, int Connections, int InFlight, bool QuickAck, bool Keepalive)[]
        {
            ("1 conn, 1 in flight, quickack off", 1, 1, false, true),
            ("1 conn, 64 in flight, quickack off", 1, 64, false, true),
            ("1 conn, 64 in flight, quickack on", 1, 64, true, true),
            ("1 conn, 256 in flight, quickack off", 1, 256, false, true),
            ("1 conn, 256 in flight, quickack on", 1, 256, true, true),
            ("2 conn, 64 in flight, quickack off", 2, 64, false, true),
            ("2 conn, 64 in flight, quickack on", 2, 64, true, true),
            ("4 conn, 64 in flight, quickack off", 4, 64, false, true),
            ("4 conn, 64 in flight, quickack on", 4, 64, true, true),
            ("4 conn, 256 in flight, quickack off", 4, 256, false, true),
            ("4 conn, 256 in flight, quickack on", 4, 256, true, true),
        };
        string? only = Environment.GetEnvironmentVariable("MXR_VARIANT");
        foreach (var (label, connections, inFlight, quickAck, keepalive) in variants)
        {
            if (only is not null && !label.Contains(only, StringComparison.Ordinal))
            {
                continue;
            }

            await using var pool = new DnsConnectionPool(new DnsConnectionOptions
            {
                MaxConnectionsPerServer = connections,
                MaxInFlightPerConnection = Math.Max(inFlight, 64),
                OpenAnotherAtLoad = 1,
                QuickAck = quickAck,
                RequestKeepalive = keepalive,
            });

            // Warm up: open every connection.
            await RunAsync(pool, server, Math.Min(queries / 10, 2000), inFlight);
            var (rate, mean, p50, p99, max, stalls) = await RunAsync(pool, server, queries, inFlight);
            report.AppendLine(CultureInfo.InvariantCulture,
                $"{label,-40} conns={pool.GetConnections(server).Count} {rate,9:0} q/s  mean {mean,7:0.000} ms  p50 {p50,7:0.000}  p99 {p99,7:0.000}  max {max,7:0.0} ms  replies>=30ms: {stalls}");
        }

        // Batches: send 64 queries at once, wait for all 64, repeat: the shape that stalled in the prototype.
        foreach (var (connections, quickAck) in new[] { (1, false), (1, true), (4, false), (4, true) })
        {
            if (only is not null && (!only.Contains("batch", StringComparison.Ordinal) || only.EndsWith(quickAck ? "-off" : "-on", StringComparison.Ordinal)))
            {
                continue;
            }

            await using var pool = new DnsConnectionPool(new DnsConnectionOptions
            {
                MaxConnectionsPerServer = connections,
                MaxInFlightPerConnection = 64,
                OpenAnotherAtLoad = 64 / connections,
                QuickAck = quickAck,
            });
            await BatchesAsync(pool, server, 20, 64);
            int batches = Math.Max(queries / 64, 20);
            var (perBatch, p50, max, slow) = await BatchesAsync(pool, server, batches, 64);
            report.AppendLine(CultureInfo.InvariantCulture,
                $"batches of 64, {connections} conn, quickack {(quickAck ? "on " : "off")} conns={pool.GetConnections(server).Count} {64 / perBatch * 1000,9:0} q/s  mean batch {perBatch,7:0.000} ms  p50 {p50,7:0.000}  max {max,7:0.0} ms  batches>=30ms: {slow}/{batches}");
        }

        string text = report.ToString();
        TestContext.Current.TestOutputHelper?.WriteLine(text);
        await File.WriteAllTextAsync(Path.Combine(Path.GetTempPath(), "mxr-pipeline-measurement.txt"), text, TestContext.Current.CancellationToken);
        Assert.Contains("q/s", text, StringComparison.Ordinal);
    }

    private static async Task<(double Mean, double P50, double Max, int Slow)> BatchesAsync(DnsConnectionPool pool, NameServerEndpoint server, int batches, int size)
    {
        var query = new byte[DnsQueryWriter.MaxQueryLength];
        int length = DnsQueryWriter.Write(query, 0x1234, Name, DnsRecordType.MX);
        var times = new double[batches];
        var tasks = new Task<DnsStreamResult>[size];
        for (int b = 0; b < batches; b++)
        {
            long started = Stopwatch.GetTimestamp();
            for (int i = 0; i < size; i++)
            {
                tasks[i] = pool.QueryAsync(server, query.AsMemory(0, length), TimeSpan.FromSeconds(5), CancellationToken.None).AsTask();
            }

            foreach (var result in await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(30)))
            {
                Assert.Equal(DnsStreamStatus.Answered, result.Status);
                result.Reply!.Dispose();
            }

            times[b] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }

        double mean = times.Average();
        Array.Sort(times);
        return (mean, times[batches / 2], times[^1], times.Count(t => t >= 30));
    }

    private static async Task<(double Rate, double Mean, double P50, double P99, double Max, int Stalls)> RunAsync(DnsConnectionPool pool, NameServerEndpoint server, int total, int inFlight)
    {
        var latencies = new double[total];
        int next = -1;
        var clock = Stopwatch.StartNew();
        async Task Worker()
        {
            var query = new byte[DnsQueryWriter.MaxQueryLength];
            int length = DnsQueryWriter.Write(query, 0x1234, Name, DnsRecordType.MX);
            while (true)
            {
                int index = Interlocked.Increment(ref next);
                if (index >= total)
                {
                    return;
                }

                long started = Stopwatch.GetTimestamp();
                var result = await pool.QueryAsync(server, query.AsMemory(0, length), TimeSpan.FromSeconds(5), CancellationToken.None);
                latencies[index] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (result.Status != DnsStreamStatus.Answered)
                {
                    throw new InvalidOperationException(result.Status + ": " + result.Detail);
                }

                result.Reply!.Dispose();
            }
        }

        await Task.WhenAll(Enumerable.Range(0, inFlight).Select(_ => Task.Run(Worker))).WaitAsync(TimeSpan.FromMinutes(2));
        double seconds = clock.Elapsed.TotalSeconds;
        Array.Sort(latencies);
        return (total / seconds, latencies.Average(), latencies[total / 2], latencies[(int)(total * 0.99)], latencies[^1], latencies.Count(l => l >= 30));
    }
}
