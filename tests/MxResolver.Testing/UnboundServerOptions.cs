namespace MxResolver.Testing;

/// <summary>What an <see cref="UnboundServer"/> serves and how it is configured.</summary>
public sealed class UnboundServerOptions
{
    /// <summary>Where the zone files shipped with the tests are copied next to the running assembly.</summary>
    public static string ZoneDirectory => Path.Combine(AppContext.BaseDirectory, "Infrastructure", "Zones");

    public List<UnboundAuthZone> AuthZones { get; } = [];

    public List<UnboundStubZone> StubZones { get; } = [];

    /// <summary>
    /// Zones signed at start. When there is at least one, Unbound validates (<c>module-config:
    /// "validator iterator"</c>, each signed zone's key as a trust anchor) and every auth-zone is served
    /// through the iterator and validator like upstream data (<c>for-downstream: no</c>,
    /// <c>for-upstream: yes</c>), so answers look like a validating recursive resolver's: AD=1 for
    /// signed data, AD=0 for unsigned, SERVFAIL for bogus; never AA.
    /// </summary>
    public List<UnboundSignedZone> SignedZones { get; } = [];

    /// <summary>
    /// Also serve DNS over TLS (RFC 7858) on a second loopback port, with a server certificate for
    /// <see cref="UnboundServer.TlsServerName"/> issued by a test CA created at start
    /// (<see cref="UnboundServer.TlsCaCertificate"/>).
    /// </summary>
    public bool EnableTls { get; set; }

    /// <summary>Extra lines placed in the <c>server:</c> clause (after ours, so they win), e.g. <c>"rrset-roundrobin: no"</c>.</summary>
    public List<string> ExtraServerConfig { get; } = [];

    /// <summary>Extra top-level clauses appended verbatim at the end of the configuration.</summary>
    public List<string> ExtraConfig { get; } = [];

    /// <summary>True when Unbound runs its validator (<see cref="SignedZones"/> is not empty).</summary>
    public bool Validates => SignedZones.Count > 0;

    /// <summary>The shared zone <c>mx.test.</c> with <c>broken.mx.test.</c> delegated to a dead port.</summary>
    public static UnboundServerOptions SharedZone()
    {
        var options = new UnboundServerOptions();
        options.AuthZones.Add(new UnboundAuthZone("mx.test.", UnboundServer.SharedZoneFilePath));
        options.StubZones.Add(UnboundStubZone.Dead("broken.mx.test."));
        return options;
    }

    /// <summary>
    /// A validating resolver for <c>signed.test.</c> (signed at start: AD=1), <c>unsigned.test.</c>
    /// (no trust anchor: AD=0) and <c>bogus.test.</c> (broken signatures: SERVFAIL). Their contents
    /// (MX, A/AAAA, TLSA, MTA-STS and TLS-RPT TXT, CNAMEs) are listed in the zone files' headers.
    /// </summary>
    public static UnboundServerOptions Dnssec()
    {
        var options = new UnboundServerOptions();
        options.SignedZones.Add(new UnboundSignedZone("signed.test.", Path.Combine(ZoneDirectory, "signed.test.zone")));
        options.SignedZones.Add(new UnboundSignedZone("bogus.test.", Path.Combine(ZoneDirectory, "bogus.test.zone"), Bogus: true));
        options.AuthZones.Add(new UnboundAuthZone("unsigned.test.", Path.Combine(ZoneDirectory, "unsigned.test.zone")));
        return options;
    }
}
