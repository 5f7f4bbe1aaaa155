using System.Net;
using System.Net.Sockets;

namespace MxResolver.Resolution;

/// <summary>Puts addresses into the categories of the address filter (R18).</summary>
internal static class AddressClassifier
{
    /// <summary>
    /// The categories of <paramref name="address"/>. An IPv6 address that embeds an IPv4 address,
    /// IPv4-mapped <c>::ffff:0:0/96</c> (RFC 4291 §2.5.5.2) or the NAT64 well-known prefix
    /// <c>64:ff9b::/96</c> (RFC 6052 §2.1), also gets the categories of the embedded address: a
    /// resolver must not be steered to 127.0.0.1 or 169.254.169.254 by wrapping it.
    /// </summary>
    public static AddressCategories Classify(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out int length);
        if (length == 4)
        {
            return ClassifyIPv4(bytes[..4]);
        }

        bytes = bytes[..16];
        AddressCategories categories = ClassifyIPv6(bytes);
        if (TryGetEmbeddedIPv4(bytes, out int offset))
        {
            categories |= ClassifyIPv4(bytes.Slice(offset, 4));
        }

        return categories;
    }

    /// <summary>
    /// The form used to compare addresses (de-duplication, local addresses): an IPv4-mapped IPv6
    /// address becomes the IPv4 address it maps, because a socket connecting to either reaches
    /// the same host. NAT64 addresses stay as they are: they reach the host through a translator.
    /// </summary>
    public static IPAddress Normalize(IPAddress address)
    {
        IPAddress normalized = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        return normalized.AddressFamily == AddressFamily.InterNetworkV6 && normalized.ScopeId != 0
            ? new IPAddress(normalized.GetAddressBytes())
            : normalized;
    }

    private static bool TryGetEmbeddedIPv4(ReadOnlySpan<byte> v6, out int offset)
    {
        offset = 12;

        // ::ffff:a.b.c.d
        if (v6[..10].IndexOfAnyExcept((byte)0) < 0 && v6[10] == 0xFF && v6[11] == 0xFF)
        {
            return true;
        }

        // 64:ff9b::a.b.c.d
        ReadOnlySpan<byte> nat64 = [0x00, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0];
        return v6[..12].SequenceEqual(nat64);
    }

    private static AddressCategories ClassifyIPv4(ReadOnlySpan<byte> b)
    {
        return b[0] switch
        {
            0 => AddressCategories.Unspecified, // 0.0.0.0/8 "this network", RFC 1122 §3.2.1.3
            127 => AddressCategories.Loopback,
            10 => AddressCategories.Private,
            169 when b[1] == 254 => AddressCategories.LinkLocal, // RFC 3927, cloud metadata 169.254.169.254
            172 when (b[1] & 0xF0) == 16 => AddressCategories.Private,
            192 when b[1] == 168 => AddressCategories.Private,
            100 when (b[1] & 0xC0) == 64 => AddressCategories.Private, // RFC 6598 shared address space
            >= 224 and <= 239 => AddressCategories.Multicast,
            255 when b[1] == 255 && b[2] == 255 && b[3] == 255 => AddressCategories.Broadcast,
            _ => AddressCategories.None,
        };
    }

    private static AddressCategories ClassifyIPv6(ReadOnlySpan<byte> b)
    {
        if (b.IndexOfAnyExcept((byte)0) < 0)
        {
            return AddressCategories.Unspecified;
        }

        if (b[..15].IndexOfAnyExcept((byte)0) < 0 && b[15] == 1)
        {
            return AddressCategories.Loopback;
        }

        if (b[0] == 0xFF)
        {
            return AddressCategories.Multicast;
        }

        if (b[0] == 0xFE && (b[1] & 0xC0) == 0x80)
        {
            return AddressCategories.LinkLocal;
        }

        if ((b[0] & 0xFE) == 0xFC)
        {
            return AddressCategories.Private; // unique local fc00::/7, RFC 4193
        }

        return AddressCategories.None;
    }
}
