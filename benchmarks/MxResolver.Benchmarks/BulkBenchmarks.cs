using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using BenchmarkDotNet.Attributes;
using DnsClient;
using DnsClient.Protocol;

namespace MxResolver.Benchmarks;

/// <summary>
/// Resolution at list scale: <see cref="Domains"/> distinct domains per invocation, each with MX 10
/// and MX 20 and each exchange with A and AAAA (five questions a domain, the shape of
/// benchmarks/dnsperf-bulk.sh), served from an auth-zone by a loopback Unbound, 64 domains in flight.
/// Figures are per domain (OperationsPerInvoke = Domains). Every row asks Unbound each time: the
/// resolvers run with their caches off, DnsClient.NET's LookupClient with UseCache = false.
/// </summary>
/// <remarks>
/// Rows: MxResolver (ResolveManyAsync, window 64) over UDP (the default), over pipelined TCP
/// (<c>tcp://</c>) and over DNS over TLS (<c>tls://</c>, Unbound's tls-port with a certificate from a
/// CA made at setup, the client pinning the server's key); DnsClient.NET 1.8.0 composed the way a
/// user would: MX, then A and AAAA of every exchange in parallel, 64 domains at a time; and two
/// floors (<see cref="RawDnsFloor"/>): the same questions in the same order sent by a client that
/// does nothing but send prebuilt queries and match reply IDs, over a fresh UDP socket per query and
/// over four pipelined TCP connections. A floor is what the transport alone costs on this machine.
/// </remarks>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 8, invocationCount: 1)]
public class BulkBenchmarks
{
    public const int Domains = 2_000;
    private const int InFlight = 64;
    private const string ServerName = "dns.bulk.test";

    private readonly string[] _domains = [.. Enumerable.Range(0, Domains).Select(static i => string.Create(CultureInfo.InvariantCulture, $"d{i}.bulk.test"))];
    private LoopbackUnbound _unbound = null!;
    private MailExchangeResolver _udp = null!;
    private MailExchangeResolver _tcp = null!;
    private MailExchangeResolver _tls = null!;
    private LookupClient _lookupClient = null!;
    private RawDnsFloor _floor = null!;

    [GlobalSetup]
    public void Setup()
    {
        int tlsPort = LoopbackUnbound.FreePort();
        string pin = string.Empty;
        _unbound = LoopbackUnbound.Start(directory =>
        {
            string zone = Path.Combine(directory, "bulk.test.zone");
            File.WriteAllText(zone, Zone(Domains));
            pin = WriteTlsFiles(directory, out string keyPath, out string pemPath);
            return (
                [
                    $"interface: 127.0.0.1@{tlsPort}",
                    $"tls-port: {tlsPort}",
                    $"tls-service-key: \"{keyPath}\"",
                    $"tls-service-pem: \"{pemPath}\"",
                    // Under the launcher's static root, a transparent local zone lets the auth-zone answer.
                    "local-zone: \"bulk.test.\" transparent",
                    "incoming-num-tcp: 64",
                    // 256 UDP queries arrive at once (64 domains × 4 address questions); the default
                    // receive buffer (about 200 KB, some 250 datagrams) drops a few of them, and a
                    // dropped query costs its full timeout, which measures the timeout, not the client.
                    "so-rcvbuf: 8m",
                    "msg-cache-size: 64m",
                    "rrset-cache-size: 128m",
                ],
                $"""
                auth-zone:
                  name: "bulk.test."
                  zonefile: "{zone}"
                  for-downstream: yes
                  for-upstream: yes
                  fallback-enabled: no
                """);
        });

        _udp = Resolver(_unbound.EndPoint.ToString());
        _tcp = Resolver("tcp://" + _unbound.EndPoint);
        _tls = Resolver(string.Create(CultureInfo.InvariantCulture, $"tls://127.0.0.1:{tlsPort}#{ServerName}?pin=sha256/{pin}"));
        _lookupClient = new LookupClient(new LookupClientOptions(new NameServer(_unbound.EndPoint))
        {
            UseCache = false,
            Timeout = TimeSpan.FromSeconds(2),
            Retries = 2,
        });

        _floor = new RawDnsFloor(_unbound.EndPoint, _domains);
        _floor.ConnectAsync(4).GetAwaiter().GetResult();

        MxResolution sample = _udp.ResolveAsync(_domains[^1]).GetAwaiter().GetResult();
        if (sample.Targets.Count != 2)
        {
            throw new InvalidOperationException($"{_domains[^1]}: {sample.Status} ({sample.Error}), {string.Join("; ", sample.Targets)}");
        }

        // Every row must resolve every domain to 2 targets with 2 addresses each before anything is measured.
        foreach ((string row, Func<Task<int>> run) in new (string, Func<Task<int>>)[] { ("UDP", MxResolverUdp), ("TCP", MxResolverTcp), ("TLS", MxResolverTls), ("DnsClient.NET", DnsClientNet), ("floor UDP", FloorUdp), ("floor TCP", FloorTcp) })
        {
            int complete = run().GetAwaiter().GetResult();
            if (complete != Domains)
            {
                throw new InvalidOperationException($"{row}: {complete} of {Domains} domains resolved to 2 targets with 2 addresses each.");
            }
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _floor.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _unbound.Dispose();
    }

    /// <summary>The loopback Unbound's UDP and TCP address, once <see cref="Setup"/> ran (for <see cref="BulkAllocations"/>).</summary>
    internal IPEndPoint UnboundEndPoint => _unbound.EndPoint;

    [Benchmark(Baseline = true, OperationsPerInvoke = Domains, Description = "MxResolver over UDP, 64 domains in flight")]
    public Task<int> MxResolverUdp() => ResolveAllAsync(_udp);

    [Benchmark(OperationsPerInvoke = Domains, Description = "MxResolver over pipelined TCP, 64 domains in flight")]
    public Task<int> MxResolverTcp() => ResolveAllAsync(_tcp);

    [Benchmark(OperationsPerInvoke = Domains, Description = "MxResolver over DNS over TLS, 64 domains in flight")]
    public Task<int> MxResolverTls() => ResolveAllAsync(_tls);

    [Benchmark(OperationsPerInvoke = Domains, Description = "DnsClient.NET (MX, then A+AAAA per exchange), 64 domains in flight")]
    public async Task<int> DnsClientNet()
    {
        int next = -1;
        int complete = 0;
        var workers = new Task[InFlight];
        for (int w = 0; w < workers.Length; w++)
        {
            workers[w] = Task.Run(async () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < _domains.Length)
                {
                    IDnsQueryResponse mx = await _lookupClient.QueryAsync(_domains[i], QueryType.MX).ConfigureAwait(false);
                    MxRecord[] exchanges = [.. mx.Answers.MxRecords()];
                    var lookups = new Task<IDnsQueryResponse>[exchanges.Length * 2];
                    for (int e = 0; e < exchanges.Length; e++)
                    {
                        lookups[2 * e] = _lookupClient.QueryAsync(exchanges[e].Exchange, QueryType.A);
                        lookups[(2 * e) + 1] = _lookupClient.QueryAsync(exchanges[e].Exchange, QueryType.AAAA);
                    }

                    IDnsQueryResponse[] addresses = await Task.WhenAll(lookups).ConfigureAwait(false);
                    if (exchanges.Length == 2 && addresses.All(static r => r.Answers.Count == 1))
                    {
                        Interlocked.Increment(ref complete);
                    }
                }
            });
        }

