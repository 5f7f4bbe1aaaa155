namespace MxResolver;

/// <summary>
/// Resolves a domain's mail targets together with what each requires for safe delivery: DANE
/// (RFC 7672) from DNSSEC-secure TLSA records, MTA-STS (RFC 8461) from the domain's HTTPS policy,
/// and the domain's TLS-RPT record (RFC 8460). Registered by <c>AddMxResolver</c>.
/// </summary>
public interface IMxSecurityResolver
{
    /// <summary>Resolves <paramref name="domainOrAddress"/> and decides each target's TLS requirement.</summary>
    /// <param name="domainOrAddress">A domain, an email address or an address literal, as for <see cref="IMxResolver.ResolveAsync"/>.</param>
    /// <param name="cancellationToken">Stops the resolution and every lookup and fetch it started.</param>
    /// <returns>The resolution with requirements. Expected outcomes, failures included, are values, not exceptions.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="domainOrAddress"/> is <see langword="null"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    ValueTask<MxSecureResolution> ResolveSecureAsync(string domainOrAddress, CancellationToken cancellationToken = default);
}
