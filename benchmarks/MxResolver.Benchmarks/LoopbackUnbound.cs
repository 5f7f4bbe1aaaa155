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
    private readonly string _directory;

    private LoopbackUnbound(UnboundServer server, string directory)
    {
        _server = server;
        _directory = directory;
    }

    public IPEndPoint EndPoint => _server.EndPoint;

    /// <summary>The temporary directory Unbound runs in (removed on dispose): a place for zone, key and certificate files.</summary>
    public string Directory => _directory;

    public static LoopbackUnbound Start() => Start(static _ => ([], string.Empty));

    /// <summary>
    /// Starts Unbound with more configuration: <paramref name="extend"/> gets the run directory
    /// (to write zone or key files into) and returns lines added to the <c>server:</c> clause and
    /// whole clauses added after it (e.g. <c>auth-zone:</c>).
    /// </summary>
    public static LoopbackUnbound Start(Func<string, (IReadOnlyList<string> ServerLines, string Clauses)> extend)
    {
        string directory = Path.Combine(Path.GetTempPath(), "mxr-bench-unbound-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(directory);
        (IReadOnlyList<string> serverLines, string clauses) = extend(directory);
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
        options.ExtraServerConfig.AddRange(serverLines);
        if (clauses.Length > 0)
        {
            options.ExtraConfig.Add(clauses);
        }

        try
        {
            return new LoopbackUnbound(UnboundServer.StartAsync(options).GetAwaiter().GetResult(), directory);
        }
        catch
        {
            System.IO.Directory.Delete(directory, recursive: true);
            throw;
        }
    }

    public void Dispose()
    {
        try
        {
            _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        finally
        {
            try
            {
                System.IO.Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: a temporary directory.
            }
        }
    }

    /// <summary>A port free for TCP and UDP on 127.0.0.1 at the time of the probe (for a second listener such as a TLS port).</summary>
    public static int FreePort() => UnboundServer.FindFreePort();
}
