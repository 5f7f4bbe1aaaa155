using System.Net;

namespace MxResolver.Tests.Resolution;

/// <summary>
/// Value equality of the result records: instances built separately with equal content are equal,
/// lists compared element by element in order, never by reference.
/// </summary>
public sealed class MxResolutionEqualityTests
{
    private static MxTarget Target(string host, ushort preference, params string[] addresses)
        => new(host, preference, isImplicit: false, addresses.Select(IPAddress.Parse).ToList());

    // Every list is a fresh instance on each call, so equality can only come from the contents.
    private static MxResolution Resolution(params MxTarget[] targets) => new("user@example.test", MxResolutionStatus.Success)
    {
        Domain = "example.test",
        AsciiDomain = "example.test",
        CanonicalName = "example.test",
        Aliases = new List<string> { "alias.example.test" },
        Targets = targets.ToList(),
        DroppedExchanges = new List<DroppedExchange> { new("192.0.2.9", 30, ExchangeDropReason.IPAddressExchange) },
        DroppedAddresses = new List<DroppedAddress> { new("mx1.example.test", IPAddress.Parse("127.0.0.1"), AddressDropReason.Blocked, AddressCategories.Loopback) },
        Warnings = new List<string> { "The exchange 192.0.2.9 (preference 30) is an IP address, not a host name; dropped." },
        TimeToLive = TimeSpan.FromSeconds(300),
    };

    [Fact]
    public void MxTarget_SameContentSeparateLists_EqualWithEqualHashCodes()
    {
        MxTarget a = Target("mx1.example.test", 10, "2001:db8::1", "192.0.2.1");
        MxTarget b = Target("mx1.example.test", 10, "2001:db8::1", "192.0.2.1");

        Assert.NotSame(a.Addresses, b.Addresses);
        Assert.True(a == b);
        Assert.True(a.Equals((object)b));
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
    }

    [Fact]
    public void MxTarget_AddressesInAnotherOrder_NotEqual()
    {
        // Attempt order is part of the value (R17).
        MxTarget a = Target("mx1.example.test", 10, "2001:db8::1", "192.0.2.1");
        MxTarget b = Target("mx1.example.test", 10, "192.0.2.1", "2001:db8::1");

        Assert.True(a != b);
    }

    [Fact]
    public void MxTarget_DifferentHostPreferenceOrImplicit_NotEqual()
    {
        MxTarget a = Target("mx1.example.test", 10, "192.0.2.1");

        Assert.NotEqual(a, Target("mx2.example.test", 10, "192.0.2.1"));
        Assert.NotEqual(a, Target("mx1.example.test", 20, "192.0.2.1"));
        Assert.NotEqual(a, new MxTarget("mx1.example.test", 10, isImplicit: true, [IPAddress.Parse("192.0.2.1")]));
        Assert.NotEqual(a, Target("mx1.example.test", 10, "192.0.2.1", "192.0.2.2"));
        Assert.False(a.Equals(null));
    }

    [Fact]
    public void MxResolution_SameContentBuiltSeparately_EqualWithEqualHashCodes()
    {
        MxResolution a = Resolution(Target("mx1.example.test", 10, "192.0.2.1"), Target("mx2.example.test", 20, "192.0.2.2"));
        MxResolution b = Resolution(Target("mx1.example.test", 10, "192.0.2.1"), Target("mx2.example.test", 20, "192.0.2.2"));

        Assert.NotSame(a.Targets, b.Targets);
        Assert.True(a == b);
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.Single(new HashSet<MxResolution> { a, b });
    }

    [Fact]
    public void MxResolution_TiesInAnotherOrder_NotEqual()
    {
        // R12: two shuffles of the same tie are two different attempt orders.
        MxResolution a = Resolution(Target("mx1.example.test", 10, "192.0.2.1"), Target("mx2.example.test", 10, "192.0.2.2"));
        MxResolution b = Resolution(Target("mx2.example.test", 10, "192.0.2.2"), Target("mx1.example.test", 10, "192.0.2.1"));

        Assert.True(a != b);
    }

    [Fact]
    public void MxResolution_AnyListOrPropertyDiffers_NotEqual()
    {
        MxResolution a = Resolution(Target("mx1.example.test", 10, "192.0.2.1"));

        Assert.NotEqual(a, a with { Aliases = [] });
        Assert.NotEqual(a, a with { Warnings = ["another warning"] });
        Assert.NotEqual(a, a with { DroppedExchanges = [] });
        Assert.NotEqual(a, a with { DroppedAddresses = [new DroppedAddress("mx1.example.test", IPAddress.Parse("127.0.0.2"), AddressDropReason.Blocked, AddressCategories.Loopback)] });
        Assert.NotEqual(a, a with { Targets = [Target("mx1.example.test", 10, "192.0.2.99")] });
        Assert.NotEqual(a, a with { TimeToLive = TimeSpan.FromSeconds(299) });
        Assert.NotEqual(a, a with { IsStale = true });
        Assert.NotEqual(a, a with { Error = "x" });
        Assert.NotEqual(a, new MxResolution("other@example.test", MxResolutionStatus.Success) { Domain = a.Domain, AsciiDomain = a.AsciiDomain, CanonicalName = a.CanonicalName, Aliases = a.Aliases, Targets = a.Targets, DroppedExchanges = a.DroppedExchanges, DroppedAddresses = a.DroppedAddresses, Warnings = a.Warnings, TimeToLive = a.TimeToLive });
        Assert.Equal(a, a with { });
    }

    [Fact]
    public void DroppedExchangeAndDroppedAddress_SameContent_Equal()
    {
        Assert.Equal(new DroppedExchange("mx.example.test", 10, ExchangeDropReason.Duplicate), new DroppedExchange("mx.example.test", 10, ExchangeDropReason.Duplicate));
        Assert.NotEqual(new DroppedExchange("mx.example.test", 10, ExchangeDropReason.Duplicate), new DroppedExchange("mx.example.test", 20, ExchangeDropReason.Duplicate));

        // Separate IPAddress instances of the same address.
        var a = new DroppedAddress("mx.example.test", IPAddress.Parse("::1"), AddressDropReason.Blocked, AddressCategories.Loopback);
        var b = new DroppedAddress("mx.example.test", IPAddress.Parse("::1"), AddressDropReason.Blocked, AddressCategories.Loopback);
        Assert.True(a == b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, new DroppedAddress("mx.example.test", IPAddress.Parse("::1"), AddressDropReason.Duplicate));
    }

    [Fact]
    public void MxAttempt_SameContentSeparateAddresses_Equal()
    {
        MxAttempt Attempt() => new("mx.example.test", 10, IPAddress.Parse("192.0.2.1"), 25, MxAttemptOutcome.Refused, TimeSpan.FromMilliseconds(3), TimeSpan.FromMilliseconds(1), "ConnectionRefused");

        Assert.True(Attempt() == Attempt());
        Assert.Equal(Attempt().GetHashCode(), Attempt().GetHashCode());
        Assert.NotEqual(Attempt(), Attempt() with { Outcome = MxAttemptOutcome.TimedOut });
    }
}
