using MxResolver.Dns;
using MxResolver.Lookup;

namespace MxResolver.Resolution;

/// <summary>The A and AAAA answers of one candidate; both <see langword="null"/> when it needs no lookup.</summary>
internal sealed record TargetAnswers(MxCandidate Candidate, DnsAnswer? IPv4, DnsAnswer? IPv6);

/// <summary>Looks up the addresses of every candidate at once (R15).</summary>
internal static class TargetAddressLookup
{
    /// <summary>
    /// Starts the A and AAAA lookups of every candidate before awaiting any (R15), so that a
    /// domain with five exchanges costs about one round trip after the MX lookup, not ten.
    /// </summary>
    public static async Task<TargetAnswers[]> LookupAllAsync(IDnsLookup lookup, IReadOnlyList<MxCandidate> candidates, CancellationToken cancellationToken)
    {
        var pending = new (Task<DnsAnswer> V4, Task<DnsAnswer> V6)?[candidates.Count];
        var all = new List<Task>(candidates.Count * 2);
        for (int i = 0; i < candidates.Count; i++)
        {
            MxCandidate candidate = candidates[i];
            if (candidate.Address is not null)
            {
                continue;
            }

            string name = candidate.Host + "."; // R1: absolute, never completed with a search list
            Task<DnsAnswer> v4 = LookupAsync(lookup, name, DnsRecordType.A, cancellationToken);
            Task<DnsAnswer> v6 = LookupAsync(lookup, name, DnsRecordType.AAAA, cancellationToken);
            pending[i] = (v4, v6);
            all.Add(v4);
            all.Add(v6);
        }

        await Task.WhenAll(all).ConfigureAwait(false);

        var result = new TargetAnswers[candidates.Count];
        for (int i = 0; i < candidates.Count; i++)
        {
            result[i] = pending[i] is { } tasks
                ? new TargetAnswers(candidates[i], await tasks.V4.ConfigureAwait(false), await tasks.V6.ConfigureAwait(false))
                : new TargetAnswers(candidates[i], null, null);
        }

        return result;
    }

    /// <summary>
    /// One lookup, with the failure contract of <see cref="IDnsLookup"/> enforced: a
    /// <see cref="DnsQueryException"/> from a lookup becomes a failure answer.
    /// </summary>
    public static async Task<DnsAnswer> LookupAsync(IDnsLookup lookup, string name, DnsRecordType type, CancellationToken cancellationToken)
    {
        try
        {
            return await lookup.LookupAsync(name, type, cancellationToken).ConfigureAwait(false);
        }
        catch (DnsQueryException ex)
        {
            return DnsAnswer.Failed(name, type, ex.Error, ex.Message);
        }
    }
}
