using System.Net;
using System.Net.Sockets;
using MxResolver.Lookup;

namespace MxResolver.Resolution;

/// <summary>The targets that have usable addresses, and how the others failed.</summary>
internal sealed record TargetSelectionResult(IReadOnlyList<MxTarget> Targets, IReadOnlyList<string> TemporaryFailures, bool AllWithoutAddress);

/// <summary>
/// Turns the answers of the candidates into targets (R15–R19): follows aliased exchanges with a
/// warning, keeps the targets that resolved (R16), orders families (R17), filters addresses
/// (R18), removes addresses seen under a better target (R13) and applies the caps (R19).
/// </summary>
internal static class TargetSelection
{
    public static TargetSelectionResult Select(IReadOnlyList<TargetAnswers> answers, ResolverSettings settings, MxResolutionBuilder builder)
    {
        bool useV4 = settings.AddressFamily != AddressFamilyPreference.IPv6Only;
        bool useV6 = settings.AddressFamily != AddressFamilyPreference.IPv4Only;
        var seen = new HashSet<IPAddress>();
        var targets = new List<MxTarget>(answers.Count);
        var temporaryFailures = new List<string>();
        bool allWithoutAddress = true;
        int total = 0;

        foreach (TargetAnswers target in answers)
        {
            MxCandidate candidate = target.Candidate;
            WarnIfAlias(target, builder);

            // The answers of an excluded family take no part: neither in the TTL nor as failures.
            string? v4Failure = useV4 ? Consider(target.IPv4, builder) : null;
            string? v6Failure = useV6 ? Consider(target.IPv6, builder) : null;

            var published = new List<IPAddress>();
            if (candidate.Address is not null)
            {
                published.Add(candidate.Address);
            }

            AddAddresses(target.IPv4, published);
            AddAddresses(target.IPv6, published);

            var v4 = new List<IPAddress>();
            var v6 = new List<IPAddress>();
            var local = new HashSet<IPAddress>();
            foreach (IPAddress address in published)
            {
                bool isV6 = address.AddressFamily == AddressFamily.InterNetworkV6;
                AddressCategories blocked = AddressClassifier.Classify(address) & settings.BlockedAddresses;
                if (isV6 ? !useV6 : !useV4)
                {
                    builder.Drop(new DroppedAddress(candidate.Host, address, AddressDropReason.ExcludedFamily));
                }
                else if (blocked != AddressCategories.None)
                {
                    // R18: after unwrapping IPv4-mapped and NAT64 forms; reported, never silently lost.
                    builder.Drop(new DroppedAddress(candidate.Host, address, AddressDropReason.Blocked, blocked));
                }
                else if (!local.Add(AddressClassifier.Normalize(address)) || seen.Contains(AddressClassifier.Normalize(address)))
                {
                    // R13: an address reachable under several exchanges is attempted once, at its best position.
                    builder.Drop(new DroppedAddress(candidate.Host, address, AddressDropReason.Duplicate));
                }
                else
                {
                    (isV6 ? v6 : v4).Add(address);
                }
            }

            var kept = new List<IPAddress>();
            bool cappedByTotal = false;
            foreach (IPAddress address in OrderFamilies(v6, v4, settings.AddressFamily))
            {
                // R19
                if (kept.Count >= settings.MaxAddressesPerTarget || total >= settings.MaxAddresses)
                {
                    cappedByTotal |= total >= settings.MaxAddresses;
                    builder.Drop(new DroppedAddress(candidate.Host, address, AddressDropReason.LimitExceeded));
                    continue;
                }

                kept.Add(address);
                total++;
                seen.Add(AddressClassifier.Normalize(address));
            }

            string? failure = v4Failure ?? v6Failure;
            if (kept.Count > 0)
            {
                allWithoutAddress = false;
                targets.Add(new MxTarget(candidate.Host, candidate.Preference, candidate.IsImplicit, kept)
                {
                    IsSecure = IsSecure(candidate, useV4 ? target.IPv4 : null, useV6 ? target.IPv6 : null),
                });
                if (failure is not null)
                {
                    // R16: what resolved is used.
                    builder.Warn($"A lookup for {candidate.Host} failed ({failure}); its other addresses are used.");
                }

                continue;
            }

            if (failure is not null)
            {
                // R16: a failed lookup might have produced a usable address: temporary.
                string description = v4Failure is not null && v6Failure is not null && v4Failure != v6Failure
                    ? $"{v4Failure}; {v6Failure}"
                    : failure;
                temporaryFailures.Add($"{candidate.Host}: {description}");
                builder.Drop(candidate, ExchangeDropReason.LookupFailed);
            }
            else if (published.Count == 0)
            {
                builder.Drop(candidate, ExchangeDropReason.NoAddress);
            }
            else
            {
                allWithoutAddress = false;
                builder.Drop(candidate, cappedByTotal ? ExchangeDropReason.LimitExceeded : ExchangeDropReason.NoUsableAddress);
            }
        }

        if (targets.Count > 0)
        {
            foreach (string failure in temporaryFailures)
            {
                builder.Warn($"Could not look up the addresses of {failure}; the other targets are used.");
            }
        }

        return new TargetSelectionResult(targets, temporaryFailures, allWithoutAddress);
    }

