using System.Net;

namespace MxResolver.Resolution;

/// <summary>
/// An exchange on its way to becoming a target. <see cref="Address"/> is set when no lookup is
/// needed: an address literal input (R2) or an IP-address exchange the caller allowed (R10).
/// </summary>
internal sealed record MxCandidate(string Host, ushort Preference, bool IsImplicit, IPAddress? Address = null);
