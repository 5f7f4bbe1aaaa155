using Microsoft.Extensions.Time.Testing;
using MxResolver.Resolution;

namespace MxResolver.Tests.Resolution;

/// <summary>
/// The reused sources of the resolution deadline (R6): a source comes back only when nothing can
/// cancel it any more, and a reused one still cancels at its new deadline.
/// </summary>
public sealed class ResolutionDeadlinesTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Rent_AfterAReturnBeforeTheDeadline_ReusesTheSourceUncanceled()
    {
        var deadlines = new ResolutionDeadlines(TimeSpan.FromMinutes(5), TimeProvider.System);
        CancellationTokenSource first = deadlines.Rent();
        deadlines.Return(first);

        CancellationTokenSource second = deadlines.Rent();

        Assert.Same(first, second);
        Assert.False(second.IsCancellationRequested);
        deadlines.Return(second);
    }

    [Fact]
    public async Task Rent_Reused_CancelsAtItsNewDeadline()
    {
        var deadlines = new ResolutionDeadlines(TimeSpan.FromMilliseconds(200), TimeProvider.System);
        CancellationTokenSource first = deadlines.Rent();
        deadlines.Return(first);

        CancellationTokenSource reused = deadlines.Rent();
        Assert.Same(first, reused);
        var canceled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using CancellationTokenRegistration registration = reused.Token.Register(() => canceled.TrySetResult());

        await canceled.Task.WaitAsync(Bound, Ct);
        Assert.True(reused.IsCancellationRequested);
    }

    [Fact]
    public void Return_Canceled_IsNotReused()
    {
        var deadlines = new ResolutionDeadlines(TimeSpan.FromMinutes(5), TimeProvider.System);
        CancellationTokenSource canceled = deadlines.Rent();
        canceled.Cancel();
        deadlines.Return(canceled);

        CancellationTokenSource next = deadlines.Rent();

        Assert.NotSame(canceled, next);
        Assert.False(next.IsCancellationRequested);
        deadlines.Return(next);
    }

    [Fact]
    public void Rent_FakeClock_CancelsByThatClockAndIsNeverReused()
    {
        var time = new FakeTimeProvider();
        var deadlines = new ResolutionDeadlines(TimeSpan.FromSeconds(10), time);
        CancellationTokenSource first = deadlines.Rent();
        deadlines.Return(first);

        CancellationTokenSource second = deadlines.Rent();
        Assert.NotSame(first, second);
        time.Advance(TimeSpan.FromSeconds(9));
        Assert.False(second.IsCancellationRequested);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(second.IsCancellationRequested);
    }
}
