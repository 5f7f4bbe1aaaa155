namespace MxResolver.Testing;

/// <summary>A zone Unbound serves itself from a zone file (an <c>auth-zone</c>).</summary>
/// <param name="Name">The zone apex, e.g. <c>mx.test.</c>.</param>
/// <param name="ZoneFilePath">A zone file in RFC 1035 master format; copied into the server's directory.</param>
public sealed record UnboundAuthZone(string Name, string ZoneFilePath);
