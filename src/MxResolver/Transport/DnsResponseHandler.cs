namespace MxResolver.Transport;

/// <summary>
/// Reads a final reply in place, on the client's pooled receive buffer, before the buffer goes back
/// to the pool. The span must not escape the call.
/// </summary>
/// <param name="message">The whole reply: matching, not truncated, RCODE NOERROR or NXDOMAIN.</param>
/// <param name="scan">The records of the reply an answer to the query is built from, kept by the walk that validated it.</param>
/// <param name="state">The caller's state.</param>
/// <returns>What the caller makes of the reply.</returns>
/// <exception cref="Dns.DnsFormatException">The reply is malformed; the client then treats it like any malformed reply and moves on.</exception>
internal delegate TResult DnsResponseHandler<TState, TResult>(ReadOnlySpan<byte> message, in Dns.DnsReplyScan scan, TState state);
