using System.Runtime.InteropServices;

namespace MxResolver.Resolution;

/// <summary>Puts the exchanges in attempt order and prunes them (R11–R14, and the target cap of R19).</summary>
internal static class ExchangeOrdering
{
    // Up to this many candidates, de-duplication scans and sorting inserts; beyond, they use a dictionary and a library sort.
    private const int LinearLimit = 16;

    /// <summary>
    /// R13: keeps each exchange once, at its best preference; the other listings are reported
    /// as duplicates. The kept exchanges stay in <paramref name="candidates"/>, in the first-seen
    /// order of their names.
    /// </summary>
    public static void Deduplicate(List<MxCandidate> candidates, MxResolutionBuilder builder)
    {
        // An MX set is a handful of names: a scan of the kept ones costs less than a dictionary,
        // which only large sets (a reply can carry hundreds) get.
        Dictionary<string, int>? index = candidates.Count > LinearLimit ? new(candidates.Count, StringComparer.Ordinal) : null;
        int kept = 0;
        for (int i = 0; i < candidates.Count; i++)
        {
            MxCandidate candidate = candidates[i];
            int at = index is null ? IndexOfHost(candidates, kept, candidate.Host) : index.GetValueOrDefault(candidate.Host, -1);
            if (at < 0)
            {
                index?.Add(candidate.Host, kept);
                candidates[kept++] = candidate;
            }
            else if (candidate.Preference < candidates[at].Preference)
            {
                builder.Drop(candidates[at], ExchangeDropReason.Duplicate);
                candidates[at] = candidate;
            }
            else
            {
                builder.Drop(candidate, ExchangeDropReason.Duplicate);
            }
        }

        candidates.RemoveRange(kept, candidates.Count - kept);
    }

    /// <summary>
    /// R11: sorts by preference, lower first, over the full unsigned 16-bit range. R12: shuffles
    /// each group of equal preference uniformly (Fisher–Yates), as RFC 5321 §5.1 requires
    /// ("MUST be randomized"); the order across preferences is never touched.
    /// </summary>
    public static void SortAndShuffle(List<MxCandidate> candidates, Random random)
    {
        // A stable sort, so that a seeded random source gives reproducible orders: insertion sort in
        // place for the usual handful, a stable library sort for large sets (same order either way).
        Span<MxCandidate> items = CollectionsMarshal.AsSpan(candidates);
        if (items.Length <= LinearLimit)
        {
            for (int i = 1; i < items.Length; i++)
            {
                MxCandidate item = items[i];
                int j = i - 1;
                while (j >= 0 && items[j].Preference > item.Preference)
                {
                    items[j + 1] = items[j];
                    j--;
                }

                items[j + 1] = item;
            }
        }
        else
        {
            MxCandidate[] sorted = [.. candidates.OrderBy(static candidate => candidate.Preference)];
            sorted.CopyTo(items);
        }

        ShuffleTies(items, random, static candidate => candidate.Preference);
    }

    private static int IndexOfHost(List<MxCandidate> candidates, int count, string host)
    {
        for (int i = 0; i < count; i++)
        {
            if (string.Equals(candidates[i].Host, host, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// R12: shuffles each run of equal preference of <paramref name="sorted"/> in place, uniformly
    /// (Fisher–Yates); runs keep their order (R11). The one tie shuffle: a fresh resolution and a
    /// reused one (the resolution cache) draw from <paramref name="random"/> the same way.
    /// </summary>
    /// <param name="sorted">Items in preference order.</param>
    /// <param name="random">The source; used without locking.</param>
    /// <param name="preferenceOf">The preference of an item; pass a static lambda so that no delegate is allocated per call.</param>
    public static void ShuffleTies<T>(Span<T> sorted, Random random, Func<T, ushort> preferenceOf)
    {
        int start = 0;
        while (start < sorted.Length)
        {
            ushort preference = preferenceOf(sorted[start]);
            int end = start + 1;
            while (end < sorted.Length && preferenceOf(sorted[end]) == preference)
            {
                end++;
            }

            for (int i = end - 1; i > start; i--)
            {
                int j = start + random.Next(i - start + 1);
                (sorted[i], sorted[j]) = (sorted[j], sorted[i]);
            }

            start = end;
        }
    }

    /// <summary>
    /// R14: when a candidate is this host, it and every candidate of the same or a worse
    /// preference are discarded (RFC 5321 §5.1), because delivering to an equal or less
    /// preferred exchange from the local one would loop or go backwards.
    /// </summary>
    /// <returns>The preference of this host among the candidates, or <see langword="null"/>.</returns>
    public static ushort? PruneSelf(List<MxCandidate> sorted, Func<MxCandidate, bool> isLocal, MxResolutionBuilder builder)
    {
        ushort? self = null;
        foreach (MxCandidate candidate in sorted)
        {
            if (isLocal(candidate) && (self is null || candidate.Preference < self))
            {
                self = candidate.Preference;
            }
        }

        if (self is not null)
        {
            foreach (MxCandidate candidate in sorted)
            {
                if (candidate.Preference >= self)
                {
                    builder.Drop(candidate, ExchangeDropReason.SelfPruned);
                }
            }

            sorted.RemoveAll(candidate => candidate.Preference >= self);
        }

        return self;
    }

    /// <summary>R19: keeps the first <paramref name="maxTargets"/> candidates, reporting the rest.</summary>
    public static void Cap(List<MxCandidate> sorted, int maxTargets, MxResolutionBuilder builder)
    {
        if (sorted.Count <= maxTargets)
        {
            return;
        }

        for (int i = maxTargets; i < sorted.Count; i++)
        {
            builder.Drop(sorted[i], ExchangeDropReason.LimitExceeded);
        }

        sorted.RemoveRange(maxTargets, sorted.Count - maxTargets);
    }
}
