namespace MxResolver;

/// <summary>The certificate usage field of a TLSA record (RFC 6698 §2.1.1, names of RFC 7218).</summary>
public enum TlsaCertificateUsage : byte
{
    /// <summary>PKIX-TA(0): a CA constraint with PKIX validation. Unusable for SMTP (RFC 7672 §3.1.3).</summary>
    PkixTa = 0,

    /// <summary>PKIX-EE(1): a service certificate constraint with PKIX validation. Unusable for SMTP (RFC 7672 §3.1.3).</summary>
    PkixEe = 1,

    /// <summary>DANE-TA(2): a trust anchor the server's chain must lead to (RFC 7672 §3.1.2).</summary>
    DaneTa = 2,

    /// <summary>DANE-EE(3): the server's own certificate or key (RFC 7672 §3.1.1).</summary>
    DaneEe = 3,
}

/// <summary>The selector field of a TLSA record: which part of the certificate is matched (RFC 6698 §2.1.2).</summary>
public enum TlsaSelector : byte
{
    /// <summary>Cert(0): the whole certificate, DER encoded.</summary>
    FullCertificate = 0,

    /// <summary>SPKI(1): the DER-encoded SubjectPublicKeyInfo.</summary>
    SubjectPublicKeyInfo = 1,
}

/// <summary>The matching type field of a TLSA record: how the selected content is presented (RFC 6698 §2.1.3).</summary>
public enum TlsaMatchingType : byte
{
    /// <summary>Full(0): the selected content itself.</summary>
    Full = 0,

    /// <summary>SHA2-256(1): its SHA-256 digest (32 bytes).</summary>
    Sha256 = 1,

    /// <summary>SHA2-512(2): its SHA-512 digest (64 bytes).</summary>
    Sha512 = 2,
}
