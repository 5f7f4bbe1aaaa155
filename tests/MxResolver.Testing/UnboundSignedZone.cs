namespace MxResolver.Testing;

/// <summary>
/// A zone <see cref="UnboundServer"/> signs when it starts (a fresh ECDSA P-256 key from
/// <c>dnssec-keygen</c>, <c>dnssec-signzone</c> with NSEC) and serves to its own validator, with that
/// key as the zone's trust anchor.
/// </summary>
/// <param name="Name">The zone apex, e.g. <c>signed.test.</c>.</param>
/// <param name="ZoneFilePath">The unsigned zone in RFC 1035 master format (with <c>$ORIGIN</c>).</param>
/// <param name="Bogus">Corrupt the signature of every RRset except SOA, NS, DNSKEY and NSEC after signing:
/// the validator then answers SERVFAIL for them.</param>
public sealed record UnboundSignedZone(string Name, string ZoneFilePath, bool Bogus = false);
