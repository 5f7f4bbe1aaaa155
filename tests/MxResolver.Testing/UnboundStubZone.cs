using System.Net;

namespace MxResolver.Testing;

/// <summary>A sub-zone Unbound forwards to other servers (a <c>stub-zone</c>).</summary>
public sealed record UnboundStubZone(string Name, IReadOnlyList<IPEndPoint> Addresses)
{
    /// <summary>
    /// Delegates <paramref name="name"/> to 127.0.0.1 port 1, where nothing listens: Unbound answers
    /// SERVFAIL for every name under it (R6), at once after the first failure marks the server dead.
    /// </summary>
    public static UnboundStubZone Dead(string name) => new(name, [new IPEndPoint(IPAddress.Loopback, 1)]);
}
