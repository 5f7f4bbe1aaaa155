namespace MxResolver;

/// <summary>
/// Finds where mail for a domain goes: the ordered mail exchangers of a domain and their
/// addresses, following RFC 5321 §5.1 (implicit MX, preference order, randomised ties,
/// self-pruning) and RFC 7505 (null MX).
/// </summary>
public interface IMxResolver
{
    /// <summary>Resolves the mail targets of a domain, an email address or an address literal.</summary>
    /// <param name="domainOrAddress">
    /// A domain (<c>example.com</c>, <c>bücher.example</c>, <c>example.com.</c>), an email address
    /// (<c>user@example.com</c>) or an address literal (<c>user@[192.0.2.1]</c>,
    /// <c>user@[IPv6:2001:db8::1]</c>, or just <c>[192.0.2.1]</c>).
    /// </param>
    /// <param name="cancellationToken">Stops the resolution.</param>
    /// <returns>
    /// The resolution. Every expected outcome, including malformed input, a non-existent domain and
    /// temporary DNS failures, is a value of <see cref="MxResolution.Status"/>, not an exception.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="domainOrAddress"/> is <see langword="null"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    ValueTask<MxResolution> ResolveAsync(string domainOrAddress, CancellationToken cancellationToken = default);
}
