using System.Net;
using System.Security.Cryptography.X509Certificates;
using MimeKit;
using MxDeliver;
using MxResolver.Tests.Failover;
using MxResolver.Tests.Policy;

namespace MxResolver.Tests.Samples;

// Behaviour rules R37 (docs/behaviour.md, "Secure delivery").

/// <summary>
/// The <c>mxdeliver</c> sample's TLS requirements end to end: MailKit through
/// <see cref="SmtpDelivery"/> to real SMTP servers on 127.0.0.1 that offer STARTTLS with
/// certificates made at test time (or no STARTTLS at all).
/// </summary>
public sealed class MxDeliverTlsTests
{
    private const string MxHost = "mx.tls.test";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private static readonly MxFailoverOptions Timeouts = new() { ConnectTimeout = TimeSpan.FromSeconds(10), GreetingTimeout = TimeSpan.FromSeconds(10) };

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static MimeMessage Message()
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("sender@client.test"));
        message.To.Add(MailboxAddress.Parse("rcpt@tls.test"));
        message.Subject = "TLS test";
        message.Body = new TextPart("plain") { Text = "Hello over TLS." };
        return message;
    }

    private static MxDestination Destination(StartTlsSmtpServer server) =>
        new(new MxTarget(MxHost, 10, isImplicit: false, [server.EndPoint.Address]), server.EndPoint.Address, server.EndPoint.Port, attemptNumber: 1);

    private static Task<string> SendAsync(StartTlsSmtpServer server, DeliveryTls tls) =>
        SmtpDelivery.SendAsync(Message(), Destination(server), tls, Timeouts, Token).AsTask().WaitAsync(Bound, Token);

    private static X509Certificate2 SelfSigned(string host = MxHost) => TestCertificates.CreateLeaf(host, [host]);

    private static DeliveryTls Dane(X509Certificate2 matching, List<CertificateCheckResult>? observed = null) =>
        DeliveryTls.Dane(
            new DaneVerifier(),
            [TlsaAssociation.FromCertificate(TlsaCertificateUsage.DaneEe, TlsaSelector.SubjectPublicKeyInfo, TlsaMatchingType.Sha256, matching)],
            DaneVerifier.GetReferenceIdentifiers("tls.test", MxHost, null, mxRrsetSecure: true),
            observed is null ? null : observed.Add);

    private static void AssertDeliveredOverTls(StartTlsSmtpServer server, string reply)
    {
        Assert.Equal("Ok", reply); // SmtpServer's 250 reply text, as MailKit returns it
        (IReadOnlyList<string> recipients, string text, bool overTls) = Assert.Single(server.Messages);
        Assert.Equal(["rcpt@tls.test"], recipients);
        Assert.Contains("Hello over TLS.", text, StringComparison.Ordinal);
        Assert.True(overTls, "the message arrived over plaintext");
        Assert.Contains("STARTTLS", server.Commands);
    }

    private static void AssertNothingSent(StartTlsSmtpServer server)
    {
        Assert.Empty(server.Messages);
        Assert.DoesNotContain("MAIL", server.Commands);
    }

    [Fact]
    public async Task SendAsync_OpportunisticSelfSignedCertificate_DeliveredOverTls()
    {
        // RFC 7435: an unverifiable certificate still gives encryption; refusing it used to leave the message undelivered.
        using X509Certificate2 certificate = SelfSigned();
        await using StartTlsSmtpServer server = await StartTlsSmtpServer.StartAsync(certificate);

        string reply = await SendAsync(server, DeliveryTls.Opportunistic);

        AssertDeliveredOverTls(server, reply);
    }

    [Fact]
    public async Task SendAsync_DefaultOverload_IsOpportunistic()
    {
        // The overload Program.cs calls today: a self-signed STARTTLS server now gets the mail.
        using X509Certificate2 certificate = SelfSigned();
        await using StartTlsSmtpServer server = await StartTlsSmtpServer.StartAsync(certificate);

        string reply = await SmtpDelivery.SendAsync(Message(), Destination(server), Timeouts, Token).AsTask().WaitAsync(Bound, Token);

        AssertDeliveredOverTls(server, reply);
    }

    [Fact]
    public async Task SendAsync_OpportunisticWithoutStartTls_DeliveredInPlaintext()
    {
        await using StartTlsSmtpServer server = await StartTlsSmtpServer.StartAsync(certificate: null);

        await SendAsync(server, DeliveryTls.Opportunistic);

        (_, _, bool overTls) = Assert.Single(server.Messages);
        Assert.False(overTls);
        Assert.DoesNotContain("STARTTLS", server.Commands);
    }

    [Fact]
    public async Task SendAsync_MandatoryUnauthenticatedSelfSigned_DeliveredOverTls()
    {
        using X509Certificate2 certificate = SelfSigned("some.other.name");
        await using StartTlsSmtpServer server = await StartTlsSmtpServer.StartAsync(certificate);

        string reply = await SendAsync(server, DeliveryTls.MandatoryUnauthenticated);

        AssertDeliveredOverTls(server, reply);
    }

    [Fact]
    public async Task SendAsync_MtaStsValidCertificateFromCaWithoutCrlLocation_Delivered()
    {
        // A CA whose certificates name no CRL: with an online revocation check (MailKit's default)
        // the chain's revocation status is unknown and the handshake fails; MTA-STS here checks none.
        using X509Certificate2 ca = TestCertificates.CreateCa("MxDeliver Test Root");
        using X509Certificate2 leaf = TestCertificates.CreateLeaf(MxHost, [MxHost], ca);
        Assert.DoesNotContain(leaf.Extensions.Cast<X509Extension>(), e => e.Oid?.Value == "2.5.29.31");
        await using StartTlsSmtpServer server = await StartTlsSmtpServer.StartAsync(leaf);
        var observed = new List<CertificateCheckResult>();

        string reply = await SendAsync(server, DeliveryTls.MtaSts(MxHost, [ca], observed.Add));

        AssertDeliveredOverTls(server, reply);
        CertificateCheckResult check = Assert.Single(observed);
        Assert.Equal(CertificateCheckStatus.Authenticated, check.Status);
    }

    [Fact]
    public async Task SendAsync_MtaStsCertificateNamingAnotherHost_NotDeliveredHostMismatch()
    {
        using X509Certificate2 ca = TestCertificates.CreateCa("MxDeliver Test Root");
        using X509Certificate2 leaf = TestCertificates.CreateLeaf("mx.elsewhere.test", ["mx.elsewhere.test"], ca);
        await using StartTlsSmtpServer server = await StartTlsSmtpServer.StartAsync(leaf);

        DeliveryTlsException e = await Assert.ThrowsAsync<DeliveryTlsException>(() => SendAsync(server, DeliveryTls.MtaSts(MxHost, [ca])));

        Assert.Equal(TlsRptResultType.CertificateHostMismatch, e.ResultType);
        Assert.Equal("pkix-name-mismatch", e.ReasonCode);
        Assert.True(SmtpDelivery.IsRetryable(e));
        AssertNothingSent(server);
    }

    [Fact]
    public async Task SendAsync_MtaStsCertificateFromAnUntrustedCa_NotDeliveredNotTrusted()
    {
        // The test CA is not among the trusted roots: here the system's, which do not hold it.
        using X509Certificate2 ca = TestCertificates.CreateCa("MxDeliver Test Root");
        using X509Certificate2 leaf = TestCertificates.CreateLeaf(MxHost, [MxHost], ca);
        await using StartTlsSmtpServer server = await StartTlsSmtpServer.StartAsync(leaf);

        DeliveryTlsException e = await Assert.ThrowsAsync<DeliveryTlsException>(() => SendAsync(server, DeliveryTls.MtaSts(MxHost)));

        Assert.Equal(TlsRptResultType.CertificateNotTrusted, e.ResultType);
        Assert.Equal("pkix-untrusted", e.ReasonCode);
        AssertNothingSent(server);
    }

    [Fact]
    public async Task SendAsync_DaneEeRecordMatchingTheCertificate_DeliveredOverTls()
    {
        // DANE-EE(3) SPKI(1) SHA2-256(1): a self-signed certificate for another name is fine (RFC 7672 §3.1.1).
        using X509Certificate2 certificate = SelfSigned("not.the.mx.host");
        await using StartTlsSmtpServer server = await StartTlsSmtpServer.StartAsync(certificate);
        var observed = new List<CertificateCheckResult>();

        string reply = await SendAsync(server, Dane(certificate, observed));

        AssertDeliveredOverTls(server, reply);
        CertificateCheckResult check = Assert.Single(observed);
        Assert.Equal(CertificateCheckStatus.Authenticated, check.Status);
        Assert.Equal("dane-ee", check.ReasonCode);
    }

    [Fact]
    public async Task SendAsync_DaneEeRecordNotMatching_NotDeliveredWithTheVerifiersReasonAndRetryable()
    {
        using X509Certificate2 certificate = SelfSigned();
        using X509Certificate2 published = SelfSigned();
        await using StartTlsSmtpServer server = await StartTlsSmtpServer.StartAsync(certificate);
        var observed = new List<CertificateCheckResult>();

        DeliveryTlsException e = await Assert.ThrowsAsync<DeliveryTlsException>(() => SendAsync(server, Dane(published, observed)));

        Assert.Equal(TlsRequirement.Dane, e.Requirement);
        Assert.Equal(TlsRptResultType.ValidationFailure, e.ResultType);
        Assert.Equal("dane-no-match", e.ReasonCode);
        Assert.Same(Assert.Single(observed), e.CertificateCheck);
        Assert.Contains("dane-no-match", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(MxHost, e.Message, StringComparison.Ordinal);
        Assert.True(SmtpDelivery.IsRetryable(e));
        AssertNothingSent(server);
    }

    [Theory]
    [InlineData(nameof(TlsRequirement.MandatoryUnauthenticated))]
    [InlineData(nameof(TlsRequirement.Dane))]
    [InlineData(nameof(TlsRequirement.MtaSts))]
    public async Task SendAsync_TlsRequiredButNoStartTlsOffered_NotSentAndRetryable(string requirementName)
    {
        // The sample's types are internal: the theory names the requirement.
        TlsRequirement requirement = Enum.Parse<TlsRequirement>(requirementName);
        using X509Certificate2 certificate = SelfSigned();
        await using StartTlsSmtpServer server = await StartTlsSmtpServer.StartAsync(certificate: null);
        DeliveryTls tls = requirement switch
        {
            TlsRequirement.MandatoryUnauthenticated => DeliveryTls.MandatoryUnauthenticated,
            TlsRequirement.Dane => Dane(certificate),
            _ => DeliveryTls.MtaSts(MxHost),
        };

        DeliveryTlsException e = await Assert.ThrowsAsync<DeliveryTlsException>(() => SendAsync(server, tls));

        Assert.Equal(requirement, e.Requirement);
        Assert.Equal(TlsRptResultType.StartTlsNotSupported, e.ResultType);
        Assert.Equal("starttls-not-supported", e.ReasonCode);
        Assert.True(SmtpDelivery.IsRetryable(e));
        AssertNothingSent(server);
    }

    [Fact]
    public async Task ExecuteAsync_DaneHostWithoutStartTls_AttemptFailsRetryableWithTheReason()
    {
        // Through the connector: the failure is the exchanger's (the next one would be tried), not the message's.
        using X509Certificate2 certificate = SelfSigned();
        await using StartTlsSmtpServer server = await StartTlsSmtpServer.StartAsync(certificate: null);
        using var connector = new MxConnector(FakeMxResolver.Targets(FakeMxResolver.Target(MxHost, 10, "127.0.0.1")), Timeouts);
        DeliveryTls tls = Dane(certificate);

        MxFailoverResult<string> result = await connector.ExecuteAsync(
            "tls.test",
            (destination, token) => SmtpDelivery.SendAsync(Message(), destination, tls, Timeouts, token),
            SmtpDelivery.IsRetryable,
            server.EndPoint.Port,
            Token).AsTask().WaitAsync(Bound, Token);

        Assert.Equal(MxFailoverStatus.AllAttemptsFailed, result.Status);
        Assert.True(result.IsTemporaryFailure);
        MxAttempt attempt = Assert.Single(result.Attempts);
        Assert.Equal(MxAttemptOutcome.OperationFailed, attempt.Outcome);
        Assert.Contains("starttls-not-supported", attempt.Error, StringComparison.Ordinal);
        AssertNothingSent(server);
    }
}
