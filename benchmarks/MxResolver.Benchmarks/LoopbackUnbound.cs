using System.Net;
using MxResolver.Testing;

namespace MxResolver.Benchmarks;

/// <summary>
/// The shared launcher (<see cref="UnboundServer"/>, tests/MxResolver.Testing) with one local zone
/// <c>bench.test.</c> whose MX answer Unbound serves from memory, so after the first query the
/// benchmark measures the client and the loopback round trip, not recursion. Never touches the
/// internet; killed on dispose.
/// </summary>
internal sealed class LoopbackUnbound : IDisposable
{
    public const string MxName = "mail.bench.test.";

    private readonly UnboundServer _server;

    private LoopbackUnbound(UnboundServer server) => _server = server;

    public IPEndPoint EndPoint => _server.EndPoint;

    public static LoopbackUnbound Start()
    {
        var options = new UnboundServerOptions();
        options.ExtraServerConfig.AddRange(
        [
            "local-zone: \"bench.test.\" static",
            "local-data: \"bench.test. 3600 IN SOA ns.bench.test. hostmaster.bench.test. 1 3600 600 86400 300\"",
            "local-data: \"mail.bench.test. 300 IN MX 10 mx1.mail.bench.test.\"",
            "local-data: \"mail.bench.test. 300 IN MX 20 mx2.mail.bench.test.\"",
            "local-data: \"mail.bench.test. 300 IN MX 30 mx3.mail.bench.test.\"",
            "rrset-roundrobin: no",
            "verbosity: 0",
        ]);
        return new LoopbackUnbound(UnboundServer.StartAsync(options).GetAwaiter().GetResult());
    }

    public void Dispose() => _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
}
