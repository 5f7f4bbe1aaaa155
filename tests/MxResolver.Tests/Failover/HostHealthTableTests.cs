using System.Net;
using Microsoft.Extensions.Time.Testing;
using MxResolver.Failover;

namespace MxResolver.Tests.Failover;

public sealed class HostHealthTableTests
{
    private static readonly IPAddress A = IPAddress.Parse("192.0.2.1");
    private static readonly IPAddress B = IPAddress.Parse("192.0.2.2");
    private static readonly IPAddress C = IPAddress.Parse("192.0.2.3");

    [Fact]
    public void ReportFailure_Repeated_BackoffDoublesUpToTheMaximum()
    {
        // R22: exponential back-off, capped.
        var table = new HostHealthTable(new FakeTimeProvider(), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(3), 10);

        TimeSpan[] backoffs = Enumerable.Range(0, 6).Select(_ => table.ReportFailure(A).Backoff).ToArray();

        Assert.Equal([30, 60, 120, 180, 180, 180], backoffs.Select(b => b.TotalSeconds));
    }

    [Fact]
    public void IsUnhealthy_UntilTheBackoffEnds()
    {
        // R22: unhealthy for the back-off period, then tried in its place again.
        var time = new FakeTimeProvider();
        var table = new HostHealthTable(time, TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(10), 10);

        table.ReportFailure(A);
        Assert.True(table.IsUnhealthy(A));
        Assert.False(table.IsUnhealthy(B));
        time.Advance(TimeSpan.FromSeconds(29));
        Assert.True(table.IsUnhealthy(A));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(table.IsUnhealthy(A));

        // A failure after the back-off ended still counts as consecutive: the next back-off is longer.
        Assert.Equal((TimeSpan.FromSeconds(60), 2), table.ReportFailure(A));
    }

    [Fact]
    public void ReportSuccess_ForgetsTheAddress()
    {
        // R22: success clears.
        var table = new HostHealthTable(new FakeTimeProvider(), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(10), 10);
        table.ReportFailure(A);
        table.ReportFailure(A);

        table.ReportSuccess(A);

        Assert.False(table.IsUnhealthy(A));
        Assert.Equal(0, table.Count);
        Assert.Equal((TimeSpan.FromSeconds(30), 1), table.ReportFailure(A));
    }

    [Fact]
    public void ReportFailure_Full_ForgetsTheLeastRecentlyChanged()
    {
        // R22: bounded in size, oldest evicted.
        var table = new HostHealthTable(new FakeTimeProvider(), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(10), 2);
        table.ReportFailure(A);
        table.ReportFailure(B);
        table.ReportFailure(A); // A is now the most recent

        table.ReportFailure(C);

        Assert.Equal(2, table.Count);
        Assert.True(table.IsUnhealthy(A));
        Assert.False(table.IsUnhealthy(B));
        Assert.True(table.IsUnhealthy(C));
    }

    [Fact]
    public void ReportFailure_CapacityZero_HealthIsOff()
    {
        var table = new HostHealthTable(new FakeTimeProvider(), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(10), 0);

        Assert.Equal((TimeSpan.Zero, 0), table.ReportFailure(A));
        Assert.False(table.IsUnhealthy(A));
    }

    [Fact]
    public async Task ReportFailure_Concurrent_StaysWithinItsBound()
    {
        // R22: shared by every caller of the singleton.
        var table = new HostHealthTable(new FakeTimeProvider(), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(10), 50);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(() =>
        {
            for (int i = 0; i < 500; i++)
            {
                var address = new IPAddress([10, (byte)worker, (byte)(i / 256), (byte)i]);
                table.ReportFailure(address);
                if (i % 3 == 0)
                {
                    table.ReportSuccess(address);
                }
            }
        }))).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.InRange(table.Count, 1, 50);
    }
}
