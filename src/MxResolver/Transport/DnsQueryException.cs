namespace MxResolver;

/// <summary>
/// Thrown by <c>DnsStubClient</c> when no name server gave a final answer (NOERROR or
/// NXDOMAIN) to a query. The failure is temporary by nature: the caller should retry later.
/// </summary>
public sealed class DnsQueryException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="error">The category of the failure.</param>
    /// <param name="message">A message naming the question and what each server did.</param>
    /// <param name="innerException">The underlying exception, if any.</param>
    public DnsQueryException(DnsQueryError error, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Error = error;
    }

    /// <summary>The category of the failure.</summary>
    public DnsQueryError Error { get; }

    /// <summary>Always <see langword="true"/>: no DNS failure of this kind proves the name has no data.</summary>
    public bool IsTemporary => true;
}
