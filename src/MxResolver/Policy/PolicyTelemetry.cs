using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using MxResolver.Diagnostics;

namespace MxResolver.Policy;

/// <summary>The names the policy layer's logs, spans and metrics use, and the one way a certificate check is reported.</summary>
internal static class PolicyTelemetry
{
    /// <summary>The <see cref="MxResolverTags.TlsPolicy"/> value of a DANE check.</summary>
    public const string DanePolicy = "dane";

    /// <summary>The <see cref="MxResolverTags.TlsPolicy"/> value of an MTA-STS check.</summary>
    public const string MtaStsPolicy = "mta-sts";

    /// <summary>The <see cref="MxResolverTags.TlsResult"/> value of a check or fetch that succeeded.</summary>
    public const string Success = "success";

    /// <summary>The policy text's name of a mode (RFC 8461 §3.2).</summary>
    public static string ModeName(MtaStsMode mode) => mode switch
    {
        MtaStsMode.Enforce => "enforce",
        MtaStsMode.Testing => "testing",
        MtaStsMode.None => "none",
        _ => ((int)mode).ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>The kebab-case name of a DANE status.</summary>
    public static string DaneStatusName(DaneStatus status) => status switch
    {
        DaneStatus.NotApplicable => "not-applicable",
        DaneStatus.NoRecords => "no-records",
        DaneStatus.Usable => "usable",
        DaneStatus.Unusable => "unusable",
        DaneStatus.LookupFailed => "lookup-failed",
        _ => ((int)status).ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>The <see cref="MxResolverTags.TlsResult"/> value of a certificate check: its RFC 8460 result type, or <c>success</c>.</summary>
    public static string ResultName(CertificateCheckResult result) => result.ResultType is { } type ? TlsRptNames.Of(type) : Success;

    /// <summary>
    /// Reports one certificate check: a span (a child of the caller's, normally the connection
    /// attempt), the <c>mxresolver.tls.verifications</c> counter, and a warning when it failed.
    /// </summary>
    public static void RecordVerification(MxResolverTelemetry telemetry, ILogger logger, string policy, CertificateCheckResult result)
    {
        string outcome = ResultName(result);
        telemetry.Verifications.Add(
            1,
            new KeyValuePair<string, object?>(MxResolverTags.TlsPolicy, policy),
            new KeyValuePair<string, object?>(MxResolverTags.TlsResult, outcome));

        if (MxResolverTelemetry.ActivitySource.HasListeners())
        {
            using Activity? activity = MxResolverTelemetry.ActivitySource.StartActivity(MxResolverTags.VerifyCertificateActivity);
            if (activity is not null)
            {
                activity.SetTag(MxResolverTags.TlsPolicy, policy);
                activity.SetTag(MxResolverTags.TlsResult, outcome);
                activity.SetTag(MxResolverTags.TlsReason, result.ReasonCode);
                if (!result.IsAcceptable)
                {
                    activity.SetStatus(ActivityStatusCode.Error, result.Reason);
                }
            }
        }

        if (result.IsAcceptable)
        {
            PolicyLog.VerificationPassed(logger, policy, result.Status, result.ReasonCode);
        }
        else
        {
            PolicyLog.VerificationFailed(logger, policy, outcome, result.ReasonCode, result.Reason);
        }
    }
}
