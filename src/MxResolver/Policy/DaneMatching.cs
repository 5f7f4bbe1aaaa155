using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MxResolver.Policy;

/// <summary>Selecting and digesting certificate content for TLSA matching (RFC 6698 §2.1.2–2.1.3).</summary>
internal static class DaneMatching
{
    /// <summary>The content <paramref name="selector"/> picks from <paramref name="certificate"/>: its DER form or its DER SubjectPublicKeyInfo.</summary>
    public static byte[] Select(TlsaSelector selector, X509Certificate2 certificate) => selector switch
    {
        TlsaSelector.FullCertificate => certificate.RawData,
        TlsaSelector.SubjectPublicKeyInfo => certificate.PublicKey.ExportSubjectPublicKeyInfo(),
        _ => throw new ArgumentOutOfRangeException(nameof(selector), selector, "Not a defined TLSA selector."),
    };

    /// <summary>The selected content presented per <paramref name="matchingType"/>: itself or its SHA-256 or SHA-512 digest.</summary>
    public static byte[] Present(TlsaMatchingType matchingType, byte[] selected) => matchingType switch
    {
        TlsaMatchingType.Full => selected,
        TlsaMatchingType.Sha256 => SHA256.HashData(selected),
        TlsaMatchingType.Sha512 => SHA512.HashData(selected),
        _ => throw new ArgumentOutOfRangeException(nameof(matchingType), matchingType, "Not a defined TLSA matching type."),
    };

    /// <summary>The association data <paramref name="certificate"/> would have.</summary>
    public static byte[] Compute(TlsaSelector selector, TlsaMatchingType matchingType, X509Certificate2 certificate) =>
        Present(matchingType, Select(selector, certificate));

    /// <summary>
    /// Whether <paramref name="certificate"/> satisfies <paramref name="association"/>'s selector,
    /// matching type and data (usage is the caller's concern). The association must be usable.
    /// </summary>
    public static bool Matches(TlsaAssociation association, X509Certificate2 certificate)
    {
        byte[] expected = Compute(association.Selector, association.MatchingType, certificate);
        return association.Data.Span.SequenceEqual(expected);
    }
}
