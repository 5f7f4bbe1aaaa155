using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using MailKit.Net.Smtp;

namespace MxDeliver;

/// <summary>
/// MailKit's <see cref="SmtpClient"/> with one addition: the handshake's chain is built with a
/// given <see cref="X509ChainPolicy"/> (e.g. custom trust roots for MTA-STS, no revocation check),
/// which MailKit has no property for.
/// </summary>
internal sealed class DeliverySmtpClient(X509ChainPolicy? chainPolicy) : SmtpClient
{
    /// <inheritdoc />
    protected override SslClientAuthenticationOptions GetSslClientAuthenticationOptions(string host, RemoteCertificateValidationCallback remoteCertificateValidationCallback)
    {
        SslClientAuthenticationOptions options = base.GetSslClientAuthenticationOptions(host, remoteCertificateValidationCallback);
        if (chainPolicy is not null)
        {
            // With a chain policy the platform takes revocation, trust and application policy from it alone.
            options.CertificateChainPolicy = chainPolicy;
        }

        return options;
    }
}
