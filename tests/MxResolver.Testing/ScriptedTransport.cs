namespace MxResolver.Testing;

/// <summary>The transport a query arrived on.</summary>
public enum ScriptedTransport
{
    Udp,
    Tcp,
}
