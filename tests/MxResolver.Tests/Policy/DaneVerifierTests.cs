using System.Diagnostics;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using MxResolver.Diagnostics;
using MxResolver.Tests.Transport;

namespace MxResolver.Tests.Policy;

// Behaviour rules R33 (docs/behaviour.md, "Secure delivery").

public sealed class DaneVerifierTests : IDisposable
{
    private const string MxHost = "mx.example.com";

    private static readonly string[] References = ["mx.example.com"];

    private readonly X509Certificate2 _root = TestCertificates.CreateCa("Test Root");
    private readonly X509Certificate2 _intermediate;
    private readonly X509Certificate2 _caLeaf;
    private readonly X509Certificate2 _selfSigned = TestCertificates.CreateLeaf("self", ["other.example.net"]);
    private readonly DaneVerifier _verifier = new();

    public DaneVerifierTests()
    {
        _intermediate = TestCertificates.CreateCa("Test Intermediate", _root);
        _caLeaf = TestCertificates.CreateLeaf("leaf", [MxHost], _intermediate);
    }

    public void Dispose()
    {
        _root.Dispose();
        _intermediate.Dispose();
        _caLeaf.Dispose();
        _selfSigned.Dispose();
    }

    private static TlsaAssociation Tlsa(TlsaCertificateUsage usage, TlsaSelector selector, TlsaMatchingType matching, X509Certificate2 certificate) =>
        TlsaAssociation.FromCertificate(usage, selector, matching, certificate);

    private static TlsaAssociation Corrupt(TlsaAssociation association)
    {
        byte[] data = association.Data.ToArray();
        data[^1] ^= 0xFF;
        return new TlsaAssociation(association.Usage, association.Selector, association.MatchingType, data);
    }

    public static TheoryData<TlsaSelector, TlsaMatchingType> AllSelectorsAndMatchingTypes() => new()
    {
        { TlsaSelector.FullCertificate, TlsaMatchingType.Full },
        { TlsaSelector.FullCertificate, TlsaMatchingType.Sha256 },
        { TlsaSelector.FullCertificate, TlsaMatchingType.Sha512 },
        { TlsaSelector.SubjectPublicKeyInfo, TlsaMatchingType.Full },
        { TlsaSelector.SubjectPublicKeyInfo, TlsaMatchingType.Sha256 },
        { TlsaSelector.SubjectPublicKeyInfo, TlsaMatchingType.Sha512 },
    };

    [Theory]
    [MemberData(nameof(AllSelectorsAndMatchingTypes))]
    public void Verify_DaneEeMatchingLeaf_AuthenticatedIgnoringName(TlsaSelector selector, TlsaMatchingType matching)
    {
        TlsaAssociation record = Tlsa(TlsaCertificateUsage.DaneEe, selector, matching, _selfSigned);

        CertificateCheckResult result = _verifier.Verify(_selfSigned, [], [record], References);

        Assert.Equal(CertificateCheckStatus.Authenticated, result.Status);
        Assert.True(result.IsAcceptable);
        Assert.Null(result.ResultType);
        Assert.Equal(record, result.MatchedAssociation);
    }

    [Theory]
    [MemberData(nameof(AllSelectorsAndMatchingTypes))]
    public void Verify_DaneEeOtherData_FailsValidation(TlsaSelector selector, TlsaMatchingType matching)
    {
        TlsaAssociation record = Corrupt(Tlsa(TlsaCertificateUsage.DaneEe, selector, matching, _selfSigned));

        CertificateCheckResult result = _verifier.Verify(_selfSigned, [], [record], References);

        Assert.Equal(CertificateCheckStatus.Failed, result.Status);
        Assert.Equal(TlsRptResultType.ValidationFailure, result.ResultType);
        Assert.Equal("dane-no-match", result.ReasonCode);
    }

