using System.Net;

namespace MxResolver;

/// <summary>
/// What <see cref="IMxConnector.ExecuteAsync{T}"/> hands to the caller's operation: one address of
/// one target, in attempt order.
/// </summary>
public sealed class MxDestination
{
    internal MxDestination(MxTarget target, IPAddress address, int port, int attemptNumber, MxSecureTarget? security = null)
    {
        Security = security;
        Target = target;
        Address = address;
        Port = port;
        AttemptNumber = attemptNumber;
    }

    /// <summary>The target (its host name is what a client should announce as the server, e.g. for TLS SNI).</summary>
    public MxTarget Target { get; }

    /// <summary>The address to connect to.</summary>
    public IPAddress Address { get; }

    /// <summary>The TCP port to connect to.</summary>
    public int Port { get; }

    /// <summary>The address and port as an endpoint.</summary>
    public IPEndPoint EndPoint => new(Address, Port);

    /// <summary>The number of this attempt in the call, from 1.</summary>
    public int AttemptNumber { get; }

    /// <summary>
    /// What the target requires for safe delivery (its TLS requirement, TLSA records, the names its
    /// certificate must carry), when the call was <see cref="IMxConnector.ExecuteSecureAsync{T}"/>;
    /// <see langword="null"/> otherwise. The operation must honour it: never plaintext where TLS is mandatory.
    /// </summary>
    public MxSecureTarget? Security { get; }

    /// <summary>A one-line form: host, preference and endpoint.</summary>
    public override string ToString() => $"{Target.Host} (preference {Target.Preference}) {EndPoint}";
}
