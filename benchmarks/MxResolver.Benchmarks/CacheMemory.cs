using System.Collections.Immutable;
using System.Net;
using MxResolver.Caching;
using MxResolver.Diagnostics;
using MxResolver.Dns;
using MxResolver.Lookup;
using MxResolver.Configuration;

namespace MxResolver.Benchmarks;

/// <summary>
/// The cache memory figure: bytes per cached domain with 100,000 domains cached, measured
/// with <see cref="GC.GetTotalMemory(bool)"/> before and after resolving every domain once through
/// the resolver and both caches (DNS answers and resolutions). The answers come from an in-memory
/// lookup that builds fresh strings and arrays like the network lookup does.
/// Run: <c>dotnet run -c Release --project benchmarks/MxResolver.Benchmarks -- --cache-memory</c>.
/// </summary>
internal static class CacheMemory
{
    public const string Switch = "--cache-memory";

    public static void Run()
    {
        const int Domains = 100_000;
        Measure("shared provider (each domain: MX 10/20 -> two shared hosts)", Domains, sharedHosts: true);
        Measure("own host (each domain: MX 10 -> its own host with A and AAAA)", Domains, sharedHosts: false);
    }

    private static void Measure(string shape, int domains, bool sharedHosts)
    {
        using var telemetry = new MxResolverTelemetry();
        var cache = new CachingDnsLookup(new SyntheticLookup(sharedHosts), new MxCacheOptions { MaxEntries = 1_000_000 }, TimeProvider.System, telemetry);
        var resolver = new MailExchangeResolver(new MxResolverOptions(), cache, TimeProvider.System, Random.Shared, logger: null);
        string[] names = Enumerable.Range(0, domains).Select(i => $"customer{i}.example").ToArray();
        resolver.ResolveAsync("warm-up.example").AsTask().GetAwaiter().GetResult();

        long before = GC.GetTotalMemory(forceFullCollection: true);
        foreach (string name in names)
        {
            MxResolution result = resolver.ResolveAsync(name).AsTask().GetAwaiter().GetResult();
            if (!result.IsSuccess)
            {
                throw new InvalidOperationException($"{name}: {result.Status} {result.Error}");
            }
        }

        long after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(resolver);
        GC.KeepAlive(names);
        Console.WriteLine($"{shape}: {domains:N0} domains, {cache.Count:N0} DNS answers cached, {(after - before) / (double)domains:N0} bytes per cached domain");
    }

    /// <summary>Answers every MX, A and AAAA question; TTL one hour.</summary>
    private sealed class SyntheticLookup(bool sharedHosts) : IDnsLookup
    {
        public ValueTask<DnsAnswer> LookupAsync(string name, DnsRecordType type, CancellationToken cancellationToken)
        {
            DnsAnswer answer = type switch
            {
                DnsRecordType.MX => new DnsAnswer(name, type, DnsAnswerKind.Success)
                {
                    MxRecords = sharedHosts
                        ? [new MxAnswer(10, string.Concat("mx1.provider", ".example.")), new MxAnswer(20, string.Concat("mx2.provider", ".example."))]
                        : [new MxAnswer(10, string.Concat("mail.", name))],
                    TimeToLive = 3600,
                },
                DnsRecordType.A => new DnsAnswer(name, type, DnsAnswerKind.Success) { Addresses = [new IPAddress([192, 0, 2, (byte)name.Length])], TimeToLive = 3600 },
                _ => new DnsAnswer(name, type, DnsAnswerKind.Success) { Addresses = [IPAddress.Parse("2001:db8::" + name.Length)], TimeToLive = 3600 },
            };
            return new ValueTask<DnsAnswer>(answer);
        }
    }
}
