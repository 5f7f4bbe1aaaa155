using System.Buffers;
using System.Globalization;
using System.Text.Json;
using MxResolver.Policy;

namespace MxResolver;

/// <summary>
/// Counts TLS session outcomes per policy and writes them as a TLS-RPT aggregate report
/// (RFC 8460 §4). Thread-safe: many sessions may record at once, and a report may be written
/// while they do (it shows a consistent snapshot). One builder covers one reporting period: at the
/// end of the period, swap in a new builder and write the old one's reports, one per Policy Domain
/// (<see cref="PolicyDomains"/>), to the <c>rua</c> of each domain's <see cref="TlsRptRecord"/>.
/// </summary>
/// <remarks>
/// The JSON is written with <see cref="Utf8JsonWriter"/>, so it needs no reflection (trimming- and
/// Native-AOT-safe). Policies and failure details appear in the order they were first recorded.
/// </remarks>
public sealed class TlsRptReportBuilder
{
    private readonly object _gate = new();
    private readonly Dictionary<TlsRptPolicy, PolicyCounts> _policies = [];
    private readonly List<PolicyCounts> _order = [];

    /// <summary>Counts one session that negotiated TLS and passed the checks of <paramref name="policy"/>.</summary>
    /// <param name="policy">The policy that applied.</param>
    /// <exception cref="ArgumentNullException"><paramref name="policy"/> is <see langword="null"/>.</exception>
    public void RecordSuccess(TlsRptPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        lock (_gate)
        {
            Get(policy).Successes++;
        }
    }

    /// <summary>Counts one session that failed under <paramref name="policy"/> for the reason in <paramref name="failure"/>.</summary>
    /// <param name="policy">The policy that applied.</param>
    /// <param name="failure">What failed, and where.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public void RecordFailure(TlsRptPolicy policy, TlsRptFailure failure)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(failure);
        lock (_gate)
        {
            PolicyCounts counts = Get(policy);
            if (counts.Failures.TryGetValue(failure, out long n))
            {
                counts.Failures[failure] = n + 1;
            }
            else
            {
                counts.Failures.Add(failure, 1);
                counts.FailureOrder.Add(failure);
            }
        }
    }

    /// <summary>The Policy Domains with recorded sessions, in the order first recorded (a snapshot).</summary>
    public IReadOnlyList<string> PolicyDomains
    {
        get
        {
            lock (_gate)
            {
                return _order.Select(p => p.Policy.Domain).Distinct(StringComparer.Ordinal).ToArray();
            }
        }
    }

    /// <summary>
    /// Writes the aggregate report (RFC 8460 §4.4) of the sessions recorded for
    /// <paramref name="policyDomain"/> as UTF-8 JSON, without indentation. Each policy becomes
    /// one <c>policies</c> entry with its <c>summary</c> counts and its <c>failure-details</c>;
    /// optional fields without a value are left out. The builder keeps its counts.
    /// </summary>
    /// <param name="info">The report-level fields.</param>
    /// <param name="policyDomain">The Policy Domain the report is for (case-insensitive, trailing dot ignored).</param>
    /// <returns>The report JSON, UTF-8 encoded (RFC 8460 §5.1: to be gzip-compressed by the sender).</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public byte[] BuildJson(TlsRptReportInfo info, string policyDomain)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(policyDomain);
        string domain = (policyDomain.EndsWith('.') ? policyDomain[..^1] : policyDomain).ToLowerInvariant();

        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("organization-name", info.OrganizationName);
            writer.WriteStartObject("date-range");
            writer.WriteString("start-datetime", FormatDateTime(info.Start));
            writer.WriteString("end-datetime", FormatDateTime(info.End));
            writer.WriteEndObject();
            writer.WriteString("contact-info", info.ContactInfo);
            writer.WriteString("report-id", info.ReportId);
            writer.WriteStartArray("policies");
            lock (_gate)
            {
                foreach (PolicyCounts counts in _order)
                {
                    if (counts.Policy.Domain == domain)
                    {
                        WritePolicy(writer, counts);
                    }
                }
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WritePolicy(Utf8JsonWriter writer, PolicyCounts counts)
    {
        TlsRptPolicy policy = counts.Policy;
        writer.WriteStartObject();
        writer.WriteStartObject("policy");
        writer.WriteString("policy-type", TlsRptNames.Of(policy.Type));
        if (policy.PolicyStrings.Count > 0)
        {
            WriteStrings(writer, "policy-string", policy.PolicyStrings);
        }

        writer.WriteString("policy-domain", policy.Domain);
        if (policy.MxHosts.Count > 0)
        {
            WriteStrings(writer, "mx-host", policy.MxHosts);
        }

        writer.WriteEndObject();

        long failed = 0;
        foreach (long n in counts.Failures.Values)
        {
            failed += n;
        }

        writer.WriteStartObject("summary");
        writer.WriteNumber("total-successful-session-count", counts.Successes);
        writer.WriteNumber("total-failure-session-count", failed);
        writer.WriteEndObject();

        if (counts.FailureOrder.Count > 0)
        {
            writer.WriteStartArray("failure-details");
            foreach (TlsRptFailure failure in counts.FailureOrder)
            {
                writer.WriteStartObject();
                writer.WriteString("result-type", TlsRptNames.Of(failure.ResultType));
                WriteIfPresent(writer, "sending-mta-ip", failure.SendingMtaIp?.ToString());
                WriteIfPresent(writer, "receiving-mx-hostname", failure.ReceivingMxHostname);
                WriteIfPresent(writer, "receiving-mx-helo", failure.ReceivingMxHelo);
                WriteIfPresent(writer, "receiving-ip", failure.ReceivingIp?.ToString());
                writer.WriteNumber("failed-session-count", counts.Failures[failure]);
                WriteIfPresent(writer, "additional-information", failure.AdditionalInformation);
                WriteIfPresent(writer, "failure-reason-code", failure.FailureReasonCode);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter writer, string name, IReadOnlyList<string> values)
    {
        writer.WriteStartArray(name);
        foreach (string value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }

    private static void WriteIfPresent(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    /// <summary>RFC 3339 <c>date-time</c> in UTC with a <c>Z</c>, to the second, as in the RFC 8460 §4.4 example.</summary>
    private static string FormatDateTime(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss'Z'", CultureInfo.InvariantCulture);

    private PolicyCounts Get(TlsRptPolicy policy)
    {
        if (!_policies.TryGetValue(policy, out PolicyCounts? counts))
        {
            counts = new PolicyCounts(policy);
            _policies.Add(policy, counts);
            _order.Add(counts);
        }

        return counts;
    }

    private sealed class PolicyCounts(TlsRptPolicy policy)
    {
        public TlsRptPolicy Policy { get; } = policy;

        public long Successes { get; set; }

        public Dictionary<TlsRptFailure, long> Failures { get; } = [];

        public List<TlsRptFailure> FailureOrder { get; } = [];
    }
}
