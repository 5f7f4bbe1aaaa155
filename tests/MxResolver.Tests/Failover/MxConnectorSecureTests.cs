using System.Net;
using MxResolver.Policy;

namespace MxResolver.Tests.Failover;

// Behaviour rules R32 (docs/behaviour.md, "Secure delivery").

/// <summary>The connector under a security resolution: skipped targets get no connection, the others carry their requirement.</summary>
public sealed class MxConnectorSecureTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private static readonly TlsaAssociation DaneEe = new(TlsaCertificateUsage.DaneEe, TlsaSelector.SubjectPublicKeyInfo, TlsaMatchingType.Sha256, new byte[32]);
    private static readonly MxTarget First = new("mx1.example.test", 10, false, [IPAddress.Parse("192.0.2.1")]) { IsSecure = true };
    private static readonly MxTarget Second = new("mx2.example.test", 20, false, [IPAddress.Parse("192.0.2.2")]) { IsSecure = true };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ExecuteSecureAsync_TlsaLookupFailed_TargetRecordedAsSkippedNeverConnected()
    {
        var security = new FixedSecurityResolver(
            TlsRequirementRules.Decide(First, new TlsaLookup(TlsaLookupKind.Failed, [], Error: "SERVFAIL"), "example.test", true, null),
            TlsRequirementRules.Decide(Second, new TlsaLookup(TlsaLookupKind.SecureRecords, [DaneEe], "_25._tcp.mx2.example.test."), "example.test", true, null));
        using var connector = new MxConnector(FakeMxResolver.Targets(First, Second), new MxFailoverOptions(), TimeProvider.System, logger: null, telemetry: null, security);
        var seen = new List<MxDestination>();

        MxFailoverResult<string> result = await connector.ExecuteSecureAsync(
            "user@example.test",
            (destination, _) =>
            {
                seen.Add(destination);
                return ValueTask.FromResult("250 ok");
            },
            cancellationToken: Ct).AsTask().WaitAsync(Bound, Ct);

        Assert.True(result.IsSuccess);
        MxDestination only = Assert.Single(seen);
        Assert.Equal("mx2.example.test", only.Target.Host);
        Assert.Equal(MxTlsRequirement.Dane, only.Security!.Requirement);
        Assert.Equal([MxAttemptOutcome.SkippedByPolicy, MxAttemptOutcome.Succeeded], result.Attempts.Select(a => a.Outcome));
        Assert.Contains("SERVFAIL", result.Attempts[0].Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExecuteSecureAsync_EveryTargetSkipped_AllAttemptsFailedTemporarily()
    {
        var security = new FixedSecurityResolver(
            TlsRequirementRules.Decide(First, new TlsaLookup(TlsaLookupKind.Failed, []), "example.test", true, null));
        using var connector = new MxConnector(FakeMxResolver.Targets(First), new MxFailoverOptions(), TimeProvider.System, logger: null, telemetry: null, security);
        int calls = 0;

        MxFailoverResult<string> result = await connector.ExecuteSecureAsync(
            "example.test",
            (_, _) =>
            {
                calls++;
                return ValueTask.FromResult("250 ok");
            },
            cancellationToken: Ct).AsTask().WaitAsync(Bound, Ct);

        Assert.Equal(0, calls);
        Assert.Equal(MxFailoverStatus.AllAttemptsFailed, result.Status);
        Assert.Equal(MxAttemptOutcome.SkippedByPolicy, Assert.Single(result.Attempts).Outcome);
    }

    [Fact]
    public async Task ExecuteSecureAsync_NoSecurityResolver_Throws()
    {
        using var connector = new MxConnector(FakeMxResolver.Targets(First));

        await Assert.ThrowsAsync<InvalidOperationException>(async () =>
            await connector.ExecuteSecureAsync("example.test", (_, _) => ValueTask.FromResult(0), cancellationToken: Ct));
    }

    private sealed class FixedSecurityResolver(params MxSecureTarget[] targets) : IMxSecurityResolver
    {
        public ValueTask<MxSecureResolution> ResolveSecureAsync(string domainOrAddress, CancellationToken cancellationToken = default)
        {
            var resolution = new MxResolution(domainOrAddress, MxResolutionStatus.Success) { Targets = targets.Select(t => t.Target).ToArray(), IsMxSecure = true };
            return ValueTask.FromResult(new MxSecureResolution(resolution, targets, [], null, false, null, null, null));
        }
    }
}
