using System.Net;
using System.Net.Sockets;
using MxResolver.Lookup;

namespace MxResolver.Resolution;

/// <summary>The A and AAAA answers of one candidate; both <see langword="null"/> when it needs no lookup.</summary>
internal readonly record struct TargetAnswers(MxCandidate Candidate, DnsAnswer? IPv4, DnsAnswer? IPv6);

/// <summary>The targets that have usable addresses, and how the others failed.</summary>
internal readonly record struct TargetSelectionResult(IReadOnlyList<MxTarget> Targets, IReadOnlyList<string> TemporaryFailures, bool AllWithoutAddress);

/// <summary>
/// Turns the answers of the candidates into targets (R15–R19): follows aliased exchanges with a
/// warning, keeps the targets that resolved (R16), orders families (R17), filters addresses
/// (R18), removes addresses seen under a better target (R13) and applies the caps (R19).
/// </summary>
internal static class TargetSelection
{
    [ThreadStatic]
    private static Scratch? t_scratch;

    public static TargetSelectionResult Select(IReadOnlyList<TargetAnswers> answers, ResolverSettings settings, MxResolutionBuilder builder)
    {
        bool useV4 = settings.AddressFamily != AddressFamilyPreference.IPv6Only;
        bool useV6 = settings.AddressFamily != AddressFamilyPreference.IPv4Only;

        // The usual result is a few targets of a few addresses: lists scanned in place of sets, and
        // working lists the thread keeps from one selection to the next (selection never waits, so
        // nothing else runs on the thread meanwhile). Only the targets and their addresses are new.
        Scratch scratch = t_scratch ?? new Scratch();
        t_scratch = null;
        try
        {
            return Select(answers, settings, builder, useV4, useV6, scratch);
        }
        finally
        {
            t_scratch = scratch.Clear();
        }
    }

    private static TargetSelectionResult Select(IReadOnlyList<TargetAnswers> answers, ResolverSettings settings, MxResolutionBuilder builder, bool useV4, bool useV6, Scratch scratch)
    {
        List<IPAddress> seen = scratch.Seen; // normalized, every address kept so far
        List<IPAddress> v4 = scratch.V4;
        List<IPAddress> v6 = scratch.V6;
        List<IPAddress> ordered = scratch.Ordered;
        List<MxTarget> targets = scratch.Targets;
        List<string>? temporaryFailures = null;
        bool allWithoutAddress = true;
        int total = 0;

        for (int t = 0; t < answers.Count; t++)
        {
            TargetAnswers target = answers[t];
            MxCandidate candidate = target.Candidate;
            WarnIfAlias(target, builder);

            // The answers of an excluded family take no part: neither in the TTL nor as failures.
            string? v4Failure = useV4 ? Consider(target.IPv4, builder) : null;
            string? v6Failure = useV6 ? Consider(target.IPv6, builder) : null;

            v4.Clear();
            v6.Clear();
            int published = 0;
            if (candidate.Address is not null)
            {
                Classify(candidate, candidate.Address, useV4, useV6, settings, seen, v4, v6, builder);
                published++;
            }

            foreach (DnsAnswer? answer in (ReadOnlySpan<DnsAnswer?>)[target.IPv4, target.IPv6])
            {
                if (answer is { Kind: DnsAnswerKind.Success })
                {
                    foreach (IPAddress address in answer.Addresses)
                    {
                        Classify(candidate, address, useV4, useV6, settings, seen, v4, v6, builder);
                        published++;
                    }
                }
            }

            OrderFamilies(v6, v4, settings.AddressFamily, ordered);

            // R19: the first addresses in attempt order, as many as both caps allow.
            int room = Math.Max(0, Math.Min(settings.MaxAddressesPerTarget, settings.MaxAddresses - total));
            int keep = Math.Min(ordered.Count, room);
            bool cappedByTotal = ordered.Count > keep && total + keep >= settings.MaxAddresses;
            IPAddress[] kept = keep == 0 ? [] : new IPAddress[keep];
            for (int i = 0; i < ordered.Count; i++)
            {
                if (i < keep)
                {
                    kept[i] = ordered[i];
                    seen.Add(AddressClassifier.Normalize(ordered[i]));
                }
                else
                {
                    builder.Drop(new DroppedAddress(candidate.Host, ordered[i], AddressDropReason.LimitExceeded));
                }
            }

            total += keep;
            string? failure = v4Failure ?? v6Failure;
            if (keep > 0)
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
                (temporaryFailures ??= []).Add($"{candidate.Host}: {description}");
                builder.Drop(candidate, ExchangeDropReason.LookupFailed);
            }
            else if (published == 0)
            {
                builder.Drop(candidate, ExchangeDropReason.NoAddress);
            }
            else
            {
                allWithoutAddress = false;
                builder.Drop(candidate, cappedByTotal ? ExchangeDropReason.LimitExceeded : ExchangeDropReason.NoUsableAddress);
            }
        }

