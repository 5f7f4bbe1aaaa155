namespace MxResolver;

/// <summary>
/// Categories of addresses, for the address filter (R18). An IPv4-mapped (<c>::ffff:a.b.c.d</c>,
/// RFC 4291 §2.5.5.2) or NAT64 (<c>64:ff9b::/96</c>, RFC 6052 §2.1) address is classified by the IPv4
/// address it embeds as well as by itself.
/// </summary>
[Flags]
public enum AddressCategories
{
    /// <summary>No category: an ordinary global or private address.</summary>
    None = 0,

    /// <summary><c>0.0.0.0/8</c> ("this network", RFC 791/RFC 1122) and <c>::</c>.</summary>
    Unspecified = 1 << 0,

    /// <summary>The limited broadcast address <c>255.255.255.255</c> (RFC 919).</summary>
    Broadcast = 1 << 1,

    /// <summary><c>224.0.0.0/4</c> and <c>ff00::/8</c>.</summary>
    Multicast = 1 << 2,

    /// <summary><c>127.0.0.0/8</c> and <c>::1</c>.</summary>
    Loopback = 1 << 3,

    /// <summary><c>169.254.0.0/16</c> (including the cloud metadata address 169.254.169.254) and <c>fe80::/10</c>.</summary>
    LinkLocal = 1 << 4,

    /// <summary>
    /// Private ranges: <c>10.0.0.0/8</c>, <c>172.16.0.0/12</c>, <c>192.168.0.0/16</c> (RFC 1918),
    /// shared address space <c>100.64.0.0/10</c> (RFC 6598) and unique local <c>fc00::/7</c> (RFC 4193).
    /// Not blocked by default: internal mail is real mail.
    /// </summary>
    Private = 1 << 5,

    /// <summary>
    /// The default filter: <see cref="Unspecified"/>, <see cref="Broadcast"/>, <see cref="Multicast"/>,
    /// <see cref="Loopback"/> and <see cref="LinkLocal"/>.
    /// </summary>
    Default = Unspecified | Broadcast | Multicast | Loopback | LinkLocal,
}
