namespace MxResolver.Dns;

/// <summary>Which length rule of RFC 1035 §2.3.4 a name breaks (<see cref="DnsName.CheckLengths"/>).</summary>
internal enum DnsNameLengthError
{
    /// <summary>Every rule holds.</summary>
    None,

    /// <summary>The name is empty.</summary>
    Empty,

    /// <summary>Two dots in a row, or a dot at the start.</summary>
    EmptyLabel,

    /// <summary>A label is over 63 octets.</summary>
    LabelTooLong,

    /// <summary>The name is over 255 octets on the wire (253 characters without the trailing dot).</summary>
    NameTooLong,
}
