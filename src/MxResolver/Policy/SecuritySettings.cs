namespace MxResolver.Policy;

/// <summary>Which policies the security resolver looks up.</summary>
/// <param name="Dane">Look up TLSA records for targets whose addresses are DNSSEC-secure (RFC 7672).</param>
/// <param name="MtaSts">Look up and apply the domain's MTA-STS policy (RFC 8461).</param>
/// <param name="TlsRpt">Look up the domain's TLS-RPT record (RFC 8460).</param>
/// <param name="SmtpPort">The port TLSA records are looked up for (<c>_25._tcp</c>): the connector's port.</param>
/// <param name="CacheEntries">The most whole secure resolutions kept (R38); 0 for none.</param>
internal sealed record SecuritySettings(bool Dane, bool MtaSts, bool TlsRpt, int SmtpPort, int CacheEntries = 0)
{
    public static SecuritySettings Default { get; } = new(Dane: true, MtaSts: true, TlsRpt: true, SmtpPort: 25);

    /// <summary>The settings of <paramref name="options"/>, with a cache of <paramref name="cacheEntries"/> secure resolutions.</summary>
    public static SecuritySettings From(MxSecurityOptions options, int cacheEntries)
        => new(options.Dane, options.MtaSts, options.TlsRpt, options.SmtpPort, cacheEntries);
}
