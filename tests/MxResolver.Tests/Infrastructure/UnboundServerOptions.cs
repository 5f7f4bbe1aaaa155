namespace MxResolver.Tests.Infrastructure;

/// <summary>What an <see cref="UnboundServer"/> serves and how it is configured.</summary>
public sealed class UnboundServerOptions
{
    public List<UnboundAuthZone> AuthZones { get; } = [];

    public List<UnboundStubZone> StubZones { get; } = [];

    /// <summary>Extra lines placed in the <c>server:</c> clause (after ours, so they win), e.g. <c>"rrset-roundrobin: no"</c>.</summary>
    public List<string> ExtraServerConfig { get; } = [];

    /// <summary>Extra top-level clauses appended verbatim at the end of the configuration.</summary>
    public List<string> ExtraConfig { get; } = [];

    /// <summary>The shared zone <c>mx.test.</c> with <c>broken.mx.test.</c> delegated to a dead port.</summary>
    public static UnboundServerOptions SharedZone()
    {
        var options = new UnboundServerOptions();
        options.AuthZones.Add(new UnboundAuthZone("mx.test.", UnboundServer.SharedZoneFilePath));
        options.StubZones.Add(UnboundStubZone.Dead("broken.mx.test."));
        return options;
    }
}
