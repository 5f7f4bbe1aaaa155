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
    /// Connects to <paramref name="destination"/>, reads the greeting, sends <paramref name="message"/>
    /// and says goodbye. Connect and greeting each get their own timeout, reported as a
    /// <see cref="TimeoutException"/> so the connector moves on (R20, R21).
    /// </summary>
    /// <returns>The server's reply to the message data (e.g. <c>250 Ok: queued as …</c>).</returns>
    public static async ValueTask<string> SendAsync(MimeMessage message, MxDestination destination, MxFailoverOptions timeouts, CancellationToken cancellationToken)
    {
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

            using var client = new SmtpClient();
            using (var greeting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                greeting.CancelAfter(timeouts.GreetingTimeout);
                try
                {
                    // MailKit reads the greeting itself (so the connector's CheckGreeting stays off here),
                    // sends EHLO, and upgrades with STARTTLS when the server offers it (RFC 3207).
                    await client.ConnectAsync(socket, destination.Target.Host, destination.Port, SecureSocketOptions.StartTlsWhenAvailable, greeting.Token).ConfigureAwait(false);
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
    /// errors, timeouts, a greeting, EHLO or STARTTLS refused, a broken or unencryptable session. A
    /// reply to the sender, a recipient or the message is about the message itself: every exchanger
    /// of the domain would answer the same, so it ends the delivery (5xx bounce, 4xx retry later).
    /// </summary>
    public static bool IsRetryable(Exception exception) => exception switch
    {
        SmtpCommandException command => command.ErrorCode == SmtpErrorCode.UnexpectedStatusCode,
        SmtpProtocolException or SslHandshakeException or ServiceNotConnectedException => true,
        _ => exception is SocketException or IOException or TimeoutException or OperationCanceledException,
    };
}