    /// <summary>
    /// R17: the order of families within one target. <see cref="AddressFamilyPreference.Both"/>
    /// interleaves them starting with IPv6, as RFC 8305 §4 sorts destinations.
    /// </summary>
    internal static IEnumerable<IPAddress> OrderFamilies(IReadOnlyList<IPAddress> v6, IReadOnlyList<IPAddress> v4, AddressFamilyPreference preference)
    {
        switch (preference)
        {
            case AddressFamilyPreference.PreferIPv4:
                return v4.Concat(v6);
            case AddressFamilyPreference.PreferIPv6:
                return v6.Concat(v4);
            case AddressFamilyPreference.IPv4Only:
                return v4;
            case AddressFamilyPreference.IPv6Only:
                return v6;
            default:
                var interleaved = new List<IPAddress>(v6.Count + v4.Count);
                for (int i = 0; i < Math.Max(v6.Count, v4.Count); i++)
                {
                    if (i < v6.Count)
                    {
                        interleaved.Add(v6[i]);
                    }

                    if (i < v4.Count)
                    {
                        interleaved.Add(v4[i]);
                    }
                }

                return interleaved;
        }
    }

    private static string? Consider(DnsAnswer? answer, MxResolutionBuilder builder)
    {
        if (answer is null)
        {
            return null;
        }

        builder.Consider(answer);
        return answer.Kind switch
        {
            DnsAnswerKind.Failure => $"{answer.Type} lookup failed, {answer.Error?.ToString() ?? "unknown error"}: {answer.ErrorMessage}",
            DnsAnswerKind.AliasLoop => $"{answer.Type} lookup failed: {answer.ErrorMessage ?? "the CNAME chain loops or is too long"}",
            _ => null,
        };
    }

    private static void AddAddresses(DnsAnswer? answer, List<IPAddress> addresses)
    {
        if (answer is { Kind: DnsAnswerKind.Success })
        {
            addresses.AddRange(answer.Addresses);
        }
    }

    private static void WarnIfAlias(TargetAnswers target, MxResolutionBuilder builder)
    {
        DnsAnswer? aliased = target.IPv4 is { Aliases.Length: > 0 } ? target.IPv4 : target.IPv6 is { Aliases.Length: > 0 } ? target.IPv6 : null;
        if (aliased is not null && !target.Candidate.IsImplicit)
        {
            // R15: RFC 2181 §10.3 forbids an MX pointing to an alias, but every major MTA follows it.
            builder.Warn($"The exchange {target.Candidate.Host} is an alias for {MxResolutionBuilder.ToHost(aliased.CanonicalName)} (RFC 2181 §10.3 forbids it); followed.");
        }
    }

    /// <summary>
    /// Whether a target's addresses are DNSSEC-secure (RFC 7672 §2.2): every address answer consulted
    /// for it was secure. Conservative on purpose: a failed or insecure lookup of either family in
    /// use makes the target insecure even when the other family's answer was secure, since what an
    /// attacker could have hidden or added there is unknown. An address literal is never secure.
    /// </summary>
    private static bool IsSecure(MxCandidate candidate, DnsAnswer? ipv4, DnsAnswer? ipv6)
        => candidate.Address is null
            && (ipv4 is not null || ipv6 is not null)
            && (ipv4 is null || ipv4.IsSecure)
            && (ipv6 is null || ipv6.IsSecure);
}
