namespace MxResolver.Policy;

/// <summary>What the TLSA lookup at <c>_25._tcp.&lt;host&gt;</c> returned, as the rules need it.</summary>
internal enum TlsaLookupKind
{
    /// <summary>TLSA records in a DNSSEC-secure answer.</summary>
    SecureRecords,

    /// <summary>A secure NODATA or NXDOMAIN: the zone says there are none.</summary>
    SecureDenial,

    /// <summary>An answer that was not DNSSEC-secure, with or without records: it cannot be trusted, so it counts as none.</summary>
    Insecure,

    /// <summary>SERVFAIL (a bogus answer included), timeout or network error.</summary>
    Failed,
}

/// <summary>One TLSA lookup's result.</summary>
/// <param name="Kind">What came back.</param>
/// <param name="Records">The records of a secure answer.</param>
/// <param name="Name">The owner name the records were found at, after CNAME expansion (RFC 7672 §2.2.2).</param>
/// <param name="Error">Why the lookup failed, for a log.</param>
/// <param name="TimeToLive">
/// How long, in seconds, the answers this result was read from stay valid: the smallest TTL of
/// every answer consulted (the expanded owner's included). Zero when unknown or failed.
/// </param>
internal readonly record struct TlsaLookup(TlsaLookupKind Kind, IReadOnlyList<TlsaAssociation> Records, string? Name = null, string? Error = null, uint TimeToLive = 0)
{
    public static TlsaLookup None { get; } = new(TlsaLookupKind.SecureDenial, []);
}

/// <summary>
/// Turns what DNS and MTA-STS say about each target into its TLS requirement. DANE first: a secure
/// address RRset makes the TLSA records count (RFC 7672 §2.2); usable records make DANE required and
/// take precedence over MTA-STS (RFC 8461 §2); a failed TLSA lookup keeps the target from being
/// attempted now. Then MTA-STS (RFC 8461 §4.1, §5): in <c>enforce</c> a host outside the policy's
/// <c>mx</c> patterns is dropped and the rest need a PKIX-valid certificate; <c>testing</c> only reports.
/// </summary>
internal static class TlsRequirementRules
{
    /// <summary>Decides one target.</summary>
    /// <param name="target">The target, in resolution order.</param>
    /// <param name="tlsa">The TLSA lookup, or <see langword="null"/> when none was made (addresses not secure, or DANE off).</param>
    /// <param name="nextHopDomain">The recipient domain (ASCII), for DANE-TA reference identifiers.</param>
    /// <param name="mxRrsetSecure">Whether the MX RRset was DNSSEC-secure (RFC 7672 §3.2.2).</param>
    /// <param name="policy">The MTA-STS policy in force, or <see langword="null"/>; a <c>none</c> policy counts as none.</param>
    public static MxSecureTarget Decide(MxTarget target, TlsaLookup? tlsa, string nextHopDomain, bool mxRrsetSecure, MtaStsPolicy? policy)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(nextHopDomain);
        MtaStsPolicy? inForce = policy is { Mode: not MtaStsMode.None } ? policy : null;
        bool? matches = inForce?.Matches(target.Host);

        DaneStatus dane = tlsa?.Kind switch
        {
            null => DaneStatus.NotApplicable,
            TlsaLookupKind.Failed => DaneStatus.LookupFailed,
            TlsaLookupKind.SecureRecords when tlsa.Value.Records.Any(record => record.IsUsableForSmtp) => DaneStatus.Usable,
            TlsaLookupKind.SecureRecords when tlsa.Value.Records.Count > 0 => DaneStatus.Unusable,
            _ => DaneStatus.NoRecords,
        };
        IReadOnlyList<TlsaAssociation> records = tlsa is { Kind: TlsaLookupKind.SecureRecords } found ? found.Records : [];
        string? tlsaName = records.Count > 0 ? tlsa!.Value.Name : null;

        if (dane == DaneStatus.LookupFailed)
        {
            return new MxSecureTarget(
                target,
                MxTlsRequirement.Dane,
                dane,
                [],
                null,
                [],
                matches,
                $"The TLSA lookup for {target.Host} failed ({tlsa!.Value.Error ?? "no answer"}); the host is not attempted until it succeeds (RFC 7672 §2.2).",
                TlsRptResultType.DnssecInvalid);
        }

        if (dane == DaneStatus.Usable)
        {
            string? expanded = TlsaBaseDomain(tlsaName);
            string? baseDomain = expanded is not null && !string.Equals(expanded, target.Host, StringComparison.OrdinalIgnoreCase) ? expanded : null;
            IReadOnlyList<string> names = DaneVerifier.GetReferenceIdentifiers(nextHopDomain, target.IsImplicit ? null : target.Host, baseDomain, mxRrsetSecure);
            return new MxSecureTarget(target, MxTlsRequirement.Dane, dane, records, tlsaName, names, matches, null, null);
        }

        if (inForce is { Mode: MtaStsMode.Enforce } && matches == true)
        {
            // Unusable TLSA records would only ask for unauthenticated TLS; the policy asks for more.
            return new MxSecureTarget(target, MxTlsRequirement.MtaSts, dane, records, tlsaName, [target.Host.TrimEnd('.').ToLowerInvariant()], matches, null, null);
        }

        MxTlsRequirement requirement = dane == DaneStatus.Unusable ? MxTlsRequirement.MandatoryUnauthenticated : MxTlsRequirement.Opportunistic;
        TlsRptResultType? failure = dane == DaneStatus.Unusable ? TlsRptResultType.TlsaInvalid : null;
        return new MxSecureTarget(target, requirement, dane, records, tlsaName, [], matches, null, failure);
    }

    /// <summary>
    /// Whether an MTA-STS <c>enforce</c> policy drops the target: its host matches no <c>mx</c> pattern
    /// and DANE does not vouch for it (RFC 8461 §4.1 and §2).
    /// </summary>
    public static bool IsDroppedByPolicy(MxSecureTarget target, MtaStsPolicy? policy)
        => policy is { Mode: MtaStsMode.Enforce } && target.MatchesMtaStsPolicy == false && target.Dane != DaneStatus.Usable;

    /// <summary>The TLSA base domain of an owner name <c>_25._tcp.&lt;base&gt;</c>; <see langword="null"/> for another shape.</summary>
    private static string? TlsaBaseDomain(string? owner)
    {
        if (owner is null)
        {
            return null;
        }

        string name = owner.TrimEnd('.');
        int first = name.IndexOf('.', StringComparison.Ordinal);
        int second = first < 0 ? -1 : name.IndexOf('.', first + 1);
        return second > 0 && name.StartsWith('_') && name[(first + 1)..].StartsWith('_') ? name[(second + 1)..].ToLowerInvariant() : null;
    }
}
