namespace MxResolver.Tests.Infrastructure;

/// <summary>The transport a query arrived on.</summary>
public enum ScriptedTransport
{
    Udp,
    Tcp,
}
