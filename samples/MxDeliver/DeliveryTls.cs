using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using MailKit.Security;
using MxResolver;

namespace MxDeliver;

/// <summary>What one mail exchanger requires of the SMTP session's TLS (see docs/mxdeliver-tls.md).</summary>
internal enum TlsRequirement
{
    /// <summary>
    /// No DANE or MTA-STS policy: STARTTLS when the server offers it, any certificate accepted, and
    /// plaintext when it does not offer it. Opportunistic security (RFC 7435 §1–§3): encryption
    /// without authentication still defeats passive eavesdropping, so it beats plaintext, and
    /// refusing a self-signed certificate would only push the session back to plaintext or stop delivery.
    /// </summary>
    Opportunistic,

    /// <summary>
    /// DANE applies but none of the host's TLSA records is usable: TLS is mandatory, but there is
    /// nothing to authenticate the server with, so any certificate is accepted (RFC 7672 §2.2, §3.1.3).
    /// </summary>
    MandatoryUnauthenticated,

    /// <summary>TLS is mandatory and the certificate must match the host's TLSA records (RFC 7672 §3).</summary>
    Dane,

    /// <summary>
    /// MTA-STS in <c>enforce</c> mode: TLS is mandatory and the certificate must be PKIX-valid and
    /// name the MX host (RFC 8461 §4.2, §5).
    /// </summary>
    MtaSts,
}

/// <summary>
/// One mail exchanger's TLS requirement as <see cref="SmtpDelivery"/> applies it: a
/// <see cref="TlsRequirement"/>, plus for <see cref="TlsRequirement.Dane"/> and
/// <see cref="TlsRequirement.MtaSts"/> the certificate verifier. Immutable; one instance may serve
/// any number of sessions, also in parallel.
/// </summary>
/// <remarks>
/// The verifier is kept as a factory of <see cref="RemoteCertificateValidationCallback"/>s rather
/// than one callback, so that every session gets its own callback whose
/// <see cref="CertificateCheckResult"/> that session alone sees: a rejected certificate then fails
/// the attempt with the verifier's reason (<see cref="DeliveryTlsException"/>) for the attempt log
/// and a TLS-RPT report.
/// </remarks>
internal sealed class DeliveryTls
{
    private readonly Func<Action<CertificateCheckResult>, RemoteCertificateValidationCallback>? _createVerifier;
    private readonly X509Certificate2Collection? _trustRoots;

    private DeliveryTls(
        TlsRequirement requirement,
        Func<Action<CertificateCheckResult>, RemoteCertificateValidationCallback>? createVerifier,
        X509Certificate2Collection? trustRoots = null)
    {
        Requirement = requirement;
        _createVerifier = createVerifier;
        _trustRoots = trustRoots;
    }

    /// <summary>STARTTLS if offered, no certificate check, plaintext otherwise (RFC 7435). The default when no policy is known.</summary>
    public static DeliveryTls Opportunistic { get; } = new(TlsRequirement.Opportunistic, null);

    /// <summary>TLS required, any certificate accepted (DANE with only unusable TLSA records, RFC 7672 §2.2).</summary>
    public static DeliveryTls MandatoryUnauthenticated { get; } = new(TlsRequirement.MandatoryUnauthenticated, null);

    /// <summary>The requirement.</summary>
    public TlsRequirement Requirement { get; }

    /// <summary>Whether the message may only travel over TLS: every requirement but <see cref="TlsRequirement.Opportunistic"/>.</summary>
    public bool IsTlsRequired => Requirement != TlsRequirement.Opportunistic;

    /// <summary>
    /// How MailKit connects: <see cref="SecureSocketOptions.StartTls"/> when TLS is required (MailKit then
    /// fails before any mail command when the server does not offer STARTTLS), otherwise
    /// <see cref="SecureSocketOptions.StartTlsWhenAvailable"/>.
    /// </summary>
    public SecureSocketOptions SocketOptions => IsTlsRequired ? SecureSocketOptions.StartTls : SecureSocketOptions.StartTlsWhenAvailable;

