using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Microsoft.Extensions.DependencyInjection;
using MxResolver.Testing;

namespace MxResolver.Benchmarks;

/// <summary>
/// What secure delivery costs. A validating loopback Unbound serves the signed zone
/// <c>signed.test.</c> (secure MX, A/AAAA, TLSA 3 1 1, <c>_mta-sts</c>, <c>_smtp._tls</c>).
/// <list type="bullet">
/// <item>Cached: the same domain again, through <see cref="IMxResolver"/> and through
/// <see cref="IMxSecurityResolver"/> with DANE, MTA-STS and TLS-RPT on (goal: at most 2× the plain row).</item>
/// <item>Cold (<see cref="SecurityColdBenchmarks"/>): caches off, every reply held 20 ms by a delaying
/// proxy (goal: DANE adds at most one round trip).</item>
/// </list>
/// The zone's MTA-STS policy (its id is fixed in the zone file) is put in the policy store first, so the
/// policy comes from the store and nothing is fetched: the zone's policy host has a documentation
/// address, and benchmarks, like tests, talk to loopback only.
/// </summary>
[MemoryDiagnoser]
public class SecurityBenchmarks
{
    internal const string Domain = "signed.test";
    internal const string PolicyId = "20260101T000000Z";
    internal const string PolicyText = "version: STSv1\nmode: enforce\nmx: mx.signed.test\nmax_age: 604800\n";

    private UnboundServer _unbound = null!;
    private ServiceProvider _provider = null!;
    private IMxResolver _resolver = null!;
    private IMxSecurityResolver _security = null!;

    [GlobalSetup]
    public void Setup()
    {
        _unbound = UnboundServer.StartAsync(UnboundServerOptions.Dnssec()).GetAwaiter().GetResult();
        (_provider, _resolver, _security) = Build(_unbound.EndPoint.ToString(), cache: true);
        Check(_security.ResolveSecureAsync(Domain).AsTask().GetAwaiter().GetResult());
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _provider.Dispose();
        _unbound.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true, Description = "cached ResolveAsync (signed.test)")]
    public MxResolution CachedPlain() => _resolver.ResolveAsync(Domain).AsTask().GetAwaiter().GetResult();

    [Benchmark(Description = "cached ResolveSecureAsync, DANE + MTA-STS + TLS-RPT")]
    public MxSecureResolution CachedSecure() => _security.ResolveSecureAsync(Domain).AsTask().GetAwaiter().GetResult();

    /// <summary>A container with the policy already in its store; caches on or off.</summary>
    internal static (ServiceProvider Provider, IMxResolver Resolver, IMxSecurityResolver Security) Build(string server, bool cache)
    {
        var store = new InMemoryMtaStsPolicyStore();
        store.SetAsync(new MtaStsStoredPolicy(Domain, PolicyId, PolicyText, DateTimeOffset.UtcNow)).AsTask().GetAwaiter().GetResult();
        var services = new ServiceCollection();
        services.AddSingleton<IMtaStsPolicyStore>(store);
        services.AddMxResolver(options =>
        {
            options.NameServers.Add(server);
            options.Cache.Enabled = cache;
        });
        ServiceProvider provider = services.BuildServiceProvider();
        return (provider, provider.GetRequiredService<IMxResolver>(), provider.GetRequiredService<IMxSecurityResolver>());
    }

    /// <summary>Every row must do the real work: a secure MX, DANE for the target, the stored policy applied.</summary>
    internal static void Check(MxSecureResolution secure)
    {
        if (!secure.IsMxSecure || secure.Targets.Count != 1 || secure.Targets[0].Dane != DaneStatus.Usable
            || secure.Targets[0].Requirement != MxTlsRequirement.Dane || secure.MtaStsPolicy?.Id != PolicyId || secure.TlsRpt is null)
        {
            throw new InvalidOperationException(
                $"The secure resolution of {Domain} is not what the benchmark needs: mxSecure={secure.IsMxSecure}, "
                + string.Join("; ", secure.Targets) + $", policy={secure.MtaStsPolicy?.Id}, tlsrpt={secure.TlsRpt is not null}, error={secure.MtaStsError}.");
        }
    }
}

/// <summary>
/// Cold resolutions: the caches are on, as in use, but emptied before every operation, and every reply
/// is held <see cref="Delay"/> by a delaying proxy in front of the validating Unbound. A plain
/// resolution costs two round trips (MX, then A and AAAA at once); the secure one asks the TXT
/// questions beside the MX and the TLSA after the addresses, so it should cost one round trip more.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 15)]
public class SecurityColdBenchmarks
{
    /// <summary>The fixed delay of every reply.</summary>
    public static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(20);

    private UnboundServer _unbound = null!;
    private DelayingDnsProxy _proxy = null!;
    private ServiceProvider _provider = null!;
    private IMxResolver _resolver = null!;
    private IMxSecurityResolver _security = null!;

    [GlobalSetup]
    public void Setup()
    {
        _unbound = UnboundServer.StartAsync(UnboundServerOptions.Dnssec()).GetAwaiter().GetResult();
        _proxy = new DelayingDnsProxy(_unbound.EndPoint, Delay);
        (_provider, _resolver, _security) = SecurityBenchmarks.Build(_proxy.EndPoint.ToString(), cache: true);
        SecurityBenchmarks.Check(_security.ResolveSecureAsync(SecurityBenchmarks.Domain).AsTask().GetAwaiter().GetResult());
    }

    /// <summary>Every operation starts cold: the answer cache and the resolution cache are emptied (the MTA-STS policy store is not: it is not a cache of DNS).</summary>
    [IterationSetup]
    public void EmptyCaches() => _provider.GetRequiredService<IMxResolverCache>().Clear();

    [GlobalCleanup]
    public void Cleanup()
    {
        _provider.Dispose();
        _proxy.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _unbound.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true, Description = "cold ResolveAsync, 20 ms per reply")]
    public MxResolution ColdPlain() => _resolver.ResolveAsync(SecurityBenchmarks.Domain).AsTask().GetAwaiter().GetResult();

    [Benchmark(Description = "cold ResolveSecureAsync (DANE), 20 ms per reply")]
    public MxSecureResolution ColdSecure() => _security.ResolveSecureAsync(SecurityBenchmarks.Domain).AsTask().GetAwaiter().GetResult();
}
