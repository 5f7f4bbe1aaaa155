using System.Net;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.Time.Testing;
using MxResolver.Caching;
using MxResolver.Resolution;

namespace MxResolver.Tests.Resolution;

public sealed class ResolutionCacheTests
{
    private const string Domain = "example.test";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));

    private static MxTarget Target(string host, ushort preference, params string[] addresses) =>
        new(host, preference, isImplicit: false, addresses.Select(IPAddress.Parse).ToArray());

    private static MxResolution Success(params MxTarget[] targets) => new(Domain, MxResolutionStatus.Success)
    {
        Domain = Domain,
        AsciiDomain = Domain,
        CanonicalName = Domain,
        Targets = targets,
        TimeToLive = TimeSpan.FromSeconds(300),
    };

    private ResolutionCache NewCache(int maxEntries = 100, int maxAddresses = 10) => new(_time, maxEntries, maxAddresses);

    private static bool Stored(ResolutionCache cache, MxResolution result)
    {
        cache.Store(Domain, result, anyLookupFailed: false, cache.Generation);
        return cache.TryGet(Domain, new Random(1), out _);
    }

    [Fact]
    public void Store_PlainSuccess_Kept()
    {
        // R24
        Assert.True(Stored(NewCache(), Success(Target("mx1.example.test", 10, "192.0.2.1"), Target("mx2.example.test", 10, "192.0.2.2"))));
    }

    [Fact]
    public void Store_TargetCapCutExchanges_NotKept()
    {
        // R19 with R12: which tied exchanges survive the cap depends on the shuffle
        var result = Success(Target("mx1.example.test", 10, "192.0.2.1")) with
        {
            DroppedExchanges = [new DroppedExchange("mx2.example.test", 10, ExchangeDropReason.LimitExceeded)],
        };

        Assert.False(Stored(NewCache(), result));
    }

    [Fact]
    public void Store_AddressDroppedAsDuplicate_NotKept()
    {
        // R13 with R12: the tied exchange listed first keeps a shared address
        var result = Success(Target("mx1.example.test", 10, "192.0.2.1"), Target("mx2.example.test", 10, "192.0.2.2")) with
        {
            DroppedAddresses = [new DroppedAddress("mx2.example.test", IPAddress.Parse("192.0.2.1"), AddressDropReason.Duplicate)],
        };

        Assert.False(Stored(NewCache(), result));
    }

    [Fact]
    public void Store_OverallAddressCapReached_NotKept()
    {
        // R19: the overall cap is filled in attempt order, which the shuffle changes
        var result = Success(Target("mx1.example.test", 10, "192.0.2.1"), Target("mx2.example.test", 10, "192.0.2.2")) with
        {
            DroppedAddresses = [new DroppedAddress("mx2.example.test", IPAddress.Parse("192.0.2.3"), AddressDropReason.LimitExceeded)],
        };

        Assert.False(Stored(NewCache(maxAddresses: 2), result));
    }

    [Fact]
    public void Store_PerTargetCapOnly_Kept()
    {
        // R19: the per-target cap does not depend on the order of targets
        var result = Success(Target("mx1.example.test", 10, "192.0.2.1"), Target("mx2.example.test", 10, "192.0.2.2")) with
        {
            DroppedAddresses = [new DroppedAddress("mx2.example.test", IPAddress.Parse("192.0.2.3"), AddressDropReason.LimitExceeded)],
        };

        Assert.True(Stored(NewCache(maxAddresses: 10), result));
    }

    [Fact]
    public void Store_AddressKeptUnderTwoTargets_NotKept()
    {
        // R13
        Assert.False(Stored(NewCache(), Success(Target("mx1.example.test", 10, "192.0.2.1"), Target("mx2.example.test", 20, "192.0.2.1"))));
    }

    [Fact]
    public void Store_FailureOrNoTtl_NotKept()
    {
        // R26, R24
        var cache = NewCache();
        var result = Success(Target("mx1.example.test", 10, "192.0.2.1"));

        cache.Store(Domain, result, anyLookupFailed: true, cache.Generation);
        cache.Store("a.test", result with { TimeToLive = TimeSpan.FromSeconds(0.5) }, anyLookupFailed: false, cache.Generation);
        cache.Store("b.test", result with { TimeToLive = null }, anyLookupFailed: false, cache.Generation);
        cache.Store("c.test", new MxResolution("c.test", MxResolutionStatus.TemporaryFailure) { TimeToLive = TimeSpan.FromSeconds(60) }, anyLookupFailed: false, cache.Generation);

        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void TryGet_ExpiryToTheTick_CountsDown()
    {
        // R24
        var cache = NewCache();
        cache.Store(Domain, Success(Target("mx1.example.test", 10, "192.0.2.1")), anyLookupFailed: false, cache.Generation);
        _time.Advance(TimeSpan.FromSeconds(300) - TimeSpan.FromTicks(1));

        Assert.True(cache.TryGet("user@example.test", new Random(1), out MxResolution? last));
        Assert.Equal(TimeSpan.Zero, last.TimeToLive);
        Assert.Equal("user@example.test", last.Input);
        _time.Advance(TimeSpan.FromTicks(1));
        Assert.False(cache.TryGet(Domain, new Random(1), out _));
    }

    [Theory]
    [InlineData("@example.test")]
    [InlineData("[192.0.2.1]")]
    [InlineData("example.test..")]
    [InlineData("exampıe.test")]
    [InlineData("")]
    public void TryGet_InputTheParserWouldTreatDifferently_Misses(string input)
    {
        // R1, R2, R3
        var cache = NewCache();
        cache.Store(Domain, Success(Target("mx1.example.test", 10, "192.0.2.1")), anyLookupFailed: false, cache.Generation);
        cache.Store("exampie.test", Success(Target("mx1.example.test", 10, "192.0.2.1")), anyLookupFailed: false, cache.Generation);

        Assert.False(cache.TryGet(input, new Random(1), out _));
    }

    [Fact]
    public void Store_BeyondMaxEntries_StaysWithinBound()
    {
        // R27
        var cache = NewCache(maxEntries: 10);
        for (int i = 0; i < 200; i++)
        {
            cache.Store($"d{i}.test", Success(Target("mx1.example.test", 10, "192.0.2.1")), anyLookupFailed: false, cache.Generation);
            Assert.InRange(cache.Count, 1, 10);
        }
    }

    [Property(Replay = "(5321,7505)", MaxTest = 300)]
    public Property TryGet_AnyPreferences_PermutationInPreferenceOrder()
    {
        // R11, R12: the hit is the cached targets, sorted by preference, ties in some order
        Gen<ushort[]> preferences = Gen.ArrayOf(Gen.Elements<ushort>(0, 0, 10, 10, 10, 20, 65535)).Where(p => p.Length is > 0 and <= 12);
        return Prop.ForAll(preferences.ToArbitrary(), Arb.From(Gen.Choose(0, int.MaxValue)), (prefs, seed) =>
        {
            MxTarget[] targets = prefs.Order().Select((p, i) => Target($"mx{i}.example.test", p, $"192.0.2.{i + 1}")).ToArray();
            var cache = NewCache();
            cache.Store(Domain, Success(targets), anyLookupFailed: false, cache.Generation);

            bool hit = cache.TryGet(Domain, new Random(seed), out MxResolution? result);

            return hit
                && result!.Targets.Select(t => t.Preference).SequenceEqual(prefs.Order())
                && result.Targets.OrderBy(t => t.Host).SequenceEqual(targets.OrderBy(t => t.Host));
        });
    }

    [Fact]
    public void TryGet_TiesOfThree_EveryOrderAboutEquallyOften()
    {
        // R12: uniform shuffle (Fisher–Yates); 6,000 draws, each of the 6 orders expected 1,000 times
        var cache = NewCache();
        cache.Store(Domain, Success(Target("a", 10, "192.0.2.1"), Target("b", 10, "192.0.2.2"), Target("c", 10, "192.0.2.3")), anyLookupFailed: false, cache.Generation);
        var random = new Random(2026);
        var counts = new Dictionary<string, int>();

        for (int i = 0; i < 6000; i++)
        {
            Assert.True(cache.TryGet(Domain, random, out MxResolution? result));
            string order = string.Concat(result.Targets.Select(t => t.Host));
            counts[order] = counts.GetValueOrDefault(order) + 1;
        }

        Assert.Equal(6, counts.Count);
        Assert.All(counts.Values, count => Assert.InRange(count, 850, 1150)); // > 4.7 sigma from 1,000 either way
    }
}