        if (targets.Count > 0 && temporaryFailures is not null)
        {
            foreach (string failure in temporaryFailures)
            {
                builder.Warn($"Could not look up the addresses of {failure}; the other targets are used.");
            }
        }

        return new TargetSelectionResult(targets.ToArray(), temporaryFailures ?? (IReadOnlyList<string>)[], allWithoutAddress);
    }

    /// <summary>
    /// Files one published address of <paramref name="candidate"/>: dropped for its family, its
    /// category (R18) or as a duplicate (R13), else added to <paramref name="v4"/> or <paramref name="v6"/>.
    /// </summary>
    private static void Classify(MxCandidate candidate, IPAddress address, bool useV4, bool useV6, ResolverSettings settings, List<IPAddress> seen, List<IPAddress> v4, List<IPAddress> v6, MxResolutionBuilder builder)
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
        else if (IsDuplicate(AddressClassifier.Normalize(address), seen, v4, v6))
        {
            // R13: an address reachable under several exchanges (or listed twice) is attempted once, at its best position.
            builder.Drop(new DroppedAddress(candidate.Host, address, AddressDropReason.Duplicate));
        }
        else
        {
            (isV6 ? v6 : v4).Add(address);
        }
    }

    /// <summary>Whether <paramref name="normalized"/> was kept under a better target, or already taken for this one.</summary>
    private static bool IsDuplicate(IPAddress normalized, List<IPAddress> seen, List<IPAddress> v4, List<IPAddress> v6)
    {
        if (seen.Contains(normalized))
        {
            return true;
        }

        // Compared in normalized form: an IPv4-mapped address is filed under IPv6 but equals its IPv4 address.
        foreach (IPAddress taken in v4)
        {
            if (AddressClassifier.Normalize(taken).Equals(normalized))
            {
                return true;
            }
        }

        foreach (IPAddress taken in v6)
        {
            if (AddressClassifier.Normalize(taken).Equals(normalized))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// R17: the order of families within one target, written to <paramref name="ordered"/>.
    /// <see cref="AddressFamilyPreference.Both"/> interleaves them starting with IPv6, as RFC 8305 §4
    /// sorts destinations.
    /// </summary>
    internal static void OrderFamilies(List<IPAddress> v6, List<IPAddress> v4, AddressFamilyPreference preference, List<IPAddress> ordered)
    {
        ordered.Clear();
        switch (preference)
        {
            case AddressFamilyPreference.PreferIPv4:
                ordered.AddRange(v4);
                ordered.AddRange(v6);
                break;
            case AddressFamilyPreference.PreferIPv6:
                ordered.AddRange(v6);
                ordered.AddRange(v4);
                break;
            case AddressFamilyPreference.IPv4Only:
                ordered.AddRange(v4);
                break;
            case AddressFamilyPreference.IPv6Only:
                ordered.AddRange(v6);
                break;
            default:
                for (int i = 0; i < Math.Max(v6.Count, v4.Count); i++)
                {
                    if (i < v6.Count)
                    {
                        ordered.Add(v6[i]);
                    }

                    if (i < v4.Count)
                    {
                        ordered.Add(v4[i]);
                    }
                }

                break;
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

    /// <summary>The working lists of one selection, kept by the thread for the next.</summary>
    private sealed class Scratch
    {
        // A selection that needed more than this leaves its lists to the collector rather than keep them.
        private const int MaxKeptCapacity = 64;

        public List<IPAddress> Seen { get; } = [];

        public List<IPAddress> V4 { get; } = [];

        public List<IPAddress> V6 { get; } = [];

        public List<IPAddress> Ordered { get; } = [];

        public List<MxTarget> Targets { get; } = [];

        /// <summary>Empties the lists (no reference to this selection's objects stays); the scratch to keep, or <see langword="null"/> if it grew too large.</summary>
        public Scratch? Clear()
        {
            bool keep = Seen.Capacity <= MaxKeptCapacity && Ordered.Capacity <= MaxKeptCapacity && Targets.Capacity <= MaxKeptCapacity
                && V4.Capacity <= MaxKeptCapacity && V6.Capacity <= MaxKeptCapacity;
            Seen.Clear();
            V4.Clear();
            V6.Clear();
            Ordered.Clear();
            Targets.Clear();
            return keep ? this : null;
        }
    }
}
