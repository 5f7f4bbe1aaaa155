using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using MxDeliver;
using MxResolver.Tests.Policy;

namespace MxResolver.Tests.Samples;

// Behaviour rules R32, R33, R36, R37 (docs/behaviour.md, "Secure delivery").

/// <summary>
/// <c>mxdeliver</c>'s mapping from a target's security requirement (<see cref="MxSecureTarget"/>) to
/// the TLS it delivers under (<see cref="DeliveryTls"/>): every requirement kind, and that the
/// target's TLSA records, reference identifiers and host reach the verifier.
/// </summary>
public sealed class DeliveryPolicyTests : IDisposable
{
    private const string MxHost = "mx.policy.test";

    private readonly DeliveryPolicy _policy = new(new DaneVerifier());
    private readonly X509Certificate2 _published = TestCertificates.CreateLeaf("published", ["unrelated.test"]);
    private readonly X509Certificate2 _other = TestCertificates.CreateLeaf(MxHost, [MxHost]);
    private readonly X509Certificate2 _ca = TestCertificates.CreateCa("Policy Test Root");
    private readonly X509Certificate2 _caLeaf;

    public DeliveryPolicyTests() => _caLeaf = TestCertificates.CreateLeaf(MxHost, [MxHost], _ca);

    public void Dispose()
    {
        _published.Dispose();
        _other.Dispose();
        _ca.Dispose();
        _caLeaf.Dispose();
    }

    private static MxSecureTarget Target(
        MxTlsRequirement requirement,
        DaneStatus dane = DaneStatus.NotApplicable,
        IReadOnlyList<TlsaAssociation>? records = null,
        IReadOnlyList<string>? names = null,
        string? skipReason = null) =>
        new(
            new MxTarget(MxHost, 10, isImplicit: false, [IPAddress.Loopback]),
            requirement,
            dane,
            records ?? [],
            records is { Count: > 0 } ? "_25._tcp." + MxHost : null,
            names ?? [],
            matchesMtaStsPolicy: null,
            skipReason,
            failure: null);

    /// <summary>Runs the session's certificate callback as a handshake would, and returns its verdict and the verifier's result.</summary>
    private static (bool Accepted, CertificateCheckResult? Check) Verify(DeliveryTls tls, X509Certificate2 certificate, SslPolicyErrors errors, X509Certificate2? extra = null)
    {
        CertificateCheckResult? check = null;
        RemoteCertificateValidationCallback callback = tls.CreateVerifier(result => check = result);
        using var chain = new X509Chain();
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        if (extra is not null)
        {
            chain.ChainPolicy.ExtraStore.Add(extra);
        }

        chain.Build(certificate);
        return (callback(new object(), certificate, chain, errors), check);
    }

    [Fact]
    public void For_NoPolicy_OpportunisticWithoutVerification()
    {
        DeliveryTls tls = _policy.For(null);

        Assert.Same(DeliveryTls.Opportunistic, tls);
        Assert.False(tls.IsTlsRequired);
        Assert.True(Verify(tls, _published, SslPolicyErrors.RemoteCertificateChainErrors | SslPolicyErrors.RemoteCertificateNameMismatch).Accepted);
    }

    [Fact]
    public void For_Opportunistic_OpportunisticWithoutVerification()
    {
        // RFC 7435: no policy, so nothing to authenticate against; STARTTLS when offered, plaintext otherwise.
        DeliveryTls tls = _policy.For(Target(MxTlsRequirement.Opportunistic));

        Assert.Same(DeliveryTls.Opportunistic, tls);
        Assert.Equal(MailKit.Security.SecureSocketOptions.StartTlsWhenAvailable, tls.SocketOptions);
        Assert.True(Verify(tls, _published, SslPolicyErrors.RemoteCertificateChainErrors).Accepted);
    }

    [Fact]
    public void For_MandatoryUnauthenticated_TlsRequiredAnyCertificate()
    {
        DeliveryTls tls = _policy.For(Target(MxTlsRequirement.MandatoryUnauthenticated, DaneStatus.Unusable));

        Assert.Same(DeliveryTls.MandatoryUnauthenticated, tls);
        Assert.True(tls.IsTlsRequired);
        Assert.Equal(MailKit.Security.SecureSocketOptions.StartTls, tls.SocketOptions);
        Assert.True(Verify(tls, _published, SslPolicyErrors.RemoteCertificateChainErrors | SslPolicyErrors.RemoteCertificateNameMismatch).Accepted);
    }

