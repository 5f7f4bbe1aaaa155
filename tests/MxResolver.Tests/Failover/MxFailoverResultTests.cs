using System.Net;

namespace MxResolver.Tests.Failover;

/// <summary>
/// <see cref="MxFailoverResult{T}"/> keeps reference equality on purpose: it may own a live
/// connection and records the timing of one call, so two results are never one value.
/// </summary>
public sealed class MxFailoverResultTests
{
    [Fact]
    public void Equals_SameContentBuiltSeparately_ReferenceSemantics()
    {
        var resolution = new MxResolution("example.test", MxResolutionStatus.Success);
        var attempt = new MxAttempt("mx.example.test", 10, IPAddress.Parse("192.0.2.1"), 25, MxAttemptOutcome.Refused, TimeSpan.Zero, TimeSpan.FromMilliseconds(1), "refused");
        MxFailoverResult<string> Build() => new(MxFailoverStatus.AllAttemptsFailed, resolution, [attempt], TimeSpan.FromSeconds(1), "every address failed");

        MxFailoverResult<string> a = Build();
        MxFailoverResult<string> b = Build();

        Assert.False(a.Equals(b));
        Assert.True(a.Equals(a));
        Assert.Equal(a.Attempts, b.Attempts); // the attempts themselves compare by value
        Assert.DoesNotContain(typeof(MxFailoverResult<string>).GetMethods(), m => m.Name == "op_Equality");
    }
}
