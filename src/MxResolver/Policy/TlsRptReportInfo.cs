namespace MxResolver;

/// <summary>
/// The report-level fields of a TLS-RPT aggregate report (RFC 8460 §4.3, §4.4): who reports, how
/// to reach them, which report this is and the period it covers. Immutable.
/// </summary>
public sealed class TlsRptReportInfo
{
    /// <summary>Creates the report-level fields.</summary>
    /// <param name="organizationName">The <c>organization-name</c> of the reporting sender.</param>
    /// <param name="contactInfo">The <c>contact-info</c>: an address or URL for questions about the report.</param>
    /// <param name="reportId">The <c>report-id</c>: unique to this report.</param>
    /// <param name="start">The <c>start-datetime</c> of the period covered.</param>
    /// <param name="end">The <c>end-datetime</c> of the period covered (RFC 8460 §4.1: usually a whole UTC day, so 23:59:59).</param>
    /// <exception cref="ArgumentNullException">A string argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A string argument is empty, or <paramref name="end"/> is before <paramref name="start"/>.</exception>
    public TlsRptReportInfo(string organizationName, string contactInfo, string reportId, DateTimeOffset start, DateTimeOffset end)
    {
        ArgumentException.ThrowIfNullOrEmpty(organizationName);
        ArgumentException.ThrowIfNullOrEmpty(contactInfo);
        ArgumentException.ThrowIfNullOrEmpty(reportId);
        if (end < start)
        {
            throw new ArgumentException("The end of the report period is before its start.", nameof(end));
        }

        OrganizationName = organizationName;
        ContactInfo = contactInfo;
        ReportId = reportId;
        Start = start;
        End = end;
    }

    /// <summary>The <c>organization-name</c> (RFC 8460 §4.3).</summary>
    public string OrganizationName { get; }

    /// <summary>The <c>contact-info</c> (RFC 8460 §4.3).</summary>
    public string ContactInfo { get; }

    /// <summary>The <c>report-id</c> (RFC 8460 §4.3).</summary>
    public string ReportId { get; }

    /// <summary>The <c>start-datetime</c> (RFC 8460 §4.3); written in UTC, RFC 3339 form.</summary>
    public DateTimeOffset Start { get; }

    /// <summary>The <c>end-datetime</c> (RFC 8460 §4.3); written in UTC, RFC 3339 form.</summary>
    public DateTimeOffset End { get; }
}
