using System.Net;
using MxResolver.Policy;

namespace MxResolver.Tests.Policy;

// Behaviour rules R31, R32, R36, R37 (docs/behaviour.md, "Secure delivery").

/// <summary>Each target's TLS requirement from its DANE state and the MTA-STS policy (RFC 7672 §2.2, RFC 8461 §2, §4.1).</summary>
public sealed class TlsRequirementRulesTests
{
    private const string Domain = "example.test";
    private static readonly MxTarget Mx = new("mx.example.test", 10, false, [IPAddress.Parse("192.0.2.1")]);
    private static readonly TlsaAssociation DaneEe = new(TlsaCertificateUsage.DaneEe, TlsaSelector.SubjectPublicKeyInfo, TlsaMatchingType.Sha256, new byte[32]);
    private static readonly TlsaAssociation PkixEe = new(TlsaCertificateUsage.PkixEe, TlsaSelector.SubjectPublicKeyInfo, TlsaMatchingType.Sha256, new byte[32]);

    [Fact]
    public void Decide_NoTlsaLookupNoPolicy_Opportunistic()
    {
        MxSecureTarget target = TlsRequirementRules.Decide(Mx, tlsa: null, Domain, mxRrsetSecure: false, policy: null);

        Assert.Equal(MxTlsRequirement.Opportunistic, target.Requirement);
        Assert.Equal(DaneStatus.NotApplicable, target.Dane);
        Assert.True(target.CanAttempt);
        Assert.Null(target.MatchesMtaStsPolicy);
    }

    [Fact]
    public void Decide_UsableSecureTlsa_DaneWithReferenceIdentifiers()
    {
        var tlsa = new TlsaLookup(TlsaLookupKind.SecureRecords, [PkixEe, DaneEe], "_25._tcp.mx.example.test.");

        MxSecureTarget target = TlsRequirementRules.Decide(Mx, tlsa, Domain, mxRrsetSecure: true, policy: null);

        Assert.Equal(MxTlsRequirement.Dane, target.Requirement);
        Assert.Equal(DaneStatus.Usable, target.Dane);
        Assert.Equal([PkixEe, DaneEe], target.TlsaRecords);
        // A secure MX RRset adds the next-hop domain (RFC 7672 §3.2.2).
        Assert.Contains("mx.example.test", target.ReferenceIdentifiers);
        Assert.Contains("example.test", target.ReferenceIdentifiers);
    }

    [Fact]
    public void Decide_UsableTlsaAtTheCnameTarget_BaseDomainAmongTheNames()
    {
        var tlsa = new TlsaLookup(TlsaLookupKind.SecureRecords, [DaneEe], "_25._tcp.smtp.provider.test.");

        MxSecureTarget target = TlsRequirementRules.Decide(Mx, tlsa, Domain, mxRrsetSecure: false, policy: null);

        Assert.Contains("smtp.provider.test", target.ReferenceIdentifiers);
        Assert.Contains("mx.example.test", target.ReferenceIdentifiers);
        Assert.DoesNotContain("example.test", target.ReferenceIdentifiers);
    }