        await Task.WhenAll(workers).ConfigureAwait(false);
        return complete;
    }

    [Benchmark(OperationsPerInvoke = Domains, Description = "floor: raw UDP, fresh socket per query, no parsing, 64 domains in flight")]
    public Task<int> FloorUdp() => _floor.UdpAsync(InFlight);

    [Benchmark(OperationsPerInvoke = Domains, Description = "floor: raw pipelined TCP on 4 connections, no parsing, 64 domains in flight")]
    public Task<int> FloorTcp() => _floor.TcpAsync(InFlight);

    private async Task<int> ResolveAllAsync(MailExchangeResolver resolver)
    {
        int complete = 0;
        await foreach (MxBulkResult result in resolver.ResolveManyAsync(_domains, new MxBulkResolutionOptions { MaxConcurrency = InFlight }).ConfigureAwait(false))
        {
            if (result.Resolution.Targets is { Count: 2 } targets && targets.All(static t => t.Addresses.Count == 2))
            {
                complete++;
            }
        }

        return complete;
    }

    private static MailExchangeResolver Resolver(string server)
        => new(new MxResolverOptions { NameServers = { server }, Cache = { Enabled = false } });

    /// <summary>The zone of benchmarks/dnsperf-bulk.sh: d&lt;i&gt;.bulk.test with two exchanges, each with one A and one AAAA.</summary>
    private static string Zone(int domains)
    {
        var zone = new StringBuilder(domains * 200);
        zone.Append("$TTL 3600\n@ IN SOA ns.bulk.test. hostmaster.bulk.test. 1 3600 600 86400 300\n@ IN NS ns.bulk.test.\nns IN A 127.0.0.1\n");
        for (int i = 0; i < domains; i++)
        {
            string d = "d" + i.ToString(CultureInfo.InvariantCulture);
            int octet = (i % 250) + 1;
            string hex = (i % 65536).ToString("x", CultureInfo.InvariantCulture);
            zone.Append(CultureInfo.InvariantCulture, $"{d} IN MX 10 mx1.{d}.bulk.test.\n{d} IN MX 20 mx2.{d}.bulk.test.\n");
            zone.Append(CultureInfo.InvariantCulture, $"mx1.{d} IN A 192.0.2.{octet}\nmx1.{d} IN AAAA 2001:db8::{hex}:1\n");
            zone.Append(CultureInfo.InvariantCulture, $"mx2.{d} IN A 198.51.100.{octet}\nmx2.{d} IN AAAA 2001:db8::{hex}:2\n");
        }

        return zone.ToString();
    }

    /// <summary>A CA made now and a certificate for <see cref="ServerName"/> it issues, as the PEM files Unbound reads; returns the server key's SPKI pin.</summary>
    private static string WriteTlsFiles(string directory, out string keyPath, out string pemPath)
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=MxResolver Bench CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        DateTimeOffset now = DateTimeOffset.UtcNow;
        using X509Certificate2 ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(7));

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + ServerName, key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(ServerName);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using X509Certificate2 certificate = request.Create(ca, now.AddDays(-1), now.AddDays(7), RandomNumberGenerator.GetBytes(12));

        keyPath = Path.Combine(directory, "server.key");
        pemPath = Path.Combine(directory, "server.pem");
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(pemPath, certificate.ExportCertificatePem() + "\n" + ca.ExportCertificatePem() + "\n");
        return Convert.ToBase64String(SHA256.HashData(certificate.PublicKey.ExportSubjectPublicKeyInfo()));
    }
}
