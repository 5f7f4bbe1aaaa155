using MxResolver.Transport;

namespace MxResolver.Tests.Transport;

/// <summary>The bounded pool behind the query buffers, UDP exchanges and deadline sources.</summary>
public sealed class BoundedPoolTests
{
    [Fact]
    public void TryRent_Empty_ReturnsFalse()
    {
        var pool = new BoundedPool<object>();

        Assert.False(pool.TryRent(out object? item));
        Assert.Null(item);
    }

    [Fact]
    public void TryRent_AfterTryReturn_GivesTheSameObjectBack()
    {
        var pool = new BoundedPool<object>();
        object kept = new();

        Assert.True(pool.TryReturn(kept));
        Assert.Equal(1, pool.Count);

        Assert.True(pool.TryRent(out object? rented));
        Assert.Same(kept, rented);
        Assert.Equal(0, pool.Count);
    }

    [Fact]
    public void TryReturn_PoolFull_RefusesAndKeepsTheBound()
    {
        var pool = new BoundedPool<object>(capacity: 3);
        for (int i = 0; i < 3; i++)
        {
            Assert.True(pool.TryReturn(new object()));
        }

        Assert.False(pool.TryReturn(new object()));
        Assert.Equal(3, pool.Count);
    }

    [Fact]
    public async Task TryReturn_ManyThreadsAtOnce_NeverHoldsMoreThanTheBound()
    {
        var pool = new BoundedPool<object>(capacity: 50);
        Task[] workers = [.. Enumerable.Range(0, 8).Select(_ => Task.Run(
            () =>
            {
                for (int i = 0; i < 10_000; i++)
                {
                    if (!pool.TryRent(out object? item))
                    {
                        item = new object();
                    }

                    pool.TryReturn(item);
                    pool.TryReturn(new object());
                }
            },
            TestContext.Current.CancellationToken))];
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        int drained = 0;
        while (pool.TryRent(out _))
        {
            drained++;
        }

        Assert.Equal(50, drained);
        Assert.Equal(0, pool.Count);
    }

    [Fact]
    public void Constructor_CapacityBelowOne_Throws()
        => Assert.Throws<ArgumentOutOfRangeException>(() => new BoundedPool<object>(capacity: 0));
}
