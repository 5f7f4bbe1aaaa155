namespace MxResolver;

/// <summary>
/// Connects to the mail exchangers of a domain in the order RFC 5321 §5.1 asks for, moving to the
/// next address when one fails (R20–R23).
/// </summary>
public interface IMxConnector
{
    /// <summary>
    /// Resolves <paramref name="domainOrAddress"/> and connects to its targets in attempt order (R20):
    /// a refused or unreachable address moves on at once, a silent one after
    /// <see cref="MxFailoverOptions.ConnectTimeout"/>; the addresses of one target race RFC 8305
    /// style; optionally the SMTP greeting is checked (R21).
    /// </summary>
    /// <param name="domainOrAddress">A domain, an email address or an address literal, as for <see cref="IMxResolver.ResolveAsync"/>.</param>
    /// <param name="port">The TCP port. Default: 25 (SMTP).</param>
    /// <param name="cancellationToken">Stops the call; a connection in progress is closed.</param>
    /// <returns>
    /// The result: the connection (owned by the caller) and which target and address accepted, or
    /// why none did. Resolution failures and exhausted attempts are values, not exceptions.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="domainOrAddress"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="port"/> is not 1–65535.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    ValueTask<MxFailoverResult<MxConnection>> ConnectAsync(string domainOrAddress, int port = 25, CancellationToken cancellationToken = default);

    /// <summary>
    /// Resolves <paramref name="domainOrAddress"/> and hands each address of its targets in attempt
    /// order to <paramref name="operation"/>, one at a time, until one call returns (R20): for a
    /// caller that brings its own client, e.g. MailKit's <c>SmtpClient.ConnectAsync(Socket, …)</c>.
    /// </summary>
    /// <typeparam name="T">What the operation produces.</typeparam>
    /// <param name="domainOrAddress">A domain, an email address or an address literal, as for <see cref="IMxResolver.ResolveAsync"/>.</param>
    /// <param name="operation">
    /// Connects to <see cref="MxDestination.Address"/> and does its work. It reports a failure by
    /// throwing; the token it receives ends at the caller's cancellation or the overall deadline, so
    /// the operation applies its own connect and read timeouts.
    /// </param>
    /// <param name="isRetryable">
    /// Decides whether an exception thrown by <paramref name="operation"/> moves on to the next address
    /// (recorded as <see cref="MxAttemptOutcome.OperationFailed"/>, or the socket error's outcome, and
    /// held against the address's health) or ends the call by propagating unchanged (e.g. a recipient
    /// rejected with 5xx: another exchanger of the same domain would reject it too). Default:
    /// <see cref="System.Net.Sockets.SocketException"/>, <see cref="IOException"/>,
    /// <see cref="TimeoutException"/> and an <see cref="OperationCanceledException"/> that is the
    /// operation's own timeout (neither the caller's token nor the deadline fired) are retryable.
    /// </param>
    /// <param name="port">The TCP port put in <see cref="MxDestination.Port"/>. Default: 25 (SMTP).</param>
    /// <param name="cancellationToken">Stops the call.</param>
    /// <returns>The result: the operation's value and which target and address produced it, or why none did.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="domainOrAddress"/> or <paramref name="operation"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="port"/> is not 1–65535.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="Exception">Whatever <paramref name="operation"/> threw that <paramref name="isRetryable"/> did not accept.</exception>
    ValueTask<MxFailoverResult<T>> ExecuteAsync<T>(
        string domainOrAddress,
        Func<MxDestination, CancellationToken, ValueTask<T>> operation,
        Func<Exception, bool>? isRetryable = null,
        int port = 25,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Like <see cref="ExecuteAsync{T}"/>, with each target's security requirement: the domain is
    /// resolved by <see cref="IMxSecurityResolver"/>, targets an MTA-STS <c>enforce</c> policy rules
    /// out are not attempted, targets whose requirement could not be established are recorded as
    /// <see cref="MxAttemptOutcome.SkippedByPolicy"/> without a connection, and every destination
    /// carries its requirement in <see cref="MxDestination.Security"/> for the operation to honour.
    /// </summary>
    /// <typeparam name="T">What the operation produces.</typeparam>
    /// <param name="domainOrAddress">A domain, an email address or an address literal.</param>
    /// <param name="operation">The work to do on one destination (e.g. an SMTP session with mandatory STARTTLS and the verifier its requirement calls for).</param>
    /// <param name="isRetryable">Which of the operation's exceptions move on to the next address; default: network and I/O errors and timeouts.</param>
    /// <param name="port">The TCP port, 25 by default; TLSA records are looked up for the port the security resolver was configured with.</param>
    /// <param name="cancellationToken">Stops the call.</param>
    /// <returns>The outcome, with every attempt and skipped target.</returns>
    /// <exception cref="InvalidOperationException">The connector was created without a security resolver (use <c>AddMxResolver</c>).</exception>
    /// <exception cref="ArgumentNullException"><paramref name="domainOrAddress"/> or <paramref name="operation"/> is <see langword="null"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    ValueTask<MxFailoverResult<T>> ExecuteSecureAsync<T>(
        string domainOrAddress,
        Func<MxDestination, CancellationToken, ValueTask<T>> operation,
        Func<Exception, bool>? isRetryable = null,
        int port = 25,
        CancellationToken cancellationToken = default);
}
