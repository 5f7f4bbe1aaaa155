using BenchmarkDotNet.Attributes;
using DnsClient;
using MxResolver.Dns;
using MxResolver.Lookup;

namespace MxResolver.Benchmarks;

/// <summary>
/// One uncached MX query against a loopback Unbound (answer served from Unbound's memory), one at a
/// time and 64 at once, for <see cref="DnsStubClient"/> and DnsClient.NET 1.8.0's LookupClient
/// (UseCache = false) pointed at the same server. The 64-way benchmarks report per query
/// (OperationsPerInvoke = 64).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class QueryBenchmarks
{
    private const int Concurrency = 64;

    private LoopbackUnbound _unbound = null!;
    private DnsStubClient _stub = null!;
    private LookupClient _lookupClient = null!;
    private readonly Task[] _tasks = new Task[Concurrency];

    [GlobalSetup]
    public void Setup()
    {
        _unbound = LoopbackUnbound.Start();
        _stub = new DnsStubClient(new DnsStubClientOptions { NameServers = [_unbound.EndPoint] });
        _lookupClient = new LookupClient(new LookupClientOptions(new NameServer(_unbound.EndPoint))
        {
            UseCache = false,
            Timeout = TimeSpan.FromSeconds(2),
            Retries = 2,
        });

        // Prove both clients get the real answer before measuring anything.
        if (_stub.QueryAsync(LoopbackUnbound.MxName, DnsRecordType.MX).GetAwaiter().GetResult().Answers.Count != 3
            || _lookupClient.Query(LoopbackUnbound.MxName, QueryType.MX).Answers.Count != 3)
        {
            throw new InvalidOperationException("The loopback Unbound does not serve the benchmark zone.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _unbound.Dispose();

    [Benchmark(Description = "DnsStubClient, materialized response")]
    public Task<DnsResponse> StubClient() => _stub.QueryAsync(LoopbackUnbound.MxName, DnsRecordType.MX);

    /// <summary>The path MX resolution takes: the reply reduced in place to a DnsAnswer (MX records, TTL).</summary>
    [Benchmark(Description = "DnsStubClient, DnsAnswer read in place")]
    public ValueTask<int> StubClientInPlace() =>
        _stub.QueryAsync(LoopbackUnbound.MxName, DnsRecordType.MX, static (message, name) => DnsAnswerReader.Read(message, name, DnsRecordType.MX).MxRecords.Length, LoopbackUnbound.MxName, CancellationToken.None);

    [Benchmark(Baseline = true, Description = "DnsClient.NET LookupClient")]
    public Task<IDnsQueryResponse> DnsClientNet() => _lookupClient.QueryAsync(LoopbackUnbound.MxName, QueryType.MX);

    [Benchmark(OperationsPerInvoke = Concurrency, Description = "DnsStubClient, materialized response, 64 concurrent")]
    public Task StubClientConcurrent()
    {
        for (int i = 0; i < Concurrency; i++)
        {
            _tasks[i] = _stub.QueryAsync(LoopbackUnbound.MxName, DnsRecordType.MX);
        }

        return Task.WhenAll(_tasks);
    }

    [Benchmark(OperationsPerInvoke = Concurrency, Description = "DnsStubClient, DnsAnswer read in place, 64 concurrent")]
    public Task StubClientInPlaceConcurrent()
    {
        for (int i = 0; i < Concurrency; i++)
        {
            _tasks[i] = StubClientInPlace().AsTask();
        }

        return Task.WhenAll(_tasks);
    }

    [Benchmark(OperationsPerInvoke = Concurrency, Description = "DnsClient.NET LookupClient, 64 concurrent")]
    public Task DnsClientNetConcurrent()
    {
        for (int i = 0; i < Concurrency; i++)
        {
            _tasks[i] = _lookupClient.QueryAsync(LoopbackUnbound.MxName, QueryType.MX);
        }

        return Task.WhenAll(_tasks);
    }
}