    /// <summary>
    /// DANE (RFC 7672 §3): the certificate chain must match one of <paramref name="associations"/>
    /// (see <see cref="DaneVerifier.Verify"/>). If none of them is usable, the verifier reports
    /// unauthenticated-but-acceptable and the session proceeds over TLS, as RFC 7672 §2.2 asks.
    /// </summary>
    /// <param name="verifier">The DANE verifier.</param>
    /// <param name="associations">The host's DNSSEC-validated TLSA records; must not be empty.</param>
    /// <param name="referenceIdentifiers">The names a DANE-TA(2) leaf must carry (<see cref="DaneVerifier.GetReferenceIdentifiers"/>).</param>
    /// <param name="observer">Called with every check result (e.g. for a TLS-RPT report); optional.</param>
    /// <returns>The requirement.</returns>
    /// <exception cref="ArgumentNullException">An argument other than <paramref name="observer"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="associations"/> is empty.</exception>
    public static DeliveryTls Dane(
        DaneVerifier verifier,
        IReadOnlyCollection<TlsaAssociation> associations,
        IReadOnlyCollection<string> referenceIdentifiers,
        Action<CertificateCheckResult>? observer = null)
    {
        ArgumentNullException.ThrowIfNull(verifier);
        ArgumentNullException.ThrowIfNull(associations);
        ArgumentNullException.ThrowIfNull(referenceIdentifiers);
        if (associations.Count == 0)
        {
            throw new ArgumentException("DANE needs at least one TLSA record.", nameof(associations));
        }

        TlsaAssociation[] records = [.. associations];
        string[] names = [.. referenceIdentifiers];
        return new DeliveryTls(
            TlsRequirement.Dane,
            session => verifier.CreateValidationCallback(records, names, Both(session, observer)));
    }

    /// <summary>
    /// MTA-STS <c>enforce</c> (RFC 8461 §4.2): the chain must validate and a DNS name of the
    /// certificate must match <paramref name="mxHost"/> (see <see cref="MtaStsCertificateValidator.Check"/>).
    /// </summary>
    /// <remarks>
    /// Revocation is not checked (the chain policy's <see cref="X509RevocationMode.NoCheck"/>, and
    /// MailKit's <c>CheckCertificateRevocation</c> off): a delivery must not hang on, or fail for,
    /// a CRL or OCSP server of the certificate's CA, and a soft-fail check would cost that fetch
    /// while protecting nothing against an attacker who can also block it. docs/mxdeliver-tls.md
    /// gives the full reasoning.
    /// </remarks>
    /// <param name="mxHost">The MX host name the policy's <c>mx</c> patterns matched.</param>
    /// <param name="trustRoots">
    /// The roots to trust instead of the system's (a private CA, or a test's); <see langword="null"/>
    /// for the system trust store, which is what MTA-STS means by a valid certificate.
    /// </param>
    /// <param name="observer">Called with every check result (e.g. for a TLS-RPT report); optional.</param>
    /// <returns>The requirement.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="mxHost"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="trustRoots"/> is empty.</exception>
    public static DeliveryTls MtaSts(string mxHost, X509Certificate2Collection? trustRoots = null, Action<CertificateCheckResult>? observer = null)
    {
        ArgumentNullException.ThrowIfNull(mxHost);
        if (trustRoots is { Count: 0 })
        {
            throw new ArgumentException("Give at least one trust root, or none (null) for the system's.", nameof(trustRoots));
        }

        return new DeliveryTls(
            TlsRequirement.MtaSts,
            session => MtaStsCertificateValidator.CreateValidationCallback(mxHost, Both(session, observer)),
            trustRoots is null ? null : [.. trustRoots]);
    }

    /// <summary>
    /// The certificate callback for one session: the verifier for <see cref="TlsRequirement.Dane"/>
    /// and <see cref="TlsRequirement.MtaSts"/>, reporting each result to <paramref name="sessionObserver"/>;
    /// one that accepts any certificate otherwise.
    /// </summary>
    /// <param name="sessionObserver">Receives the verifier's results for this session.</param>
    /// <returns>The callback to give MailKit.</returns>
    public RemoteCertificateValidationCallback CreateVerifier(Action<CertificateCheckResult> sessionObserver)
        => _createVerifier?.Invoke(sessionObserver) ?? AcceptAnyCertificate;

    /// <summary>
    /// The chain policy for the platform's chain build in the TLS handshake, or <see langword="null"/>
    /// for the platform's default (system roots, revocation as MailKit's <c>CheckCertificateRevocation</c>).
    /// Set only for <see cref="MtaSts"/> with trust roots: custom root trust, no revocation check, no downloads.
    /// A new instance each call, since the handshake owns it.
    /// </summary>
    public X509ChainPolicy? CreateChainPolicy()
    {
        if (_trustRoots is null)
        {
            return null;
        }

        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
            DisableCertificateDownloads = true,
        };
        policy.CustomTrustStore.AddRange(_trustRoots);

        // As the platform's default policy does: the certificate must be fit for a TLS server.
        policy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.1"));
        return policy;
    }

    /// <summary>The requirement's name.</summary>
    public override string ToString() => Requirement.ToString();

    /// <summary>Opportunistic and mandatory-unauthenticated TLS: encryption without authentication, so any certificate will do.</summary>
    private static bool AcceptAnyCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors) => true;

    private static Action<CertificateCheckResult> Both(Action<CertificateCheckResult> session, Action<CertificateCheckResult>? observer)
        => observer is null ? session : result =>
        {
            session(result);
            observer(result);
        };
}