    [Fact]
    public void Verify_DaneEeExpiredLeaf_Authenticated()
    {
        using X509Certificate2 expired = TestCertificates.CreateLeaf("old", [], notBefore: TestCertificates.Now.AddDays(-30), notAfter: TestCertificates.Now.AddDays(-1));

        CertificateCheckResult result = _verifier.Verify(expired, [], [Tlsa(TlsaCertificateUsage.DaneEe, TlsaSelector.SubjectPublicKeyInfo, TlsaMatchingType.Sha256, expired)], References);

        Assert.Equal(CertificateCheckStatus.Authenticated, result.Status);
    }

    [Fact]
    public void Verify_DaneEeMatchingIntermediateOnly_Fails()
    {
        // DANE-EE matches the leaf only; an intermediate matching proves nothing.
        CertificateCheckResult result = _verifier.Verify(_caLeaf, [_intermediate], [Tlsa(TlsaCertificateUsage.DaneEe, TlsaSelector.SubjectPublicKeyInfo, TlsaMatchingType.Sha256, _intermediate)], References);

        Assert.Equal(CertificateCheckStatus.Failed, result.Status);
    }

    [Theory]
    [MemberData(nameof(AllSelectorsAndMatchingTypes))]
    public void Verify_DaneTaIntermediateAnchor_Authenticated(TlsaSelector selector, TlsaMatchingType matching)
    {
        TlsaAssociation record = Tlsa(TlsaCertificateUsage.DaneTa, selector, matching, _intermediate);

        CertificateCheckResult result = _verifier.Verify(_caLeaf, [_intermediate], [record], References);

        Assert.True(result.Status == CertificateCheckStatus.Authenticated, result.ToString());
        Assert.Equal(record, result.MatchedAssociation);
    }

    [Fact]
    public void Verify_DaneTaRootAnchorPresented_Authenticated()
    {
        CertificateCheckResult result = _verifier.Verify(
            _caLeaf, [_intermediate, _root], [Tlsa(TlsaCertificateUsage.DaneTa, TlsaSelector.SubjectPublicKeyInfo, TlsaMatchingType.Sha256, _root)], References);

        Assert.True(result.Status == CertificateCheckStatus.Authenticated, result.ToString());
    }

    [Fact]
    public void Verify_DaneTaFullCertificateRecordNotPresented_AnchorTakenFromRecord()
    {
        CertificateCheckResult result = _verifier.Verify(
            _caLeaf, [_intermediate], [Tlsa(TlsaCertificateUsage.DaneTa, TlsaSelector.FullCertificate, TlsaMatchingType.Full, _root)], References);

        Assert.True(result.Status == CertificateCheckStatus.Authenticated, result.ToString());
    }

    [Fact]
    public void Verify_DaneTaDigestOfRootNotPresented_Fails()
    {
        CertificateCheckResult result = _verifier.Verify(
            _caLeaf, [_intermediate], [Tlsa(TlsaCertificateUsage.DaneTa, TlsaSelector.SubjectPublicKeyInfo, TlsaMatchingType.Sha256, _root)], References);

        Assert.Equal(CertificateCheckStatus.Failed, result.Status);
        Assert.Equal("dane-no-match", result.ReasonCode);
    }

