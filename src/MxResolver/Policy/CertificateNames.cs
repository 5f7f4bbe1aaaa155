using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MxResolver.Policy;

/// <summary>
/// Matching a certificate's DNS names against reference identifiers (RFC 6125 §6.4, as profiled by
/// RFC 7672 §3.2.3 for DANE-TA and RFC 8461 §4.2 for MTA-STS).
/// </summary>
internal static class CertificateNames
{
    private const string SubjectAltNameOid = "2.5.29.17";
    private const string CommonNameOid = "2.5.4.3";

    /// <summary>
    /// The presented DNS names: the dNSName entries of the subjectAltName extension; when there are
    /// none and <paramref name="commonNameFallback"/> is set, the subject's common names (RFC 7672
    /// §3.2.3: CN-IDs count only without DNS-IDs). Lower case, trailing dot dropped.
    /// </summary>
    public static List<string> PresentedNames(X509Certificate2 certificate, bool commonNameFallback)
    {
        var names = new List<string>();
        foreach (X509Extension extension in certificate.Extensions)
        {
            if (extension.Oid?.Value != SubjectAltNameOid)
            {
                continue;
            }

            try
            {
                var san = new X509SubjectAlternativeNameExtension(extension.RawData, extension.Critical);
                foreach (string dns in san.EnumerateDnsNames())
                {
                    names.Add(Clean(dns));
                }
            }
            catch (Exception e) when (e is CryptographicException or AsnContentException)
            {
                // A malformed extension names nothing.
            }
        }

        if (names.Count == 0 && commonNameFallback)
        {
            try
            {
                foreach (X500RelativeDistinguishedName rdn in certificate.SubjectName.EnumerateRelativeDistinguishedNames())
                {
                    if (!rdn.HasMultipleElements && rdn.GetSingleElementType().Value == CommonNameOid
                        && rdn.GetSingleElementValue() is { Length: > 0 } cn)
                    {
                        names.Add(Clean(cn));
                    }
                }
            }
            catch (CryptographicException)
            {
                // A malformed subject names nothing.
            }
        }

        return names;
    }

    /// <summary>
    /// Whether some presented name matches some reference identifier: equal ignoring case, or a
    /// presented <c>*.suffix</c> whose <c>*</c> is the whole leftmost label and stands for exactly
    /// one label of the reference identifier (RFC 7672 §3.2.3, RFC 6125 §6.4.3). A wildcard over
    /// a single-label suffix (<c>*.com</c>) is not honoured.
    /// </summary>
    public static bool AnyMatches(IReadOnlyList<string> presented, IEnumerable<string> referenceIdentifiers)
    {
        foreach (string reference in referenceIdentifiers)
        {
            if (!PolicyNames.TryNormalize(reference, out string normalized))
            {
                continue;
            }

            foreach (string name in presented)
            {
                if (name.StartsWith("*.", StringComparison.Ordinal))
                {
                    if (name.IndexOf('.', 2) > 2 && PolicyNames.MatchesNormalized(name, normalized))
                    {
                        return true;
                    }
                }
                else if (name.Length > 0 && string.Equals(name, normalized, StringComparison.Ordinal))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static string Clean(string name)
    {
        string trimmed = name.EndsWith('.') ? name[..^1] : name;
        return trimmed.ToLowerInvariant();
    }
}
