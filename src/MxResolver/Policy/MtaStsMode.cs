namespace MxResolver;

/// <summary>The <c>mode</c> of an MTA-STS policy (RFC 8461 §3.2, §5).</summary>
public enum MtaStsMode
{
    /// <summary><c>none</c>: the domain has no active policy; treat it as if none were published (RFC 8461 §5).</summary>
    None,

    /// <summary><c>testing</c>: validate and report failures (RFC 8460), but deliver anyway (RFC 8461 §5).</summary>
    Testing,

    /// <summary><c>enforce</c>: deliver only to a matching MX host over TLS with a valid certificate (RFC 8461 §5).</summary>
    Enforce,
}
