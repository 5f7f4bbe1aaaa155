using System.Net;

namespace MxResolver.Resolution;

/// <summary>
/// An exchange on its way to becoming a target. <see cref="Address"/> is set when no lookup is
/// needed: an address literal input (R2) or an IP-address exchange the caller allowed (R10).
/// </summary>
internal sealed record MxCandidate(string Host, ushort Preference, bool IsImplicit, IPAddress? Address = null)
{
    /// <summary>
    /// <see cref="Host"/> as an absolute name (trailing dot), when the name it came from already was
    /// one (the exchange of an MX record): kept so the address lookups need not build it again.
    /// </summary>
    public string? AbsoluteName { get; init; }

    /// <summary>The name the address lookups ask for: always absolute (R1), lower case.</summary>
    public string QueryName => AbsoluteName ?? Host + ".";
}
