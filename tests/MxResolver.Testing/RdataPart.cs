namespace MxResolver.Testing;

/// <summary>One piece of a record's RDATA for <see cref="DnsMessageBuilder.AddRecord"/>: bytes written
/// verbatim, or a domain name the builder may compress.</summary>
public abstract record RdataPart
{
    private RdataPart()
    {
    }

    public static implicit operator RdataPart(byte[] bytes) => new Bytes(bytes);

    public static implicit operator RdataPart(WireName name) => new Name(name);

    /// <summary>Bytes written as given.</summary>
    public sealed record Bytes(byte[] Value) : RdataPart;

    /// <summary>A domain name, compressed when the builder compresses.</summary>
    public sealed record Name(WireName Value) : RdataPart;
}
