using System.Net;
using System.Text;
using MxResolver.Dns;
using MxResolver.Lookup;

namespace MxResolver.Policy;

/// <summary>
/// <see cref="IPolicyLookups"/> over the library's own lookup (normally the cached one the resolver
/// uses), so that a policy is judged on the same DNS answers as the resolution it applies to.
/// </summary>
internal sealed class DnsPolicyLookups : IPolicyLookups
{
    private readonly IDnsLookup _lookup;

    /// <summary>Creates the lookups over <paramref name="lookup"/>.</summary>
    public DnsPolicyLookups(IDnsLookup lookup)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        _lookup = lookup;
    }

    /// <inheritdoc />
    public async ValueTask<TxtLookup> LookupTxtAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        DnsAnswer answer = await _lookup.LookupAsync(Absolute(name).ToLowerInvariant(), DnsRecordType.TXT, cancellationToken).ConfigureAwait(false);
        switch (answer.Kind)
        {
            case DnsAnswerKind.Success:
                var records = new IReadOnlyList<string>[answer.RecordData.Length];
                for (int i = 0; i < records.Length; i++)
                {
                    records[i] = ReadStrings(answer.RecordData[i]);
                }

                return new TxtLookup(TxtLookupKind.Records, records, TimeToLive: answer.TimeToLive);
            case DnsAnswerKind.NoData:
            case DnsAnswerKind.NxDomain:
                return new TxtLookup(TxtLookupKind.None, [], TimeToLive: answer.TimeToLive);
            default:
                return new TxtLookup(TxtLookupKind.Failed, [], answer.ErrorMessage ?? answer.Kind.ToString());
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// RFC 7672 §2.2.2: when the host is an alias and its expansion was DNSSEC-secure, the TLSA
    /// records are sought at the expanded name first and, if it securely has none, at the name as
    /// given. An expansion that was not secure is not used: an attacker could have steered it.
    /// Whatever the owner, a TLSA answer that is not secure counts as no records (Insecure), and one
    /// that failed (SERVFAIL, which is also how a validator reports bogus data) stops the search.
    /// </remarks>
    public async ValueTask<TlsaLookup> LookupTlsaAsync(string host, int port, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, ushort.MaxValue);
        string given = Absolute(host).ToLowerInvariant();
        string prefix = "_" + port.ToString(System.Globalization.CultureInfo.InvariantCulture) + "._tcp.";

        string? expanded = await SecureExpansionAsync(given, cancellationToken).ConfigureAwait(false);
        if (expanded is not null)
        {
            TlsaLookup atExpanded = await LookupTlsaAtAsync(prefix + expanded, cancellationToken).ConfigureAwait(false);
            if (atExpanded.Kind != TlsaLookupKind.SecureDenial)
            {
                return atExpanded;
            }

            // The denial at the expanded name is part of why the given name's records count.
            TlsaLookup atGiven = await LookupTlsaAtAsync(prefix + given, cancellationToken).ConfigureAwait(false);
            return atGiven with { TimeToLive = Math.Min(atGiven.TimeToLive, atExpanded.TimeToLive) };
        }

        return await LookupTlsaAtAsync(prefix + given, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<IPAddress>> LookupAddressesAsync(string host, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        string name = Absolute(host).ToLowerInvariant();
        Task<DnsAnswer> v6 = _lookup.LookupAsync(name, DnsRecordType.AAAA, cancellationToken).AsTask();
        Task<DnsAnswer> v4 = _lookup.LookupAsync(name, DnsRecordType.A, cancellationToken).AsTask();
        DnsAnswer[] answers = await Task.WhenAll(v6, v4).ConfigureAwait(false);

        var addresses = new List<IPAddress>();
        foreach (DnsAnswer answer in answers)
        {
            if (answer.Kind == DnsAnswerKind.Success)
            {
                addresses.AddRange(answer.Addresses);
            }
        }

        return addresses;
    }

    /// <summary>
    /// The name <paramref name="name"/> expands to through CNAMEs, when it is an alias and every
    /// answer of the expansion was secure; otherwise <see langword="null"/>. The address lookups
    /// ask the cache the resolver filled, so this usually costs nothing.
    /// </summary>
    private async ValueTask<string?> SecureExpansionAsync(string name, CancellationToken cancellationToken)
    {
        DnsAnswer answer = await _lookup.LookupAsync(name, DnsRecordType.A, cancellationToken).ConfigureAwait(false);
        if (answer.Kind is not (DnsAnswerKind.Success or DnsAnswerKind.NoData))
        {
            return null;
        }

        if (answer.Aliases.IsEmpty && answer.Kind == DnsAnswerKind.NoData)
        {
            // An IPv6-only host: its AAAA answer tells the expansion.
            answer = await _lookup.LookupAsync(name, DnsRecordType.AAAA, cancellationToken).ConfigureAwait(false);
        }

        return answer.IsSecure && !answer.Aliases.IsEmpty && answer.CanonicalName != name ? answer.CanonicalName : null;
    }

    private async ValueTask<TlsaLookup> LookupTlsaAtAsync(string owner, CancellationToken cancellationToken)
    {
        string ownerName = owner.TrimEnd('.');
        DnsAnswer answer = await _lookup.LookupAsync(owner, DnsRecordType.TLSA, cancellationToken).ConfigureAwait(false);
        if (answer.Kind is DnsAnswerKind.Failure or DnsAnswerKind.AliasLoop)
        {
            return new TlsaLookup(TlsaLookupKind.Failed, [], ownerName, answer.ErrorMessage ?? answer.Kind.ToString());
        }

        if (!answer.IsSecure)
        {
            return new TlsaLookup(TlsaLookupKind.Insecure, [], ownerName, TimeToLive: answer.TimeToLive);
        }

        if (answer.Kind != DnsAnswerKind.Success)
        {
            return new TlsaLookup(TlsaLookupKind.SecureDenial, [], ownerName, TimeToLive: answer.TimeToLive);
        }

        // Records that cannot be read are left out: like unusable records (RFC 7672 §3.1), they
        // cannot authenticate a server.
        var records = new List<TlsaAssociation>(answer.RecordData.Length);
        foreach (byte[] data in answer.RecordData)
        {
            if (TlsaAssociation.TryReadRecordData(data, out TlsaAssociation? association))
            {
                records.Add(association);
            }
        }

        return new TlsaLookup(TlsaLookupKind.SecureRecords, records, ownerName, TimeToLive: answer.TimeToLive);
    }

    /// <summary>
    /// The character-strings of TXT RDATA the lookup already checked, each octet as the character
    /// of the same value: MTA-STS and TLS-RPT records are ASCII, and nothing else is lost or replaced.
    /// </summary>
    private static string[] ReadStrings(byte[] data)
    {
        Range[] ranges = DnsRecordData.ReadTxtStrings(data);
        var strings = new string[ranges.Length];
        for (int i = 0; i < ranges.Length; i++)
        {
            strings[i] = Encoding.Latin1.GetString(data.AsSpan(ranges[i]));
        }

        return strings;
    }

    private static string Absolute(string name) => name.EndsWith('.') ? name : name + ".";
}
