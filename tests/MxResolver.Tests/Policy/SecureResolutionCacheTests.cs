using System.Net;
using Microsoft.Extensions.Time.Testing;
using MxResolver.Policy;

namespace MxResolver.Tests.Policy;

// Behaviour rule R38 (docs/behaviour.md, "Secure delivery"): bounded like the other caches (R27).

public sealed class SecureResolutionCacheTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Store_MoreDomainsThanTheBound_NeverHoldsMoreThanTheBound()
    {
        var cache = new SecureResolutionCache(_time, maxEntries: 2);

        for (int i = 0; i < 5; i++)
        {
            Store(cache, $"d{i}.example.test", TimeSpan.FromMinutes(5));
            Assert.True(cache.Count <= 2, $"{cache.Count} entries after {i + 1} stores");
        }

        Assert.True(cache.TryGet("d4.example.test", out _)); // the newest stays
    }

    [Fact]
    public void TryGet_AfterLifetime_Misses()
    {
        var cache = new SecureResolutionCache(_time, maxEntries: 10);
        Store(cache, "example.test", TimeSpan.FromSeconds(30));

        Assert.True(cache.TryGet("user@Example.TEST", out _));
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.False(cache.TryGet("example.test", out _));
    }

    [Fact]
    public void Store_LifetimeUnderASecond_NotKept()
    {
        var cache = new SecureResolutionCache(_time, maxEntries: 10);
        Store(cache, "example.test", TimeSpan.FromMilliseconds(999));

        Assert.Equal(0, cache.Count);
    }

    private static void Store(SecureResolutionCache cache, string domain, TimeSpan lifetime)
    {
        var target = new MxTarget("mx." + domain, 10, false, [IPAddress.Parse("192.0.2.1")]);
        var resolution = new MxResolution(domain, MxResolutionStatus.Success) { AsciiDomain = domain, Targets = [target] };
        MxSecureTarget decided = TlsRequirementRules.Decide(target, null, domain, mxRrsetSecure: false, policy: null);
        cache.Store(domain, resolution, [decided], [false], MtaStsLookupResult.None, null, lifetime);
    }
}
