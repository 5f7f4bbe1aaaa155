using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using MxResolver;

namespace MxDeliver;

/// <summary>One SMTP session with MailKit over a socket connected to the address the connector hands over.</summary>
internal static class SmtpDelivery
{
    /// <summary>
    /// Sends <paramref name="message"/> with opportunistic TLS (<see cref="DeliveryTls.Opportunistic"/>):
    /// the behaviour when no DANE or MTA-STS policy is known for the exchanger.
    /// </summary>
    /// <returns>The server's reply to the message data (e.g. <c>250 Ok: queued as …</c>).</returns>
    public static ValueTask<string> SendAsync(MimeMessage message, MxDestination destination, MxFailoverOptions timeouts, CancellationToken cancellationToken)
        => SendAsync(message, destination, DeliveryTls.Opportunistic, timeouts, cancellationToken);

    /// <summary>
    /// Connects to <paramref name="destination"/>, reads the greeting, applies the exchanger's TLS
    /// requirement, sends <paramref name="message"/> and says goodbye. Connect and greeting each
    /// get their own timeout, reported as a <see cref="TimeoutException"/> so the connector moves
    /// on (R20, R21); the greeting timeout also covers EHLO and the STARTTLS handshake.
    /// </summary>
    /// <remarks>
    /// <list type="bullet">
    /// <item>Opportunistic: STARTTLS when offered, any certificate (RFC 7435), plaintext otherwise.</item>
    /// <item>Every other requirement: STARTTLS or nothing. A server that does not offer it, a
    /// certificate the verifier rejects, or a failed handshake ends the attempt with a
    /// <see cref="DeliveryTlsException"/> before MAIL FROM, so the message never travels in
    /// plaintext, and the connector tries the next exchanger (<see cref="IsRetryable"/>).</item>
    /// <item>Revocation is never checked in the handshake (MailKit's
    /// <c>CheckCertificateRevocation</c> off): opportunistic and unauthenticated TLS check nothing;
    /// DANE does not use revocation (RFC 7672 §3.1.1–3.1.2: the TLSA records are the authority);
    /// for MTA-STS a CRL or OCSP fetch mid-handshake would make delivery depend on the CA's
    /// servers, and a soft-fail check protects nothing against an attacker able to block the fetch
    /// (docs/mxdeliver-tls.md).</item>
    /// </list>
    /// </remarks>
    /// <param name="message">The message.</param>
    /// <param name="destination">The exchanger's address, as the connector hands it over.</param>
    /// <param name="tls">The exchanger's TLS requirement.</param>
    /// <param name="timeouts">The connect and greeting timeouts.</param>
    /// <param name="cancellationToken">Stops the session.</param>
    /// <returns>The server's reply to the message data (e.g. <c>250 Ok: queued as …</c>).</returns>
    /// <exception cref="DeliveryTlsException">The TLS requirement was not met; the message was not sent to this exchanger.</exception>
    public static async ValueTask<string> SendAsync(
        MimeMessage message, MxDestination destination, DeliveryTls tls, MxFailoverOptions timeouts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tls);
        var socket = new Socket(destination.Address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            using (var connect = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                connect.CancelAfter(timeouts.ConnectTimeout);
                try
                {
                    await socket.ConnectAsync(destination.EndPoint, connect.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new TimeoutException($"No connection within {timeouts.ConnectTimeout.TotalSeconds:0.###} s.");
                }
            }

            // The verifier's verdict for this session, so a rejected certificate fails with its reason.
            CertificateCheckResult? certificateCheck = null;
            using var client = new DeliverySmtpClient(tls.CreateChainPolicy())
            {
                CheckCertificateRevocation = false,
                ServerCertificateValidationCallback = tls.CreateVerifier(result => certificateCheck = result),
            };
            using (var greeting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                greeting.CancelAfter(timeouts.GreetingTimeout);
                try
                {
                    // MailKit reads the greeting itself (so the connector's CheckGreeting stays off here),
                    // sends EHLO, and upgrades with STARTTLS (RFC 3207): when offered, or, if TLS is
                    // required, else fails before any mail command.
                    await client.ConnectAsync(socket, destination.Target.Host, destination.Port, tls.SocketOptions, greeting.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new TimeoutException($"No SMTP greeting within {timeouts.GreetingTimeout.TotalSeconds:0.###} s.");
                }
                catch (SmtpCommandException e)
                {
                    // A 4xx/5xx greeting, EHLO or STARTTLS reply (R21): MailKit's message leaves out the code, the attempt log wants it.
                    throw new SmtpCommandException(e.ErrorCode, e.StatusCode, $"{(int)e.StatusCode} {e.Message}", e);
                }
                catch (NotSupportedException e) when (tls.IsTlsRequired)
                {
                    // MailKit's documented answer to StartTls when EHLO lists no STARTTLS.
                    throw DeliveryTlsException.StartTlsNotOffered(tls.Requirement, e);
                }
                catch (SslHandshakeException e) when (tls.IsTlsRequired)
                {
                    throw DeliveryTlsException.HandshakeFailed(tls.Requirement, certificateCheck, e);
                }
            }

            if (tls.IsTlsRequired && !client.IsSecure)
            {
                // MailKit's StartTls already guarantees this; the message must not leave in plaintext even if it did not.
                throw DeliveryTlsException.NotEncrypted(tls.Requirement);
            }

            string reply = await client.SendAsync(message, cancellationToken).ConfigureAwait(false);
            await client.DisconnectAsync(quit: true, cancellationToken).ConfigureAwait(false);
            return reply;
        }
        finally
        {
            // The client closed it already when the session got that far; closing twice is harmless.
            socket.Dispose();
        }
    }

    /// <summary>
    /// Whether a failure is the exchanger's, so another one of the domain may do better: network
    /// errors, timeouts, a greeting, EHLO or STARTTLS refused, a broken or unencryptable session, a
    /// TLS requirement not met (no STARTTLS, certificate rejected: <see cref="DeliveryTlsException"/>). A
    /// reply to the sender, a recipient or the message is about the message itself: every exchanger
    /// of the domain would answer the same, so it ends the delivery (5xx bounce, 4xx retry later).
    /// </summary>
    public static bool IsRetryable(Exception exception) => exception switch
    {
        SmtpCommandException command => command.ErrorCode == SmtpErrorCode.UnexpectedStatusCode,
        DeliveryTlsException or SmtpProtocolException or SslHandshakeException or ServiceNotConnectedException => true,
        _ => exception is SocketException or IOException or TimeoutException or OperationCanceledException,
    };
}
