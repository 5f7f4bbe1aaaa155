using System.Net;
using BenchmarkDotNet.Attributes;
using DnsClient;
using DnsClient.Protocol;
using MxResolver.Dns;
using DnsMxRecord = DnsClient.Protocol.MxRecord;
using MxResolver.Caching;
using MxResolver.Diagnostics;
using MxResolver.Lookup;
using MxResolver.Configuration;

namespace MxResolver.Benchmarks;

/// <summary>
/// A cached <see cref="MailExchangeResolver.ResolveAsync"/> of a 5-target domain (tie
/// shuffle and addresses included) against DnsClient.NET doing the same work from its own cache:
/// the MX query, then A and AAAA of every exchange. Both first fill their caches from the same
/// loopback server, so no query leaves the machine during the measurement.
/// </summary>
[MemoryDiagnoser]
public class CacheBenchmarks
{
    private const string Domain = "bench.test";

    private LoopbackDnsServer _server = null!;
    private MailExchangeResolver _resolver = null!;
    private MxResolverTelemetry _telemetry = null!;
    private LookupClient _dnsClient = null!;

    [GlobalSetup]
    public void Setup()
    {
        _server = new LoopbackDnsServer();
        _server.AddMx(Domain + ".", 3600,
            (10, "mx1.bench.test."), (10, "mx2.bench.test."), (10, "mx3.bench.test."), (20, "mx4.bench.test."), (20, "mx5.bench.test."));
        for (int i = 1; i <= 5; i++)
        {
            _server.AddAddress($"mx{i}.bench.test.", 3600, IPAddress.Parse($"192.0.2.{i}"));
            _server.AddAddress($"mx{i}.bench.test.", 3600, IPAddress.Parse($"2001:db8::{i}"));
        }

        var options = new MxResolverOptions { NameServers = { _server.EndPoint.ToString() } };
        var stub = new DnsStubClient(new DnsStubClientOptions { NameServers = { _server.EndPoint } });
        _telemetry = new MxResolverTelemetry();
        var cache = new CachingDnsLookup(new DnsLookup(stub), new MxCacheOptions(), TimeProvider.System, _telemetry);
        _resolver = new MailExchangeResolver(options, cache, TimeProvider.System, Random.Shared, logger: null);
        MxResolution warm = _resolver.ResolveAsync(Domain).AsTask().GetAwaiter().GetResult();
        if (warm.Targets.Count != 5 || warm.Targets.Sum(t => t.Addresses.Count) != 10)
        {
            throw new InvalidOperationException($"The loopback server did not give 5 targets with 10 addresses: {warm.Status} {warm.Error}");
        }

        _dnsClient = new LookupClient(new LookupClientOptions(new NameServer(_server.EndPoint))
        {
            UseCache = true,
            Retries = 0,
            Timeout = TimeSpan.FromSeconds(5),
            UseTcpFallback = false,
        });
        int addresses = DnsClientSameWork().GetAwaiter().GetResult();
        if (addresses != 10)
        {
            throw new InvalidOperationException($"DnsClient.NET got {addresses} addresses, not 10.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Console.WriteLine($"// Queries at the loopback server: {_server.QueryCount} (22 to fill both caches)");
        _server.Dispose();
        _telemetry.Dispose();
    }

    [Benchmark(Description = "MxResolver: cached ResolveAsync, 5 targets")]
    public ValueTask<MxResolution> MxResolverCached() => _resolver.ResolveAsync(Domain);

    [Benchmark(Baseline = true, Description = "DnsClient.NET 1.8.0: cached MX + 5 x (A, AAAA)")]
    public Task<int> DnsClientCached() => DnsClientSameWork();

    private async Task<int> DnsClientSameWork()
    {
        IDnsQueryResponse mx = await _dnsClient.QueryAsync(Domain, QueryType.MX).ConfigureAwait(false);
        int addresses = 0;
        foreach (DnsMxRecord record in mx.Answers.MxRecords())
        {
            string exchange = record.Exchange.Value;
            IDnsQueryResponse a = await _dnsClient.QueryAsync(exchange, QueryType.A).ConfigureAwait(false);
            IDnsQueryResponse aaaa = await _dnsClient.QueryAsync(exchange, QueryType.AAAA).ConfigureAwait(false);
            addresses += a.Answers.Count + aaaa.Answers.Count;
        }

        return addresses;
    }
}