    [Fact]
    public void For_DaneEe_TlsRequiredAndTheTargetsRecordsDecide()
    {
        TlsaAssociation record = TlsaAssociation.FromCertificate(TlsaCertificateUsage.DaneEe, TlsaSelector.SubjectPublicKeyInfo, TlsaMatchingType.Sha256, _published);

        DeliveryTls tls = _policy.For(Target(MxTlsRequirement.Dane, DaneStatus.Usable, [record], [MxHost]));

        Assert.Equal(TlsRequirement.Dane, tls.Requirement);
        Assert.Equal(MailKit.Security.SecureSocketOptions.StartTls, tls.SocketOptions);

        // The published key is accepted whatever the platform thinks of it (RFC 7672 §3.1.1); another one is not.
        (bool accepted, CertificateCheckResult? check) = Verify(tls, _published, SslPolicyErrors.RemoteCertificateChainErrors | SslPolicyErrors.RemoteCertificateNameMismatch);
        Assert.True(accepted);
        Assert.Equal("dane-ee", check?.ReasonCode);
        (bool otherAccepted, CertificateCheckResult? otherCheck) = Verify(tls, _other, SslPolicyErrors.None);
        Assert.False(otherAccepted);
        Assert.Equal("dane-no-match", otherCheck?.ReasonCode);
    }

    [Fact]
    public void For_DaneTa_TheTargetsReferenceIdentifiersDecideTheName()
    {
        // DANE-TA(2): the chain must lead to the published CA and the leaf must carry a reference identifier (RFC 7672 §3.2).
        TlsaAssociation record = TlsaAssociation.FromCertificate(TlsaCertificateUsage.DaneTa, TlsaSelector.SubjectPublicKeyInfo, TlsaMatchingType.Sha256, _ca);

        DeliveryTls named = _policy.For(Target(MxTlsRequirement.Dane, DaneStatus.Usable, [record], [MxHost]));
        DeliveryTls otherName = _policy.For(Target(MxTlsRequirement.Dane, DaneStatus.Usable, [record], ["mx.elsewhere.test"]));

        Assert.True(Verify(named, _caLeaf, SslPolicyErrors.RemoteCertificateChainErrors, extra: _ca).Accepted);
        Assert.False(Verify(otherName, _caLeaf, SslPolicyErrors.RemoteCertificateChainErrors, extra: _ca).Accepted);
    }

    [Fact]
    public void For_MtaSts_TlsRequiredPkixAndTheMxHostName()
    {
        DeliveryTls tls = _policy.For(Target(MxTlsRequirement.MtaSts, names: [MxHost]));

        Assert.Equal(TlsRequirement.MtaSts, tls.Requirement);
        Assert.Equal(MailKit.Security.SecureSocketOptions.StartTls, tls.SocketOptions);

        // A chain the platform accepted, naming the MX host: authenticated. Naming another host, or untrusted: not.
        Assert.True(Verify(tls, _other, SslPolicyErrors.None).Accepted);
        (bool mismatchAccepted, CertificateCheckResult? mismatch) = Verify(tls, _published, SslPolicyErrors.None);
        Assert.False(mismatchAccepted);
        Assert.Equal(TlsRptResultType.CertificateHostMismatch, mismatch?.ResultType);
        (bool untrustedAccepted, CertificateCheckResult? untrusted) = Verify(tls, _other, SslPolicyErrors.RemoteCertificateChainErrors);
        Assert.False(untrustedAccepted);
        Assert.Equal(TlsRptResultType.CertificateNotTrusted, untrusted?.ResultType);
    }

    [Fact]
    public void For_TargetThatMayNotBeAttempted_Throws()
    {
        // The connector never hands such a target over (RFC 7672 §2.2): there is no requirement to give it.
        MxSecureTarget skipped = Target(MxTlsRequirement.Dane, DaneStatus.LookupFailed, skipReason: "The TLSA lookup failed.");

        ArgumentException e = Assert.Throws<ArgumentException>(() => _policy.For(skipped));

        Assert.Contains("The TLSA lookup failed.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void For_UnknownRequirement_ThrowsRatherThanOpportunistic()
    {
        Assert.Throws<ArgumentException>(() => _policy.For(Target((MxTlsRequirement)99)));
    }
}
