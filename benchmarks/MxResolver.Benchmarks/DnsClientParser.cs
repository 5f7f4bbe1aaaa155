using System.Reflection;

namespace MxResolver.Benchmarks;

/// <summary>
/// DnsClient.NET 1.8.0 exposes no public parser: its UDP handler's <c>GetResponseMessage</c> is the
/// full-message decoder every query goes through. Reached once by reflection, then called as a delegate.
/// </summary>
internal static class DnsClientParser
{
    public static Func<ArraySegment<byte>, object> Create()
    {
        Type handlerType = typeof(DnsClient.LookupClient).Assembly.GetType("DnsClient.DnsUdpMessageHandler", throwOnError: true)!;
        object handler = Activator.CreateInstance(handlerType, nonPublic: true)!;
        MethodInfo parse = handlerType.GetMethod(
            "GetResponseMessage",
            BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic,
            [typeof(ArraySegment<byte>)])
            ?? throw new InvalidOperationException("DnsClient.NET has no GetResponseMessage(ArraySegment<byte>).");
        return (Func<ArraySegment<byte>, object>)Delegate.CreateDelegate(typeof(Func<ArraySegment<byte>, object>), handler, parse);
    }
}
