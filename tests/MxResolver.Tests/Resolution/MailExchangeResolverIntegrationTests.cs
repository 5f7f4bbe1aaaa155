using System.Net;
using MxResolver.Tests.Infrastructure;

namespace MxResolver.Tests.Resolution;

/// <summary>
/// R3–R19 end to end: the public constructor, the stub client and a real Unbound on loopback
/// serving the shared zone mx.test. (Infrastructure/Zones/mx.test.zone). Unbound rotates record
/// order, so nothing here depends on the order of records in an answer.
/// </summary>
public sealed class MailExchangeResolverIntegrationTests(UnboundFixture unbound)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private MxResolverOptions Options() => new()
    {
        NameServers = { unbound.EndPoint.ToString() },
        ResolutionTimeout = TimeSpan.FromSeconds(20),
    };

    private Task<MxResolution> ResolveAsync(string input, MxResolverOptions? options = null)
        => new MailExchangeResolver(options ?? Options()).ResolveAsync(input, Ct).AsTask().WaitAsync(Bound, Ct);

    private static string[] Hosts(MxResolution result) => result.Targets.Select(t => t.Host).ToArray();

    private static string[] Addresses(MxTarget target) => target.Addresses.Select(a => a.ToString()).ToArray();

    [Fact]
    public async Task ResolveAsync_Plain_ThreeTargetsInPreferenceOrderBothFamilies()
    {
        // R11 R15 R17
        MxResolution result = await ResolveAsync("postmaster@plain.mx.test");

        Assert.Equal(MxResolutionStatus.Success, result.Status);
        Assert.Equal(["mx1.plain.mx.test", "mx2.plain.mx.test", "mx3.plain.mx.test"], Hosts(result));
        Assert.Equal(["2001:db8::11", "192.0.2.11"], Addresses(result.Targets[0]));
        Assert.Equal(TimeSpan.FromSeconds(300), result.TimeToLive);
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public async Task ResolveAsync_UnicodeDomain_ResolvedThroughItsALabel()
    {
        // R3
        MxResolution result = await ResolveAsync("bücher.mx.test");

        Assert.Equal(MxResolutionStatus.Success, result.Status);
        Assert.Equal("bücher.mx.test", result.Domain);
        Assert.Equal("xn--bcher-kva.mx.test", result.AsciiDomain);
        Assert.Equal(["192.0.2.181"], Addresses(Assert.Single(result.Targets)));
    }

    [Theory]
    [InlineData("alias.mx.test", 1)]
    [InlineData("chain-8.mx.test", 8)]
    public async Task ResolveAsync_DomainIsAlias_CanonicalMxSetUsed(string domain, int hops)
    {
        // R4
        MxResolution result = await ResolveAsync(domain);

        Assert.Equal(MxResolutionStatus.Success, result.Status);
        Assert.Equal(domain, result.AsciiDomain);
        Assert.Equal(hops, result.Aliases.Count);
        Assert.Equal(["mx.canonical.mx.test"], Hosts(result));
        Assert.Equal(["192.0.2.41"], Addresses(result.Targets[0]));
    }

    [Theory]
    [InlineData("chain-9.mx.test")]
    [InlineData("loop-a.mx.test")]
    [InlineData("loop-self.mx.test")]
    public async Task ResolveAsync_AliasLoopOrOverlongChain_TemporaryFailure(string domain)
    {
        // R4
        MxResolution result = await ResolveAsync(domain);

        Assert.Equal(MxResolutionStatus.TemporaryFailure, result.Status);
        Assert.Equal("4.4.3", result.EnhancedStatusCode);
    }

    [Fact]
    public async Task ResolveAsync_NxDomain_NoSuchDomainWithNegativeTtl()
    {
        // R5
        MxResolution result = await ResolveAsync("user@nxdomain.mx.test");

        Assert.Equal(MxResolutionStatus.NoSuchDomain, result.Status);
        Assert.Equal("5.1.2", result.EnhancedStatusCode);
        Assert.Equal(TimeSpan.FromSeconds(300), result.TimeToLive);
    }

    [Fact]
    public async Task ResolveAsync_ServFail_TemporaryFailure()
    {
        // R6
        MxResolution result = await ResolveAsync("anything.broken.mx.test");

        Assert.Equal(MxResolutionStatus.TemporaryFailure, result.Status);
        Assert.Contains("ServerFailure", result.Error);
    }

    [Fact]
    public async Task ResolveAsync_NoMx_ImplicitMx()
    {
        // R7
        MxResolution result = await ResolveAsync("implicit.mx.test");

        Assert.Equal(MxResolutionStatus.ImplicitMx, result.Status);
        MxTarget target = Assert.Single(result.Targets);
        Assert.True(target.IsImplicit);
        Assert.Equal("implicit.mx.test", target.Host);
        Assert.Equal(["2001:db8::61", "192.0.2.61"], Addresses(target));

        MxResolution v4 = await ResolveAsync("implicit-v4.mx.test");
        Assert.Equal(["192.0.2.62"], Addresses(Assert.Single(v4.Targets)));
    }

    [Fact]
    public async Task ResolveAsync_NoMxNoAddress_NoMailHost()
    {
        // R7
        MxResolution result = await ResolveAsync("txt-only.mx.test");

        Assert.Equal(MxResolutionStatus.NoMailHost, result.Status);
        Assert.Equal("5.1.2", result.EnhancedStatusCode);
    }

    [Fact]
    public async Task ResolveAsync_NullMx_NullMx()
    {
        // R8
        MxResolution result = await ResolveAsync("null-mx.mx.test");

        Assert.Equal(MxResolutionStatus.NullMx, result.Status);
        Assert.Equal("5.1.10", result.EnhancedStatusCode);
    }

    [Fact]
    public async Task ResolveAsync_NullMxMixed_RealOneUsedWithWarning()
    {
        // R9
        MxResolution result = await ResolveAsync("null-mixed.mx.test");

        Assert.Equal(["mx.null-mixed.mx.test"], Hosts(result));
        Assert.Contains(result.Warnings, w => w.Contains("null MX", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ResolveAsync_IPAddressExchanges_DroppedByDefaultUsedWhenAllowed()
    {
        // R10
        MxResolution dropped = await ResolveAsync("ip-exchange.mx.test");
        Assert.Equal(["mx.ip-exchange.mx.test"], Hosts(dropped));
        Assert.Equal(2, dropped.DroppedExchanges.Count(d => d.Reason == ExchangeDropReason.IPAddressExchange));

        MxResolverOptions options = Options();
        options.AllowIPLiteralExchanges = true;
        MxResolution allowed = await ResolveAsync("ip-exchange.mx.test", options);
        Assert.Equal(["192.0.2.55", "2001:db8::55", "mx.ip-exchange.mx.test"], Hosts(allowed));

        MxResolution only = await ResolveAsync("ip-exchange-only.mx.test");
        Assert.Equal(MxResolutionStatus.NoUsableTarget, only.Status);
    }

    [Fact]
    public async Task ResolveAsync_InvalidExchanges_DroppedForTheirNames()
    {
        // R10: under_score.invalid-exchange has an A record, and is still dropped.
        MxResolution result = await ResolveAsync("invalid-exchange.mx.test");

        Assert.Equal(["mx.invalid-exchange.mx.test"], Hosts(result));
        Assert.Equal(2, result.DroppedExchanges.Count(d => d.Reason == ExchangeDropReason.InvalidHostName));

        MxResolution only = await ResolveAsync("invalid-only.mx.test");
        Assert.Equal(MxResolutionStatus.NoUsableTarget, only.Status);
        Assert.Equal("5.4.4", only.EnhancedStatusCode);
    }

    [Fact]
    public async Task ResolveAsync_PreferenceExtremes_SortedOverTheFullRange()
    {
        // R11
        MxResolution result = await ResolveAsync("pref-extremes.mx.test");

        Assert.Equal(new ushort[] { 0, 1000, 65535 }, result.Targets.Select(t => t.Preference).ToArray());
        Assert.Equal(["first.pref-extremes.mx.test", "middle.pref-extremes.mx.test", "last.pref-extremes.mx.test"], Hosts(result));
    }

    [Fact]
    public async Task ResolveAsync_EqualPreferences_ShuffledAcrossCallsNeverPastWorsePreference()
    {
        // R12
        var resolver = new MailExchangeResolver(Options());
        var firsts = new HashSet<string>();
        for (int i = 0; i < 30; i++)
        {
            MxResolution result = await resolver.ResolveAsync("equal.mx.test", Ct).AsTask().WaitAsync(Bound, Ct);
            Assert.Equal("mx-e.equal.mx.test", result.Targets[^1].Host);
            Assert.Equal(["mx-a.equal.mx.test", "mx-b.equal.mx.test", "mx-c.equal.mx.test", "mx-d.equal.mx.test"], Hosts(result)[..4].Order().ToArray());
            firsts.Add(result.Targets[0].Host);
        }

        // Each of 4 hosts comes first with probability 1/4: all 30 on one host has probability 4 × 4^-30.
        Assert.True(firsts.Count > 1);
    }

    [Fact]
    public async Task ResolveAsync_Duplicates_ExchangeAndAddressOnce()
    {
        // R13
        MxResolution result = await ResolveAsync("duplicate.mx.test");

        Assert.Equal(["mx1.duplicate.mx.test", "mx2.duplicate.mx.test"], Hosts(result));
        Assert.Equal(10, result.Targets[0].Preference);
        Assert.Equal(["192.0.2.121"], Addresses(result.Targets[0]));
        Assert.Equal(["192.0.2.122"], Addresses(result.Targets[1]));
        Assert.Contains(new DroppedAddress("mx2.duplicate.mx.test", IPAddress.Parse("192.0.2.121"), AddressDropReason.Duplicate), result.DroppedAddresses);
    }

    [Fact]
    public async Task ResolveAsync_SelfPruning_ByNameAndByAddress()
    {
        // R14
        MxResolverOptions byName = Options();
        byName.LocalHostNames.Add("me.selfprune.mx.test");
        MxResolution pruned = await ResolveAsync("selfprune.mx.test", byName);
        Assert.Equal(["mx1.selfprune.mx.test"], Hosts(pruned));

        MxResolverOptions byAddress = Options();
        byAddress.LocalAddresses.Add("192.0.2.161");
        MxResolution loops = await ResolveAsync("selfprune.mx.test", byAddress);
        Assert.Equal(MxResolutionStatus.LoopsToSelf, loops.Status);
        Assert.Equal("5.4.6", loops.EnhancedStatusCode);
    }

    [Fact]
    public async Task ResolveAsync_ExchangeIsAlias_FollowedWithWarning()
    {
        // R15
        MxResolution result = await ResolveAsync("mx-to-cname.mx.test");

        MxTarget target = Assert.Single(result.Targets);
        Assert.Equal("alias.mx-to-cname.mx.test", target.Host);
        Assert.Equal(["2001:db8::31", "192.0.2.31"], Addresses(target));
        Assert.Contains(result.Warnings, w => w.Contains("real.mx-to-cname.mx.test", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ResolveAsync_PartialFailures_ResolvedTargetsUsed()
    {
        // R16
        MxResolution missing = await ResolveAsync("missing-target.mx.test");
        Assert.Equal(["mx.missing-target.mx.test"], Hosts(missing));
        Assert.Equal(2, missing.DroppedExchanges.Count(d => d.Reason == ExchangeDropReason.NoAddress));

        MxResolution partial = await ResolveAsync("partial-servfail.mx.test");
        Assert.Equal(["mx.partial-servfail.mx.test"], Hosts(partial));
        Assert.Contains(new DroppedExchange("mx.broken.mx.test", 10, ExchangeDropReason.LookupFailed), partial.DroppedExchanges);
        Assert.Contains(partial.Warnings, w => w.Contains("mx.broken.mx.test", StringComparison.Ordinal));

        MxResolution allMissing = await ResolveAsync("all-missing.mx.test");
        Assert.Equal(MxResolutionStatus.NoUsableTarget, allMissing.Status);

        MxResolution servfail = await ResolveAsync("target-servfail.mx.test");
        Assert.Equal(MxResolutionStatus.TemporaryFailure, servfail.Status);
    }

    [Theory]
    [InlineData(AddressFamilyPreference.Both, "::1,127.0.0.6")]
    [InlineData(AddressFamilyPreference.PreferIPv4, "127.0.0.6,::1")]
    [InlineData(AddressFamilyPreference.IPv4Only, "127.0.0.6")]
    [InlineData(AddressFamilyPreference.IPv6Only, "::1")]
    public async Task ResolveAsync_DualStackLoopbackAllowed_FamilyOrderApplied(AddressFamilyPreference family, string expected)
    {
        // R17, with the loopback filter of R18 turned off as the zone uses loopback here.
        MxResolverOptions options = Options();
        options.AddressFamily = family;
        options.BlockedAddresses &= ~AddressCategories.Loopback;

        MxResolution result = await ResolveAsync("dualstack.mx.test", options);

        Assert.Equal(expected, string.Join(',', Addresses(Assert.Single(result.Targets))));
    }

    [Fact]
    public async Task ResolveAsync_Filtered_OnlyPrivateAddressesKept()
    {
        // R18
        MxResolution result = await ResolveAsync("filtered.mx.test");

        Assert.Equal(["10.0.0.25", "fd00::25"], Addresses(Assert.Single(result.Targets)).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(12, result.DroppedAddresses.Count(d => d.Reason == AddressDropReason.Blocked));
        Assert.Contains(result.DroppedAddresses, d => d.Address.Equals(IPAddress.Parse("64:ff9b::a9fe:a9fe")) && d.Category == AddressCategories.LinkLocal);

        MxResolution all = await ResolveAsync("filtered-all.mx.test");
        Assert.Equal(MxResolutionStatus.NoUsableTarget, all.Status);
    }

    [Fact]
    public async Task ResolveAsync_LoopbackTargets_KeptOnlyWhenLoopbackAllowed()
    {
        // R18
        MxResolution blocked = await ResolveAsync("failover.mx.test");
        Assert.Equal(MxResolutionStatus.NoUsableTarget, blocked.Status);

        MxResolverOptions options = Options();
        options.BlockedAddresses = AddressCategories.Default & ~AddressCategories.Loopback;
        MxResolution allowed = await ResolveAsync("failover.mx.test", options);
        Assert.Equal(["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"], allowed.Targets.Select(t => Addresses(t).Single()).ToArray());
    }

    [Fact]
    public async Task ResolveAsync_SixtyExchangesOverTcp_CappedAtMaxTargets()
    {
        // R19 (the MX answer is over 1232 bytes: truncated over UDP, whole over TCP)
        MxResolution result = await ResolveAsync("big.mx.test");

        Assert.Equal(MxResolutionStatus.Success, result.Status);
        Assert.Equal(10, result.Targets.Count);
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (ushort)i), result.Targets.Select(t => t.Preference));
        Assert.Equal("198.51.100.1", Addresses(result.Targets[0]).Single());
        Assert.Equal(50, result.DroppedExchanges.Count(d => d.Reason == ExchangeDropReason.LimitExceeded));
    }

    [Theory]
    [InlineData("ttl-60.mx.test", 60)]
    [InlineData("ttl-target-30.mx.test", 30)]
    // MX and A live a day, but the AAAA of the target is NODATA, whose negative TTL (300 s,
    // RFC 2308 §5) bounds the result too: an AAAA added later must be seen within 300 s.
    [InlineData("ttl-long.mx.test", 300)]
    public async Task ResolveAsync_Ttls_SmallestInvolved(string domain, int seconds)
    {
        MxResolution result = await ResolveAsync(domain);

        Assert.Equal(TimeSpan.FromSeconds(seconds), result.TimeToLive);
    }
}