    [Fact]
    public void Decide_OnlyUnusableSecureTlsa_MandatoryUnauthenticated()
    {
        var tlsa = new TlsaLookup(TlsaLookupKind.SecureRecords, [PkixEe], "_25._tcp.mx.example.test.");

        MxSecureTarget target = TlsRequirementRules.Decide(Mx, tlsa, Domain, mxRrsetSecure: true, policy: null);

        Assert.Equal(MxTlsRequirement.MandatoryUnauthenticated, target.Requirement);
        Assert.Equal(DaneStatus.Unusable, target.Dane);
        Assert.Equal(TlsRptResultType.TlsaInvalid, target.Failure);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Decide_SecureDenialOrInsecureAnswer_NoDane(bool secureDenial)
    {
        var tlsa = new TlsaLookup(secureDenial ? TlsaLookupKind.SecureDenial : TlsaLookupKind.Insecure, secureDenial ? [] : [DaneEe]);

        MxSecureTarget target = TlsRequirementRules.Decide(Mx, tlsa, Domain, mxRrsetSecure: true, policy: null);

        Assert.Equal(DaneStatus.NoRecords, target.Dane);
        Assert.Equal(MxTlsRequirement.Opportunistic, target.Requirement);
        Assert.Empty(target.TlsaRecords);
    }

    [Fact]
    public void Decide_TlsaLookupFailed_NotAttemptedAndNeverPlaintext()
    {
        var tlsa = new TlsaLookup(TlsaLookupKind.Failed, [], Error: "SERVFAIL");

        MxSecureTarget target = TlsRequirementRules.Decide(Mx, tlsa, Domain, mxRrsetSecure: true, policy: null);

        Assert.False(target.CanAttempt);
        Assert.Equal(DaneStatus.LookupFailed, target.Dane);
        Assert.NotEqual(MxTlsRequirement.Opportunistic, target.Requirement);
        Assert.Contains("SERVFAIL", target.SkipReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_EnforceAndMatching_MtaStsWithTheHostAsName()
    {
        MxSecureTarget target = TlsRequirementRules.Decide(Mx, tlsa: null, Domain, mxRrsetSecure: false, Policy("enforce", "*.example.test"));

        Assert.Equal(MxTlsRequirement.MtaSts, target.Requirement);
        Assert.Equal(["mx.example.test"], target.ReferenceIdentifiers);
        Assert.True(target.MatchesMtaStsPolicy);
        Assert.False(TlsRequirementRules.IsDroppedByPolicy(target, Policy("enforce", "*.example.test")));
    }

    [Fact]
    public void Decide_EnforceNotMatching_Dropped()
    {
        MtaStsPolicy policy = Policy("enforce", "mail.other.test");
        MxSecureTarget target = TlsRequirementRules.Decide(Mx, tlsa: null, Domain, mxRrsetSecure: false, policy);

        Assert.False(target.MatchesMtaStsPolicy);
        Assert.True(TlsRequirementRules.IsDroppedByPolicy(target, policy));
    }

    [Fact]
    public void Decide_TestingNotMatching_AnnotatedOnly()
    {
        MtaStsPolicy policy = Policy("testing", "mail.other.test");
        MxSecureTarget target = TlsRequirementRules.Decide(Mx, tlsa: null, Domain, mxRrsetSecure: false, policy);

        Assert.Equal(MxTlsRequirement.Opportunistic, target.Requirement);
        Assert.False(target.MatchesMtaStsPolicy);
        Assert.False(TlsRequirementRules.IsDroppedByPolicy(target, policy));
    }

    [Fact]
    public void Decide_UsableDaneAndEnforceNotMatching_DaneTakesPrecedence()
    {
        MtaStsPolicy policy = Policy("enforce", "mail.other.test");
        var tlsa = new TlsaLookup(TlsaLookupKind.SecureRecords, [DaneEe], "_25._tcp.mx.example.test.");

        MxSecureTarget target = TlsRequirementRules.Decide(Mx, tlsa, Domain, mxRrsetSecure: true, policy);

        Assert.Equal(MxTlsRequirement.Dane, target.Requirement);
        Assert.False(TlsRequirementRules.IsDroppedByPolicy(target, policy));
    }

    [Fact]
    public void Decide_NonePolicy_CountsAsNoPolicy()
    {
        MxSecureTarget target = TlsRequirementRules.Decide(Mx, tlsa: null, Domain, mxRrsetSecure: false, Policy("none", null));

        Assert.Null(target.MatchesMtaStsPolicy);
        Assert.Equal(MxTlsRequirement.Opportunistic, target.Requirement);
    }

    private static MtaStsPolicy Policy(string mode, string? mx)
    {
        string text = $"version: STSv1\nmode: {mode}\n" + (mx is null ? string.Empty : $"mx: {mx}\n") + "max_age: 86400\n";
        Assert.True(MtaStsPolicy.TryParse(text, out MtaStsPolicy? policy, out string? error), error);
        return policy;
    }
}
