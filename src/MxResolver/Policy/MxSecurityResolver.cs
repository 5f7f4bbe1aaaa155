using MxResolver.Input;

namespace MxResolver.Policy;

/// <summary>Which policies the security resolver looks up.</summary>
/// <param name="Dane">Look up TLSA records for targets whose addresses are DNSSEC-secure (RFC 7672).</param>
/// <param name="MtaSts">Look up and apply the domain's MTA-STS policy (RFC 8461).</param>
/// <param name="TlsRpt">Look up the domain's TLS-RPT record (RFC 8460).</param>
/// <param name="SmtpPort">The port TLSA records are looked up for (<c>_25._tcp</c>): the connector's port.</param>
internal sealed record SecuritySettings(bool Dane, bool MtaSts, bool TlsRpt, int SmtpPort)
{
    public static SecuritySettings Default { get; } = new(Dane: true, MtaSts: true, TlsRpt: true, SmtpPort: 25);
}

/// <summary>
/// Resolves a domain and decides each target's TLS requirement. The MTA-STS and TLS-RPT TXT
/// lookups start with the MX lookup, and the policy fetch as soon as the TXT record is known, so
/// an uncached domain costs at most the TLSA round trip more than a plain resolution; TLSA lookups
/// of all targets run at once.
/// </summary>
internal sealed class MxSecurityResolver : IMxSecurityResolver
{
    private readonly IMxResolver _resolver;
    private readonly IPolicyLookups _lookups;
    private readonly MtaStsPolicyCache? _policies;
    private readonly SecuritySettings _settings;

    /// <summary>Creates the resolver.</summary>
    /// <param name="resolver">Resolves the targets.</param>
    /// <param name="lookups">Asks the policy questions (TXT, TLSA, policy host addresses).</param>
    /// <param name="policies">Decides which MTA-STS policy applies; required when MTA-STS is on.</param>
    /// <param name="settings">Which policies to look up.</param>
    public MxSecurityResolver(IMxResolver resolver, IPolicyLookups lookups, MtaStsPolicyCache? policies, SecuritySettings settings)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        ArgumentNullException.ThrowIfNull(lookups);
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.MtaSts && policies is null)
        {
            throw new ArgumentException("MTA-STS is on but no policy cache was given.", nameof(policies));
        }

        _resolver = resolver;
        _lookups = lookups;
        _policies = policies;
        _settings = settings;
    }

    /// <inheritdoc />
    public async ValueTask<MxSecureResolution> ResolveSecureAsync(string domainOrAddress, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(domainOrAddress);
        cancellationToken.ThrowIfCancellationRequested();

        MxInput input = MxInputParser.Parse(domainOrAddress);
        string? domain = input.Kind == MxInputKind.Domain ? input.AsciiDomain : null;

        // Policy discovery runs beside the MX lookup (RFC 8461 §3.1 TXT, RFC 8460 §3 TXT).
        Task<MtaStsLookupResult> policyTask = _settings.MtaSts && domain is not null
            ? DiscoverPolicyAsync(domain, cancellationToken)
            : Task.FromResult(MtaStsLookupResult.None);
        Task<TlsRptRecord?> reportTask = _settings.TlsRpt && domain is not null
            ? DiscoverTlsRptAsync(domain, cancellationToken)
            : Task.FromResult<TlsRptRecord?>(null);

        MxResolution resolution = await _resolver.ResolveAsync(domainOrAddress, cancellationToken).ConfigureAwait(false);

        // TLSA only for targets whose addresses are secure (RFC 7672 §2.2); literals have no name to ask about.
        var tlsaTasks = new Task<TlsaLookup>?[resolution.Targets.Count];
        if (_settings.Dane && domain is not null)
        {
            for (int i = 0; i < tlsaTasks.Length; i++)
            {
                MxTarget target = resolution.Targets[i];
                if (target.IsSecure)
                {
                    tlsaTasks[i] = _lookups.LookupTlsaAsync(target.Host, _settings.SmtpPort, cancellationToken).AsTask();
                }
            }
        }

        MtaStsLookupResult policy = await policyTask.ConfigureAwait(false);
        TlsRptRecord? tlsRpt = await reportTask.ConfigureAwait(false);
        var targets = new List<MxSecureTarget>(resolution.Targets.Count);
        var dropped = new List<MxSecureTarget>();
        for (int i = 0; i < tlsaTasks.Length; i++)
        {
            TlsaLookup? tlsa = tlsaTasks[i] is { } task ? await task.ConfigureAwait(false) : null;
            MxSecureTarget decided = TlsRequirementRules.Decide(resolution.Targets[i], tlsa, domain ?? string.Empty, resolution.IsMxSecure, policy.Policy);
            (TlsRequirementRules.IsDroppedByPolicy(decided, policy.Policy) ? dropped : targets).Add(decided);
        }

        return new MxSecureResolution(resolution, targets, dropped, policy.Stored, policy.Fetched, policy.Failure, policy.Error, tlsRpt);
    }

    private async Task<MtaStsLookupResult> DiscoverPolicyAsync(string domain, CancellationToken cancellationToken)
    {
        TxtLookup txt = await _lookups.LookupTxtAsync("_mta-sts." + domain, cancellationToken).ConfigureAwait(false);
        MtaStsRecordLookup record = txt.Kind switch
        {
            TxtLookupKind.Failed => new MtaStsRecordLookup(MtaStsRecordState.Failed, null),
            TxtLookupKind.Records when MtaStsRecord.TryParse(txt.Records, out MtaStsRecord? found, out _) => new MtaStsRecordLookup(MtaStsRecordState.Found, found.Id),
            _ => new MtaStsRecordLookup(MtaStsRecordState.Absent, null),
        };
        return await _policies!.GetAsync(domain, record, cancellationToken).ConfigureAwait(false);
    }

    private async Task<TlsRptRecord?> DiscoverTlsRptAsync(string domain, CancellationToken cancellationToken)
    {
        TxtLookup txt = await _lookups.LookupTxtAsync("_smtp._tls." + domain, cancellationToken).ConfigureAwait(false);
        return txt.Kind == TxtLookupKind.Records && TlsRptRecord.TryParse(txt.Records, out TlsRptRecord? record, out _) ? record : null;
    }
}
