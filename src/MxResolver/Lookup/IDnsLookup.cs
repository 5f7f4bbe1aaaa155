using MxResolver.Dns;

namespace MxResolver.Lookup;

/// <summary>
/// Answers one question (name, type) with the records at the end of any CNAME chain, a negative
/// answer, or a failure. The seam between MX resolution and the network: the cache decorates it,
/// and tests replace it with an in-memory fake.
/// </summary>
internal interface IDnsLookup
{
    /// <summary>Looks up <paramref name="type"/> records of <paramref name="name"/>.</summary>
    /// <param name="name">An absolute ASCII name, lower case, with its trailing dot.</param>
    /// <param name="type">The record type: MX, A or AAAA for resolution; TXT or TLSA for the policy layer.</param>
    /// <param name="cancellationToken">Stops the lookup.</param>
    /// <returns>
    /// The answer; failures are values (<see cref="DnsAnswerKind.Failure"/>), not exceptions. The
    /// task may be pooled: await it (or call <see cref="ValueTask{TResult}.AsTask"/>) exactly once.
    /// </returns>
    /// <exception cref="OperationCanceledException">Cancellation was requested.</exception>
    ValueTask<DnsAnswer> LookupAsync(string name, DnsRecordType type, CancellationToken cancellationToken);
}
