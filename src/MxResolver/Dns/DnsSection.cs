namespace MxResolver.Dns;

/// <summary>The section of a DNS message a record was read from (RFC 1035 §4.1).</summary>
internal enum DnsSection
{
    /// <summary>The answer section.</summary>
    Answer = 1,

    /// <summary>The authority section.</summary>
    Authority = 2,

    /// <summary>The additional section.</summary>
    Additional = 3,
}
