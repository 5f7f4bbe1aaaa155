using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace MxResolver.Tests.Policy;

public class MtaStsCertificateValidatorTests
{
    [Theory]
    [InlineData("mx.example.com", true)]
    [InlineData("MX.EXAMPLE.COM.", true)]
    [InlineData("mx2.example.com", false)]
    [InlineData("example.com", false)]
    public void Check_PlatformAcceptsChain_NameDecides(string mxHost, bool expected)
    {
        using X509Certificate2 leaf = TestCertificates.CreateLeaf("ignored-cn", ["mx.example.com"]);

        CertificateCheckResult result = MtaStsCertificateValidator.Check(leaf, null, SslPolicyErrors.None, mxHost);

        Assert.Equal(expected, result.Status == CertificateCheckStatus.Authenticated);
        Assert.Equal(expected ? null : TlsRptResultType.CertificateHostMismatch, result.ResultType);
    }

    [Fact]
    public void Check_WildcardSan_MatchesOneLabel()
    {
        using X509Certificate2 leaf = TestCertificates.CreateLeaf("w", ["*.mail.example.com"]);

        Assert.True(MtaStsCertificateValidator.Check(leaf, null, SslPolicyErrors.None, "mx1.mail.example.com").IsAcceptable);
        Assert.False(MtaStsCertificateValidator.Check(leaf, null, SslPolicyErrors.None, "a.mx1.mail.example.com").IsAcceptable);
    }

    [Fact]
    public void Check_CommonNameOnly_NotAccepted()
    {
        using X509Certificate2 leaf = TestCertificates.CreateLeaf("mx.example.com", []);

        Assert.Equal(TlsRptResultType.CertificateHostMismatch, MtaStsCertificateValidator.Check(leaf, null, SslPolicyErrors.None, "mx.example.com").ResultType);
    }

    [Fact]
    public void Check_PlatformNameMismatchButNameMatchesMx_Authenticated()
    {
        // The TLS client may have used another target name (e.g. an address); the MX name is what counts.
        using X509Certificate2 leaf = TestCertificates.CreateLeaf("x", ["mx.example.com"]);

        Assert.True(MtaStsCertificateValidator.Check(leaf, null, SslPolicyErrors.RemoteCertificateNameMismatch, "mx.example.com").IsAcceptable);
    }

    [Fact]
    public void Check_ExpiredChain_CertificateExpired()
    {
        using X509Certificate2 expired = TestCertificates.CreateLeaf("x", ["mx.example.com"], notBefore: TestCertificates.Now.AddDays(-10), notAfter: TestCertificates.Now.AddDays(-1));
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(expired);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        Assert.False(chain.Build(expired));

        CertificateCheckResult result = MtaStsCertificateValidator.Check(expired, chain, SslPolicyErrors.RemoteCertificateChainErrors, "mx.example.com");

        Assert.Equal(TlsRptResultType.CertificateExpired, result.ResultType);
    }

    [Fact]
    public void Check_UntrustedChain_CertificateNotTrusted()
    {
        using X509Certificate2 leaf = TestCertificates.CreateLeaf("x", ["mx.example.com"]);
        using var chain = new X509Chain();
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        Assert.False(chain.Build(leaf));

        CertificateCheckResult result = MtaStsCertificateValidator.Check(leaf, chain, SslPolicyErrors.RemoteCertificateChainErrors, "mx.example.com");

        Assert.Equal(TlsRptResultType.CertificateNotTrusted, result.ResultType);
        Assert.False(result.IsAcceptable);
    }

    [Fact]
    public void CreateValidationCallback_NoCertificate_RejectsAndReports()
    {
        var results = new List<CertificateCheckResult>();
        RemoteCertificateValidationCallback callback = MtaStsCertificateValidator.CreateValidationCallback("mx.example.com", results.Add);

        Assert.False(callback(this, null, null, SslPolicyErrors.RemoteCertificateNotAvailable));
        Assert.Equal(TlsRptResultType.ValidationFailure, Assert.Single(results).ResultType);
    }
}
