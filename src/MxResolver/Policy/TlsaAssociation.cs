using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MxResolver;

/// <summary>
/// One TLSA record's certificate association (RFC 6698 §2.1): usage, selector, matching type and
/// the association data. Immutable; two associations are equal when all four fields are, the data
/// compared byte by byte. Values outside the named enumeration members are kept (a record with
/// them is simply not usable).
/// </summary>
public sealed class TlsaAssociation : IEquatable<TlsaAssociation>
{
    private readonly byte[] _data;

    /// <summary>Creates an association; the data is copied.</summary>
    /// <param name="usage">The certificate usage.</param>
    /// <param name="selector">The selector.</param>
    /// <param name="matchingType">The matching type.</param>
    /// <param name="data">The certificate association data.</param>
    public TlsaAssociation(TlsaCertificateUsage usage, TlsaSelector selector, TlsaMatchingType matchingType, ReadOnlySpan<byte> data)
    {
        Usage = usage;
        Selector = selector;
        MatchingType = matchingType;
        _data = data.ToArray();
    }

    /// <summary>The certificate usage (RFC 6698 §2.1.1).</summary>
    public TlsaCertificateUsage Usage { get; }

    /// <summary>The selector (RFC 6698 §2.1.2).</summary>
    public TlsaSelector Selector { get; }

    /// <summary>The matching type (RFC 6698 §2.1.3).</summary>
    public TlsaMatchingType MatchingType { get; }

    /// <summary>The certificate association data (RFC 6698 §2.1.4).</summary>
    public ReadOnlyMemory<byte> Data => _data;

    /// <summary>
    /// Whether SMTP may use this record (RFC 7672 §3.1): usage DANE-TA(2) or DANE-EE(3), selector
    /// Cert(0) or SPKI(1), matching type Full(0), SHA2-256(1) or SHA2-512(2), and data of the
    /// length the matching type implies (32 or 64 bytes for digests, not empty for Full; RFC 7671
    /// §5 treats malformed records as unusable). PKIX-TA(0) and PKIX-EE(1) are unusable for SMTP
    /// (RFC 7672 §3.1.3).
    /// </summary>
    public bool IsUsableForSmtp =>
        Usage is TlsaCertificateUsage.DaneTa or TlsaCertificateUsage.DaneEe
        && Selector is TlsaSelector.FullCertificate or TlsaSelector.SubjectPublicKeyInfo
        && MatchingType switch
        {
            TlsaMatchingType.Full => _data.Length > 0,
            TlsaMatchingType.Sha256 => _data.Length == SHA256.HashSizeInBytes,
            TlsaMatchingType.Sha512 => _data.Length == SHA512.HashSizeInBytes,
            _ => false,
        };

    /// <summary>
    /// Reads the RDATA of a TLSA record in wire format (RFC 6698 §2.1): one octet each of usage,
    /// selector and matching type, then the association data to the end.
    /// </summary>
    /// <param name="recordData">The RDATA.</param>
    /// <param name="association">The association, when the RDATA has at least the three fixed octets.</param>
    /// <returns>Whether the RDATA was long enough.</returns>
    public static bool TryReadRecordData(ReadOnlySpan<byte> recordData, [NotNullWhen(true)] out TlsaAssociation? association)
    {
        if (recordData.Length < 3)
        {
            association = null;
            return false;
        }

        association = new TlsaAssociation(
            (TlsaCertificateUsage)recordData[0], (TlsaSelector)recordData[1], (TlsaMatchingType)recordData[2], recordData[3..]);
        return true;
    }

    /// <summary>The association as TLSA RDATA in wire format (RFC 6698 §2.1).</summary>
    /// <returns>A new array: usage, selector, matching type, data.</returns>
    public byte[] ToRecordData()
    {
        var rdata = new byte[3 + _data.Length];
        rdata[0] = (byte)Usage;
        rdata[1] = (byte)Selector;
        rdata[2] = (byte)MatchingType;
        _data.CopyTo(rdata, 3);
        return rdata;
    }

    /// <summary>
    /// Computes the association that <paramref name="certificate"/> satisfies for the given usage,
    /// selector and matching type (RFC 6698 §2.1.2–2.1.3), e.g. to publish a TLSA record.
    /// </summary>
    /// <param name="usage">The certificate usage to put in the record.</param>
    /// <param name="selector">Cert(0) or SPKI(1).</param>
    /// <param name="matchingType">Full(0), SHA2-256(1) or SHA2-512(2).</param>
    /// <param name="certificate">The certificate.</param>
    /// <returns>The association.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="certificate"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="selector"/> or <paramref name="matchingType"/> is not a defined value.</exception>
    public static TlsaAssociation FromCertificate(
        TlsaCertificateUsage usage, TlsaSelector selector, TlsaMatchingType matchingType, X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        if (selector is not (TlsaSelector.FullCertificate or TlsaSelector.SubjectPublicKeyInfo))
        {
            throw new ArgumentOutOfRangeException(nameof(selector), selector, "Not a defined TLSA selector.");
        }

        if (matchingType is not (TlsaMatchingType.Full or TlsaMatchingType.Sha256 or TlsaMatchingType.Sha512))
        {
            throw new ArgumentOutOfRangeException(nameof(matchingType), matchingType, "Not a defined TLSA matching type.");
        }

        return new TlsaAssociation(usage, selector, matchingType, Policy.DaneMatching.Compute(selector, matchingType, certificate));
    }

    /// <inheritdoc/>
    public bool Equals(TlsaAssociation? other) =>
        other is not null
        && Usage == other.Usage
        && Selector == other.Selector
        && MatchingType == other.MatchingType
        && _data.AsSpan().SequenceEqual(other._data);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as TlsaAssociation);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Usage);
        hash.Add(Selector);
        hash.Add(MatchingType);
        hash.AddBytes(_data);
        return hash.ToHashCode();
    }

    /// <summary>The record's presentation form (RFC 6698 §2.2): <c>usage selector matching-type HEX</c>.</summary>
    public override string ToString() =>
        $"{(byte)Usage} {(byte)Selector} {(byte)MatchingType} {Convert.ToHexString(_data)}";
}
