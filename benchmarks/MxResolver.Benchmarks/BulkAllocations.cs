using System.Buffers;
using System.Diagnostics.Tracing;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using MxResolver.Dns;
using MxResolver.Transport;

namespace MxResolver.Benchmarks;

/// <summary>
/// The allocation figures of <see cref="BulkBenchmarks"/> without BenchmarkDotNet (allocation does
/// not depend on the machine's load, so this runs anywhere, busy or not):
/// <list type="bullet">
/// <item>bytes allocated per domain (<see cref="GC.GetTotalAllocatedBytes(bool)"/>, the whole process)
/// for each row, and the types they go to (the runtime's randomized allocation samples, .NET 10,
/// summed by type and scaled to the measured total);</item>
/// <item>the floor of a UDP query with a fresh socket (RFC 5452 §9.2): what the BCL allocates to
/// create, connect, send on, receive on (with a reused <see cref="SocketAsyncEventArgs"/>) and close
/// one socket, next to what <see cref="DnsStubClient"/> allocates per query. A domain of the bulk
/// zone costs five queries.</item>
/// </list>
/// Run: <c>dotnet run -c Release --project benchmarks/MxResolver.Benchmarks -- --bulk-allocations [rounds]</c>.
/// Environment: <c>ROWS=UDP,TCP</c> picks rows, <c>TOP=40</c> lists more types.
/// </summary>
internal static class BulkAllocations
{
    public const string Switch = "--bulk-allocations";

    private const int InFlight = 64;
    private const int FloorQueries = 20_000;

    public static void Run(string[] args)
    {
        int rounds = args.SkipWhile(a => a != Switch).Skip(1).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).FirstOrDefault(5);
        int top = int.TryParse(Environment.GetEnvironmentVariable("TOP"), out int t) ? t : 15;
        string[]? rows = Environment.GetEnvironmentVariable("ROWS")?.Split(',');
        var bench = new BulkBenchmarks();
        bench.Setup(); // also runs every row once: the warm-up
        try
        {
            foreach ((string row, Func<Task<int>> run) in new (string, Func<Task<int>>)[] { ("UDP", bench.MxResolverUdp), ("TCP", bench.MxResolverTcp), ("TLS", bench.MxResolverTls), ("DnsClient.NET", bench.DnsClientNet) })
            {
                if (rows is null || rows.Contains(row))
                {
                    Measure(row, "domain", rounds * BulkBenchmarks.Domains, top, () => RunRounds(row, run, rounds));
                }
            }

            if (rows is null || rows.Contains("floor"))
            {
                IPEndPoint server = bench.UnboundEndPoint;
                byte[] query = new byte[DnsQueryWriter.MaxQueryLength];
                int length = DnsQueryWriter.Write(query, 0x1234, "mx1.d7.bulk.test.", DnsRecordType.A, udpPayloadSize: 1232, authenticData: true);
                var exchanges = new UdpExchange.Pool(TimeProvider.System);
                Measure("UDP floor, fresh socket", "query", FloorQueries, top, () => RunQueries(_ => FreshSocketExchangeAsync(exchanges, server, query.AsMemory(0, length))));
                var client = new DnsStubClient(new DnsStubClientOptions { NameServers = { server } });
                Measure("DnsStubClient over UDP", "query", FloorQueries, top, () => RunQueries(i => client.QueryAsync(
                    string.Create(CultureInfo.InvariantCulture, $"mx1.d{i % BulkBenchmarks.Domains}.bulk.test."),
                    DnsRecordType.A,
                    static (ReadOnlySpan<byte> message, in DnsReplyScan scan, int state) => message.Length,
                    0,
                    CancellationToken.None)));
            }
        }
        finally
        {
            bench.Cleanup();
        }
    }

    /// <summary>Runs <paramref name="work"/> once to warm up, once to count bytes, once more to sample types.</summary>
    private static void Measure(string what, string unit, int operations, int top, Action work)
    {
        work();
        long before = GC.GetTotalAllocatedBytes(precise: true);
        work();
        long after = GC.GetTotalAllocatedBytes(precise: true);
        double perOperation = (after - before) / (double)operations;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{what}: {perOperation:N0} bytes per {unit}"));

        // The types in a pass of their own: the listener allocates for every event it gets.
        using var listener = new AllocationListener();
        work();
        Dictionary<string, long> samples = listener.Stop();
        long total = samples.Values.Sum();
        foreach ((string type, long count) in samples.OrderByDescending(static pair => pair.Value).Take(top))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {count * perOperation / total,8:N0}  {type}"));
        }
    }

    private static void RunRounds(string row, Func<Task<int>> run, int rounds)
    {
        for (int r = 0; r < rounds; r++)
        {
            int complete = run().GetAwaiter().GetResult();
            if (complete != BulkBenchmarks.Domains)
            {
                throw new InvalidOperationException($"{row}: {complete} of {BulkBenchmarks.Domains} domains complete.");
            }
        }
    }

    /// <summary><see cref="FloorQueries"/> operations, <see cref="InFlight"/> at a time.</summary>
    private static void RunQueries(Func<int, ValueTask<int>> query)
    {
        int next = -1;
        Task[] workers = new Task[InFlight];
        for (int w = 0; w < workers.Length; w++)
        {
            workers[w] = Task.Run(async () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < FloorQueries)
                {
                    if (await query(i).ConfigureAwait(false) <= 0)
                    {
                        throw new InvalidOperationException("No reply.");
                    }
                }
            });
        }

        Task.WaitAll(workers);
    }

    /// <summary>One UDP exchange as the stub client makes it, without the client: only the socket's own allocations remain.</summary>
    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    private static async ValueTask<int> FreshSocketExchangeAsync(UdpExchange.Pool pool, IPEndPoint server, ReadOnlyMemory<byte> query)
    {
        UdpExchange exchange = pool.Rent();
        byte[] buffer = ArrayPool<byte>.Shared.Rent(1232);
        var socket = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.Blocking = false;
            socket.Connect(server);
            exchange.Arm(socket, TimeSpan.FromSeconds(5));
            socket.Send(query.Span, SocketFlags.None, out _);
            UdpDatagram datagram = await exchange.ReceiveAsync(socket, buffer).ConfigureAwait(false);
            return datagram.Length;
        }
        finally
        {
            exchange.Disarm();
            socket.Dispose();
            pool.Return(exchange);
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Counts the runtime's randomized allocation samples (.NET 10's AllocationSampled event) by type name.</summary>
    private sealed class AllocationListener : EventListener
    {
        // The AllocationSampling keyword: an unbiased sample about every 100 KB allocated.
        private const EventKeywords AllocationSampling = (EventKeywords)0x80000000000;

        private readonly object _gate = new();
        private readonly Dictionary<string, long> _types = [];
        private bool _stopped;

        /// <summary>Stops counting and returns the samples by type name.</summary>
        public Dictionary<string, long> Stop()
        {
            lock (_gate)
            {
                _stopped = true;
                return new Dictionary<string, long>(_types);
            }
        }

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(eventSource, EventLevel.Verbose, AllocationSampling);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs eventData)
        {
            if (eventData.EventName != "AllocationSampled" || eventData.PayloadNames is null || eventData.Payload is null)
            {
                return;
            }

            string type = eventData.Payload[eventData.PayloadNames.IndexOf("TypeName")] as string ?? "?";
            lock (_gate)
            {
                if (!_stopped)
                {
                    _types[type] = _types.GetValueOrDefault(type) + 1;
                }
            }
        }
    }
}
