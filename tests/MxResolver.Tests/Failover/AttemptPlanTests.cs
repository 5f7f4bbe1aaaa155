using System.Net;
using Microsoft.Extensions.Time.Testing;
using MxResolver.Failover;

namespace MxResolver.Tests.Failover;

public sealed class AttemptPlanTests
{
    private static string Describe(IEnumerable<AttemptGroup> plan)
        => string.Join(" | ", plan.Select(g => $"{g.Target.Host}:{string.Join(",", g.Addresses)}"));

    [Fact]
    public void Build_AllHealthy_KeepsTheResolutionOrder()
    {
        // R20: attempt order is the resolution order.
        var health = new HostHealthTable(new FakeTimeProvider(), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(10), 10);
        MxTarget[] targets = [FakeMxResolver.Target("a", 10, "2001:db8::1", "192.0.2.1"), FakeMxResolver.Target("b", 20, "192.0.2.2")];

        Assert.Equal("a:2001:db8::1,192.0.2.1 | b:192.0.2.2", Describe(AttemptPlan.Build(targets, health)));
    }

    [Fact]
    public void Build_Unhealthy_AfterHealthyOfTheSamePreferenceOnly()
    {
        // R22: unhealthy addresses go after healthy ones of the same preference; never dropped, never moved across preferences.
        var health = new HostHealthTable(new FakeTimeProvider(), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(10), 10);
        health.ReportFailure(IPAddress.Parse("192.0.2.1"));
        health.ReportFailure(IPAddress.Parse("192.0.2.9"));
        MxTarget[] targets =
        [
            FakeMxResolver.Target("a", 10, "192.0.2.1", "192.0.2.11"),
            FakeMxResolver.Target("b", 10, "192.0.2.2"),
            FakeMxResolver.Target("c", 20, "192.0.2.9"),
            FakeMxResolver.Target("d", 30, "192.0.2.4"),
        ];

        Assert.Equal(
            "a:192.0.2.11 | b:192.0.2.2 | a:192.0.2.1 | c:192.0.2.9 | d:192.0.2.4",
            Describe(AttemptPlan.Build(targets, health)));
    }
}
