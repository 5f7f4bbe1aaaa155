using System.Net.Sockets;
using System.Threading.Tasks.Sources;
using BenchmarkDotNet.Attributes;
using DnsClient;
using MxResolver.Dns;
using MxResolver.Lookup;

namespace MxResolver.Benchmarks;

/// <summary>
/// One uncached MX query against a loopback Unbound (answer served from Unbound's memory), one at a
/// time and 64 at once, for <see cref="DnsStubClient"/> and DnsClient.NET 1.8.0's LookupClient
/// (UseCache = false) pointed at the same server. The 64-way benchmarks report per query
/// (OperationsPerInvoke = 64). The "floor" benchmarks do the least a fresh-socket UDP query can do
/// in .NET — open, connect, send a prepared query, await one datagram with a reused awaitable,
/// close — with no ID, validation, timeout or parsing: what no client that opens a socket per query
/// (RFC 5452 §9.2) can beat on this machine. The "pipelined TCP" rows ask over one persistent
/// connection (tcp://, RFC 7766 pipelining) instead of a socket per query.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class QueryBenchmarks
{
    private const int Concurrency = 64;

    private LoopbackUnbound _unbound = null!;
    private DnsStubClient _stub = null!;
    private DnsStubClient _stubTcp = null!;
    private LookupClient _lookupClient = null!;
    private readonly Task[] _tasks = new Task[Concurrency];
    private readonly BareReceive[] _bare = new BareReceive[Concurrency];
    private byte[] _query = null!;

    [GlobalSetup]
    public void Setup()
    {
        _unbound = LoopbackUnbound.Start();
        _stub = new DnsStubClient(new DnsStubClientOptions { NameServers = [_unbound.EndPoint] });
        _stubTcp = new DnsStubClient(new DnsStubClientOptions { NameServerEntries = { "tcp://" + _unbound.EndPoint } });
        _lookupClient = new LookupClient(new LookupClientOptions(new NameServer(_unbound.EndPoint))
        {
            UseCache = false,
            Timeout = TimeSpan.FromSeconds(2),
            Retries = 2,
        });

        _query = new byte[DnsQueryWriter.MaxQueryLength];
        _query = _query[..DnsQueryWriter.Write(_query, 0x4D58, LoopbackUnbound.MxName, DnsRecordType.MX, udpPayloadSize: 1232)];
        for (int i = 0; i < Concurrency; i++)
        {
            _bare[i] = new BareReceive();
        }

        // Prove both clients get the real answer before measuring anything.
        if (_stub.QueryAsync(LoopbackUnbound.MxName, DnsRecordType.MX).GetAwaiter().GetResult().Answers.Count != 3
            || _stubTcp.QueryAsync(LoopbackUnbound.MxName, DnsRecordType.MX).GetAwaiter().GetResult().Answers.Count != 3
            || _lookupClient.Query(LoopbackUnbound.MxName, QueryType.MX).Answers.Count != 3
            || BareUdpExchange(_bare[0]).AsTask().GetAwaiter().GetResult() < _query.Length)
        {
            throw new InvalidOperationException("The loopback Unbound does not serve the benchmark zone.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _stubTcp.Dispose();
        _unbound.Dispose();
    }

    [Benchmark(Description = "DnsStubClient, materialized response")]
    public Task<DnsResponse> StubClient() => _stub.QueryAsync(LoopbackUnbound.MxName, DnsRecordType.MX);

    /// <summary>The path MX resolution takes: the reply reduced in place to a DnsAnswer (MX records, TTL).</summary>
    [Benchmark(Description = "DnsStubClient, DnsAnswer read in place")]
    public ValueTask<int> StubClientInPlace() =>
        _stub.QueryAsync(LoopbackUnbound.MxName, DnsRecordType.MX, static (ReadOnlySpan<byte> message, in DnsReplyScan scan, string name) => DnsAnswerReader.Read(message, scan, name, DnsRecordType.MX, out _).MxRecords.Length, LoopbackUnbound.MxName, CancellationToken.None);

    /// <summary>The same over a persistent pipelined TCP connection (<c>tcp://</c>): no socket per query.</summary>
    [Benchmark(Description = "DnsStubClient over pipelined TCP, DnsAnswer read in place")]
    public ValueTask<int> StubClientTcpInPlace() =>
        _stubTcp.QueryAsync(LoopbackUnbound.MxName, DnsRecordType.MX, static (ReadOnlySpan<byte> message, in DnsReplyScan scan, string name) => DnsAnswerReader.Read(message, scan, name, DnsRecordType.MX, out _).MxRecords.Length, LoopbackUnbound.MxName, CancellationToken.None);

    [Benchmark(Baseline = true, Description = "DnsClient.NET LookupClient")]
    public Task<IDnsQueryResponse> DnsClientNet() => _lookupClient.QueryAsync(LoopbackUnbound.MxName, QueryType.MX);

    [Benchmark(Description = "Floor: bare fresh-socket UDP exchange")]
    public ValueTask<int> BareUdp() => BareUdpExchange(_bare[0]);

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

    [Benchmark(OperationsPerInvoke = Concurrency, Description = "DnsStubClient over pipelined TCP, DnsAnswer read in place, 64 concurrent")]
    public Task StubClientTcpInPlaceConcurrent()
    {
        for (int i = 0; i < Concurrency; i++)
        {
            _tasks[i] = StubClientTcpInPlace().AsTask();
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

    [Benchmark(OperationsPerInvoke = Concurrency, Description = "Floor: bare fresh-socket UDP exchange, 64 concurrent")]
    public Task BareUdpConcurrent()
    {
        for (int i = 0; i < Concurrency; i++)
        {
            _tasks[i] = BareUdpExchange(_bare[i]).AsTask();
        }

        return Task.WhenAll(_tasks);
    }

    private async ValueTask<int> BareUdpExchange(BareReceive receive)
    {
        using var socket = new Socket(_unbound.EndPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        socket.Connect(_unbound.EndPoint);
        socket.Send(_query);
        return await receive.ReceiveAsync(socket).ConfigureAwait(false);
    }

    /// <summary>A reusable awaitable receive into its own buffer: no allocation per datagram.</summary>
    private sealed class BareReceive : SocketAsyncEventArgs, IValueTaskSource<int>
    {
        private ManualResetValueTaskSourceCore<int> _core;

        public BareReceive()
            : base(unsafeSuppressExecutionContextFlow: true) => SetBuffer(new byte[1232]);

        public ValueTask<int> ReceiveAsync(Socket socket)
        {
            _core.Reset();
            return socket.ReceiveAsync(this) ? new ValueTask<int>(this, _core.Version) : new ValueTask<int>(BytesTransferred);
        }

        protected override void OnCompleted(SocketAsyncEventArgs e)
        {
            if (SocketError == SocketError.Success)
            {
                _core.SetResult(BytesTransferred);
            }
            else
            {
                _core.SetException(new SocketException((int)SocketError));
            }
        }

        public int GetResult(short token) => _core.GetResult(token);

        public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) => _core.OnCompleted(continuation, state, token, flags);
    }
}
