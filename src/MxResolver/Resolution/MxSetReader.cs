using System.Net;
using System.Net.Sockets;
using MxResolver.Lookup;
using MxResolver.Input;

namespace MxResolver.Resolution;

/// <summary>What the MX lookup of the domain leads to: a final status, or exchanges to resolve.</summary>
/// <param name="Status">The final status, when there are no exchanges to resolve.</param>
/// <param name="Error">Why, for a final status that is a failure.</param>
/// <param name="Candidates">The exchanges to resolve (a list of the reader's own, which ordering then works on in place); <see langword="null"/> with a final status.</param>
/// <param name="IsImplicit">Whether the one candidate is the domain itself (R7).</param>
internal readonly record struct MxSet(MxResolutionStatus? Status, string? Error, List<MxCandidate>? Candidates, bool IsImplicit)
{
    public static MxSet Final(MxResolutionStatus status, string error) => new(status, error, null, false);
}

/// <summary>Interprets the MX answer of the domain (R4–R10).</summary>
internal static class MxSetReader
{
    public static MxSet Read(DnsAnswer answer, string domain, ResolverSettings settings, MxResolutionBuilder builder)
    {
        switch (answer.Kind)
        {
            case DnsAnswerKind.Failure:
                // R6: never fall back to A/AAAA on a temporary error; RFC 5321 §5.1 says queue.
                return MxSet.Final(
                    MxResolutionStatus.TemporaryFailure,
                    $"The MX lookup of {domain} failed ({answer.Error?.ToString() ?? "unknown error"}): {answer.ErrorMessage}");

            case DnsAnswerKind.AliasLoop:
                // R4: a loop or over-long chain is a failure, not a hang. Temporary rather than a
                // bounce: a CNAME loop is usually a transient publishing mistake, and queued mail
                // is delivered once it is fixed.
                return MxSet.Final(
                    MxResolutionStatus.TemporaryFailure,
                    answer.ErrorMessage ?? $"The CNAME chain from {domain} loops or is too long.");
        }

        builder.Consider(answer);

        // R4: the canonical name is processed as if it were the initial name (RFC 5321 §5.1).
        string canonical = MxResolutionBuilder.ToHost(answer.CanonicalName, out string? absoluteCanonical);
        builder.CanonicalName = canonical;
        if (!answer.Aliases.IsEmpty)
        {
            builder.Aliases = answer.Aliases.Select(MxResolutionBuilder.ToHost).ToArray();
        }

        switch (answer.Kind)
        {
            case DnsAnswerKind.NxDomain:
                // R5
                return MxSet.Final(MxResolutionStatus.NoSuchDomain, $"The domain {domain} does not exist (NXDOMAIN).");

            case DnsAnswerKind.NoData:
                // R7: only NODATA leads to the implicit MX, the domain itself at preference 0.
                return new MxSet(null, null, [new MxCandidate(canonical, 0, IsImplicit: true) { AbsoluteName = absoluteCanonical }], IsImplicit: true);
        }

        return ReadExchanges(answer, domain, settings, builder);
    }

    private static MxSet ReadExchanges(DnsAnswer answer, string domain, ResolverSettings settings, MxResolutionBuilder builder)
    {
        var candidates = new List<MxCandidate>(answer.MxRecords.Length);
        List<MxAnswer>? nullRecords = null;
        int others = 0;
        foreach (MxAnswer record in answer.MxRecords)
        {
            string host = MxResolutionBuilder.ToHost(record.Exchange, out string? absolute);
            if (host == ".")
            {
                (nullRecords ??= []).Add(record);
                continue;
            }

            others++;
            if (TryParseAddressExchange(host, out IPAddress? address))
            {
                // R10: not a host name (RFC 5321 §5.1 wants a domain name); Postfix delivers to it,
                // Go drops it; this project drops it unless the caller opts in.
                if (settings.AllowIPLiteralExchanges)
                {
                    builder.Warn($"The exchange {host} (preference {record.Preference}) is an IP address, not a host name; used because IP-address exchanges are allowed.");
                    candidates.Add(new MxCandidate(host, record.Preference, IsImplicit: false, address));
                }
                else
                {
                    builder.Warn($"The exchange {host} (preference {record.Preference}) is an IP address, not a host name; dropped.");
                    builder.Drop(host, record.Preference, ExchangeDropReason.IPAddressExchange);
                }
            }
            else if (!HostNameRules.IsValidHostName(host))
            {
                builder.Warn($"The exchange {host} (preference {record.Preference}) is not a valid host name; dropped.");
                builder.Drop(host, record.Preference, ExchangeDropReason.InvalidHostName);
            }
            else
            {
                candidates.Add(new MxCandidate(host, record.Preference, IsImplicit: false) { AbsoluteName = absolute });
            }
        }

        if (others == 0)
        {
            // R8: RFC 7505 §3: the domain accepts no mail; no address lookup is made.
            return MxSet.Final(MxResolutionStatus.NullMx, $"The domain {domain} publishes a null MX (RFC 7505): it accepts no mail.");
        }

        if (nullRecords is not null)
        {
            foreach (MxAnswer record in nullRecords)
            {
                // R9: a null MX next to real ones is a misconfiguration (RFC 7505 §3); the real ones
                // are used so that mail is not lost on a publisher's mistake.
                builder.Warn($"The domain {domain} publishes a null MX (preference {record.Preference}) next to other exchanges (RFC 7505 §3 forbids it); the null MX is ignored.");
                builder.Drop(".", record.Preference, ExchangeDropReason.NullMx);
            }
        }

        if (candidates.Count == 0)
        {
            // R10
            return MxSet.Final(MxResolutionStatus.NoUsableTarget, $"No exchange of {domain} is a usable host name.");
        }

        return new MxSet(null, null, candidates, IsImplicit: false);
    }

    /// <summary>An exchange written as an IPv4 dotted quad or an IPv6 address (R10).</summary>
    internal static bool TryParseAddressExchange(string host, out IPAddress? address)
    {
        if (MxInputParser.TryParseDottedQuad(host, out address))
        {
            return true;
        }

        if (host.Contains(':') && !host.Contains('%') && IPAddress.TryParse(host, out address) && address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            return true;
        }

        address = null;
        return false;
    }
}
