namespace MxResolver;

/// <summary>
/// The order of address families within a target (R17). Preference order between targets is
/// never broken by family order.
/// </summary>
public enum AddressFamilyPreference
{
    /// <summary>
    /// Both families, interleaved within a target starting with IPv6 (IPv6, IPv4, IPv6, ...), as
    /// RFC 8305 §4 sorts destinations. The default.
    /// </summary>
    Both = 0,

    /// <summary>Every IPv6 address of a target, then its IPv4 addresses.</summary>
    PreferIPv6 = 1,

    /// <summary>Every IPv4 address of a target, then its IPv6 addresses.</summary>
    PreferIPv4 = 2,

    /// <summary>IPv4 addresses only; IPv6 addresses are dropped (reported as excluded).</summary>
    IPv4Only = 3,

    /// <summary>IPv6 addresses only; IPv4 addresses are dropped (reported as excluded).</summary>
    IPv6Only = 4,
}