    [Fact]
    public void Verify_DaneTaWrongName_CertificateHostMismatch()
    {
        CertificateCheckResult result = _verifier.Verify(
            _caLeaf, [_intermediate], [Tlsa(TlsaCertificateUsage.DaneTa, TlsaSelector.SubjectPublicKeyInfo, TlsaMatchingType.Sha256, _intermediate)], ["mx.example.org"]);

        Assert.Equal(CertificateCheckStatus.Failed, result.Status);
        Assert.Equal(TlsRptResultType.CertificateHostMismatch, result.ResultType);
        Assert.Equal("dane-ta-name-mismatch", result.ReasonCode);
        Assert.DoesNotContain("example", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_DaneTaWildcardLeaf_MatchesOneLabelOnly()
    {
        using X509Certificate2 wildcard = TestCertificates.CreateLeaf("wild", ["*.example.com"], _intermediate);
        TlsaAssociation[] records = [Tlsa(TlsaCertificateUsage.DaneTa, TlsaSelector.SubjectPublicKeyInfo, TlsaMatchingType.Sha256, _intermediate)];

        Assert.Equal(CertificateCheckStatus.Authenticated, _verifier.Verify(wildcard, [_intermediate], records, ["MX.Example.com."]).Status);
        Assert.Equal(CertificateCheckStatus.Failed, _verifier.Verify(wildcard, [_intermediate], records, ["a.mx.example.com"]).Status);
        Assert.Equal(CertificateCheckStatus.Failed, _verifier.Verify(wildcard, [_intermediate], records, ["example.com"]).Status);
    }

    [Fact]
    public void Verify_DaneTaLeafWithoutSan_CommonNameUsed()
    {
        using X509Certificate2 cnOnly = TestCertificates.CreateLeaf(MxHost, [], _intermediate);

        CertificateCheckResult result = _verifier.Verify(
            cnOnly, [_intermediate], [Tlsa(TlsaCertificateUsage.DaneTa, TlsaSelector.SubjectPublicKeyInfo, TlsaMatchingType.Sha256, _intermediate)], References);

        Assert.Equal(CertificateCheckStatus.Authenticated, result.Status);
    }

    [Fact]
    public void Verify_DaneTaExpiredLeaf_CertificateExpired()
    {
        using X509Certificate2 expired = TestCertificates.CreateLeaf(
            "old", [MxHost], _intermediate, TestCertificates.Now.AddDays(-20), TestCertificates.Now.AddDays(-1));

        CertificateCheckResult result = _verifier.Verify(
            expired, [_intermediate], [Tlsa(TlsaCertificateUsage.DaneTa, TlsaSelector.SubjectPublicKeyInfo, TlsaMatchingType.Sha256, _intermediate)], References);

        Assert.Equal(CertificateCheckStatus.Failed, result.Status);
        Assert.Equal(TlsRptResultType.CertificateExpired, result.ResultType);
    }

    [Fact]
    public void Verify_DaneTaLeafNotIssuedByAnchor_Fails()
    {
        using X509Certificate2 otherCa = TestCertificates.CreateCa("Other CA");

        // The anchor is presented and matches, but the leaf was not issued under it.
        CertificateCheckResult result = _verifier.Verify(
            _caLeaf, [_intermediate, otherCa], [Tlsa(TlsaCertificateUsage.DaneTa, TlsaSelector.SubjectPublicKeyInfo, TlsaMatchingType.Sha256, otherCa)], References);

        Assert.Equal(CertificateCheckStatus.Failed, result.Status);
        Assert.Equal(TlsRptResultType.CertificateNotTrusted, result.ResultType);
        Assert.Equal("dane-ta-no-path", result.ReasonCode);
    }

    [Fact]
    public void Verify_ClockPastLeafExpiry_DaneTaFailsButDaneEeStillPasses()
    {
        var verifier = new DaneVerifier(new Microsoft.Extensions.Time.Testing.FakeTimeProvider(TestCertificates.Now.AddDays(200)));
        TlsaAssociation ta = Tlsa(TlsaCertificateUsage.DaneTa, TlsaSelector.SubjectPublicKeyInfo, TlsaMatchingType.Sha256, _intermediate);
        TlsaAssociation ee = Tlsa(TlsaCertificateUsage.DaneEe, TlsaSelector.SubjectPublicKeyInfo, TlsaMatchingType.Sha256, _caLeaf);

        Assert.Equal(TlsRptResultType.CertificateExpired, verifier.Verify(_caLeaf, [_intermediate], [ta], References).ResultType);
        Assert.Equal(CertificateCheckStatus.Authenticated, verifier.Verify(_caLeaf, [_intermediate], [ta, ee], References).Status);
    }

    [Fact]
    public void Verify_OnlyPkixUsagesAndUnknownFields_UnauthenticatedTlsaInvalid()
    {
        TlsaAssociation[] records =
        [
            Tlsa(TlsaCertificateUsage.PkixEe, TlsaSelector.SubjectPublicKeyInfo, TlsaMatchingType.Sha256, _caLeaf),
            Tlsa(TlsaCertificateUsage.PkixTa, TlsaSelector.SubjectPublicKeyInfo, TlsaMatchingType.Sha256, _root),
            new TlsaAssociation(TlsaCertificateUsage.DaneEe, (TlsaSelector)2, TlsaMatchingType.Sha256, new byte[32]),
            new TlsaAssociation(TlsaCertificateUsage.DaneEe, TlsaSelector.SubjectPublicKeyInfo, (TlsaMatchingType)3, new byte[32]),
        ];

        CertificateCheckResult result = _verifier.Verify(_caLeaf, [_intermediate], records, References);

        Assert.Equal(CertificateCheckStatus.Unauthenticated, result.Status);
        Assert.True(result.IsAcceptable);
        Assert.Equal(TlsRptResultType.TlsaInvalid, result.ResultType);
    }

    [Fact]
    public void Verify_UnusableBesideUsableMismatch_Fails()
    {
        TlsaAssociation[] records =
        [
            Tlsa(TlsaCertificateUsage.PkixEe, TlsaSelector.SubjectPublicKeyInfo, TlsaMatchingType.Sha256, _caLeaf),
            Corrupt(Tlsa(TlsaCertificateUsage.DaneEe, TlsaSelector.SubjectPublicKeyInfo, TlsaMatchingType.Sha256, _caLeaf)),
        ];

        Assert.Equal(CertificateCheckStatus.Failed, _verifier.Verify(_caLeaf, [], records, References).Status);
    }

    [Fact]
    public void Verify_NoCertificate_ValidationFailure()
    {
        CertificateCheckResult result = _verifier.Verify(null, [], [Tlsa(TlsaCertificateUsage.DaneEe, TlsaSelector.SubjectPublicKeyInfo, TlsaMatchingType.Sha256, _caLeaf)], References);

        Assert.Equal(TlsRptResultType.ValidationFailure, result.ResultType);
        Assert.Equal("no-certificate", result.ReasonCode);
    }

    [Fact]
    public void Verify_NoRecords_Throws() =>
        Assert.Throws<ArgumentException>(() => _verifier.Verify(_caLeaf, [], [], References));

    [Fact]
    public void GetReferenceIdentifiers_SecureMxWithCname_BaseDomainMxHostAndNextHop()
    {
        IReadOnlyList<string> names = DaneVerifier.GetReferenceIdentifiers("Example.com", "mx.example.com.", "real-mx.example.net", mxRrsetSecure: true);

        Assert.Equal(["real-mx.example.net", "mx.example.com", "example.com"], names);
    }

    [Fact]
    public void GetReferenceIdentifiers_InsecureMx_NoNextHop()
    {
        Assert.Equal(["mx.example.com"], DaneVerifier.GetReferenceIdentifiers("example.com", "mx.example.com", null, mxRrsetSecure: false));
    }

    [Fact]
    public void GetReferenceIdentifiers_NoMx_NextHopDomain()
    {
        Assert.Equal(["example.com"], DaneVerifier.GetReferenceIdentifiers("example.com", null, "example.com", mxRrsetSecure: true));
    }

    [Fact]
    public void CreateValidationCallback_ChainFromPlatform_UsesExtraStoreAndReportsResult()
    {
        var results = new List<CertificateCheckResult>();
        RemoteCertificateValidationCallback callback = _verifier.CreateValidationCallback(
            [Tlsa(TlsaCertificateUsage.DaneTa, TlsaSelector.FullCertificate, TlsaMatchingType.Sha256, _intermediate)], References, results.Add);
        using var chain = new X509Chain();
        chain.ChainPolicy.ExtraStore.Add(_intermediate);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.Build(_caLeaf); // untrusted root for the platform: DANE ignores that verdict

        bool accepted = callback(this, _caLeaf, chain, SslPolicyErrors.RemoteCertificateChainErrors | SslPolicyErrors.RemoteCertificateNameMismatch);

        Assert.True(accepted);
        Assert.Equal(CertificateCheckStatus.Authenticated, Assert.Single(results).Status);
    }

    [Fact]
    public void CreateValidationCallback_Mismatch_Rejects()
    {
        RemoteCertificateValidationCallback callback = _verifier.CreateValidationCallback(
            [Tlsa(TlsaCertificateUsage.DaneEe, TlsaSelector.SubjectPublicKeyInfo, TlsaMatchingType.Sha256, _selfSigned)], References);

        Assert.False(callback(this, _caLeaf, null, SslPolicyErrors.None));
        Assert.False(callback(this, null, null, SslPolicyErrors.RemoteCertificateNotAvailable));
    }

    [Fact]
    public void CreateValidationCallback_EachCheck_CountedTracedAndFailuresLogged()
    {
        using var telemetry = new MxResolverTelemetry();
        using var recorder = new TelemetryRecorder(telemetry.Meter);
        var logger = new RecordingLogger();
        var verifier = new DaneVerifier(null, logger, telemetry);
        RemoteCertificateValidationCallback callback = verifier.CreateValidationCallback(
            [Tlsa(TlsaCertificateUsage.DaneEe, TlsaSelector.SubjectPublicKeyInfo, TlsaMatchingType.Sha256, _selfSigned)], References);
        using var parent = new Activity("test-parent").Start();

        Assert.True(callback(this, _selfSigned, null, SslPolicyErrors.RemoteCertificateChainErrors));
        Assert.False(callback(this, _caLeaf, null, SslPolicyErrors.None));
        parent.Stop();

        Assert.Equal(1, recorder.Sum("mxresolver.tls.verifications", (MxResolverTags.TlsPolicy, "dane"), (MxResolverTags.TlsResult, "success")));
        Assert.Equal(1, recorder.Sum("mxresolver.tls.verifications", (MxResolverTags.TlsPolicy, "dane"), (MxResolverTags.TlsResult, "validation-failure")));
        var spans = recorder.Spans.Where(s => s.ParentId == parent.Id).ToList();
        Assert.Equal(["dane-ee", "dane-no-match"], spans.Select(s => (string)s.GetTagItem(MxResolverTags.TlsReason)!).Order());
        Assert.Equal(ActivityStatusCode.Error, Assert.Single(spans, s => s.Status != ActivityStatusCode.Unset).Status);
        (LogLevel level, EventId id, string message) = Assert.Single(logger.Entries, e => e.Level == LogLevel.Warning);
        Assert.Equal(1408, id.Id);
        Assert.Contains("Certificate check under dane failed (validation-failure, dane-no-match)", message, StringComparison.Ordinal);
        Assert.Contains(logger.Entries, e => e.Id.Id == 1409 && e.Level == LogLevel.Debug);
    }

    [Fact]
    public void MtaStsCallback_Failure_CountedOnTheSharedMeterAndLogged()
    {
        using var recorder = new TelemetryRecorder(MxResolver.Resolution.NetworkLookup.SharedTelemetry.Meter);
        var logger = new RecordingLogger();
        RemoteCertificateValidationCallback callback = MtaStsCertificateValidator.CreateValidationCallback(MxHost, logger: logger);
        using var parent = new Activity("test-parent").Start();

        Assert.False(callback(this, _selfSigned, null, SslPolicyErrors.None)); // names other.example.net
        parent.Stop();

        Assert.True(recorder.Sum("mxresolver.tls.verifications", (MxResolverTags.TlsPolicy, "mta-sts"), (MxResolverTags.TlsResult, "certificate-host-mismatch")) >= 1);
        Activity span = Assert.Single(recorder.Spans, s => s.ParentId == parent.Id);
        Assert.Equal("pkix-name-mismatch", span.GetTagItem(MxResolverTags.TlsReason));
        (_, EventId id, string message) = Assert.Single(logger.Entries);
        Assert.Equal(1408, id.Id);
        Assert.Contains("under mta-sts failed (certificate-host-mismatch, pkix-name-mismatch)", message, StringComparison.Ordinal);
    }
}
