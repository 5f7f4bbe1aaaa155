using System.Net;

namespace MxResolver.Tests.Failover;

/// <summary>An <see cref="IMxResolver"/> that answers from a function, for connector tests that need a fixed target order.</summary>
public sealed class FakeMxResolver(Func<string, CancellationToken, ValueTask<MxResolution>> resolve) : IMxResolver
{
    public int Calls { get; private set; }

    /// <summary>Always the same targets, in this order.</summary>
    public static FakeMxResolver Targets(params MxTarget[] targets)
        => new((input, _) => ValueTask.FromResult(new MxResolution(input, MxResolutionStatus.Success) { Targets = targets }));

    public static MxTarget Target(string host, ushort preference, params string[] addresses)
        => new(host, preference, isImplicit: false, addresses.Select(IPAddress.Parse).ToArray());

    public ValueTask<MxResolution> ResolveAsync(string domainOrAddress, CancellationToken cancellationToken = default)
    {
        Calls++;
        cancellationToken.ThrowIfCancellationRequested();
        return resolve(domainOrAddress, cancellationToken);
    }
}
