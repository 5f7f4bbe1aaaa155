using System.Diagnostics.CodeAnalysis;
using MxResolver.Policy;

namespace MxResolver;

/// <summary>
/// A domain's SMTP TLS Reporting policy (RFC 8460 §3): the TXT record at
/// <c>_smtp._tls.&lt;domain&gt;</c> that says where aggregate reports go. Immutable; create it with
/// <see cref="TryParse"/>.
/// </summary>
public sealed class TlsRptRecord
{
    /// <summary>The version field that starts every TLS-RPT record (RFC 8460 §3, case-sensitive).</summary>
    public const string VersionField = "v=TLSRPTv1";

    private TlsRptRecord(IReadOnlyList<Uri> reportUris) => ReportUris = reportUris;

    /// <summary>
    /// The <c>rua</c> endpoints in the order given (RFC 8460 §3): <c>mailto:</c> addresses
    /// (reports by mail, §5.3) and <c>https:</c> URLs (reports by HTTP POST, §5.4). At least one.
    /// </summary>
    public IReadOnlyList<Uri> ReportUris { get; }

    /// <summary>
    /// Finds and parses the TLS-RPT record among the TXT records of <c>_smtp._tls.&lt;domain&gt;</c>
    /// (RFC 8460 §3). The strings of each record are joined without separators; records not
    /// beginning with <c>v=TLSRPTv1</c> are discarded; exactly one must remain. Its <c>rua</c>
    /// field lists URIs separated by commas; URIs with schemes other than <c>mailto</c> and
    /// <c>https</c> are skipped, and at least one of those two must remain. Unknown fields are
    /// ignored; a repeated <c>rua</c> field makes the record invalid (the RFC does not say how to
    /// merge two). Anything else means the domain does not take TLS reports, which is an expected
    /// outcome: <see langword="false"/> and a one-line reason.
    /// </summary>
    /// <param name="records">The TXT records of the name, each as its list of character-strings.</param>
    /// <param name="record">The record, when there is exactly one valid one.</param>
    /// <param name="error">Why there is none, otherwise.</param>
    /// <returns>Whether a valid record was found.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="records"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A record or one of its strings is <see langword="null"/>.</exception>
    public static bool TryParse(
        IEnumerable<IReadOnlyList<string>> records,
        [NotNullWhen(true)] out TlsRptRecord? record,
        [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(records);
        record = null;
        if (!TxtRecordFields.TryReadSingle(records, VersionField, out List<KeyValuePair<string, string>>? fields, out error))
        {
            return false;
        }

        string? rua = null;
        foreach ((string name, string value) in fields)
        {
            if (name == "rua")
            {
                if (rua is not null)
                {
                    error = "the rua field appears more than once";
                    return false;
                }

                rua = value;
            }
        }

        if (rua is null)
        {
            error = "the record has no rua field";
            return false;
        }

        var uris = new List<Uri>();
        foreach (string part in rua.Split(','))
        {
            ReadOnlySpan<char> candidate = PolicyText.TrimWsp(part);
            if (candidate.IsEmpty)
            {
                error = "the rua field has an empty URI";
                return false;
            }

            if (candidate.ContainsAny(' ', '\t'))
            {
                error = $"the rua URI {PolicyText.Quote(candidate)} contains white space";
                return false;
            }

            if (!Uri.TryCreate(candidate.ToString(), UriKind.Absolute, out Uri? uri))
            {
                error = $"the rua URI {PolicyText.Quote(candidate)} is not an absolute URI";
                return false;
            }

            if (IsUsable(uri))
            {
                uris.Add(uri);
            }
        }

        if (uris.Count == 0)
        {
            error = "the rua field has no usable mailto: or https: URI";
            return false;
        }

        record = new TlsRptRecord(uris.AsReadOnly());
        return true;
    }

    private static bool IsUsable(Uri uri)
    {
        if (uri.Scheme == Uri.UriSchemeMailto)
        {
            // mailto:user@host — Uri puts the address's domain in Host and the local part in UserInfo.
            return uri.UserInfo.Length > 0 && uri.Host.Length > 0;
        }

        return uri.Scheme == Uri.UriSchemeHttps && uri.Host.Length > 0;
    }

    /// <summary>The record in its TXT form: <c>v=TLSRPTv1; rua=...</c>.</summary>
    public override string ToString() =>
        $"{VersionField}; rua={string.Join(',', ReportUris.Select(u => u.OriginalString))}";
}
