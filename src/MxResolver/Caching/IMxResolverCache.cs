namespace MxResolver;

/// <summary>
/// Flushes what a resolver has cached, for operators who know that DNS data changed (an MX set
/// moved to a new provider, a mail host got new addresses) and do not want to wait for the TTLs.
/// </summary>
/// <remarks>
/// <see cref="MailExchangeResolver"/> implements it; with dependency injection it is registered
/// as the same instance as <see cref="IMxResolver"/>. A resolver built without a cache has
/// nothing to flush, and both methods do nothing.
/// </remarks>
public interface IMxResolverCache
{
    /// <summary>
    /// Forgets everything cached about one name: the resolutions of the domain, every resolution
    /// that used the name as a target, canonical name or alias, and the DNS answers of the name
    /// (all record types). A resolution already running is not stored when it finishes.
    /// </summary>
    /// <param name="domain">A domain or host name, Unicode or ASCII, with or without trailing dot.</param>
    /// <returns>Whether anything was cached for the name.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="domain"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="domain"/> is not a valid domain name.</exception>
    bool Remove(string domain);

    /// <summary>Forgets every cached resolution and DNS answer.</summary>
    void Clear();
}
