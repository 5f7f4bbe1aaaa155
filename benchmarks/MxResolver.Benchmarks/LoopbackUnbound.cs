using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace MxResolver.Benchmarks;

/// <summary>
/// A minimal Unbound on 127.0.0.1 for benchmarks: one local zone <c>bench.test.</c> whose MX answer
/// Unbound serves from memory, so after the first query the benchmark measures the client and the
/// loopback round trip, not recursion. Never touches the internet; killed on dispose.
/// </summary>
internal sealed class LoopbackUnbound : IDisposable
{
    public const string MxName = "mail.bench.test.";

    private readonly Process _process;
    private readonly string _directory;

    private LoopbackUnbound(Process process, string directory, IPEndPoint endPoint)
    {
        _process = process;
        _directory = directory;
        EndPoint = endPoint;
    }

    public IPEndPoint EndPoint { get; }

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
        string extra = string.Concat(serverLines.Select(static line => "\n  " + line));
        int port = FreePort();
        string config = Path.Combine(directory, "unbound.conf");
        File.WriteAllText(config, string.Create(CultureInfo.InvariantCulture, $"""
            server:
              verbosity: 0
              interface: 127.0.0.1@{port}
              port: {port}
              interface-automatic: no
              do-ip6: no
              access-control: 127.0.0.0/8 allow
              username: ""
              chroot: ""
              directory: "{directory}"
              pidfile: ""
              logfile: "{Path.Combine(directory, "unbound.log")}"
              use-syslog: no
              module-config: "iterator"
              local-zone: "." static
              local-zone: "test." nodefault
              local-zone: "bench.test." static
              local-data: "bench.test. 3600 IN SOA ns.bench.test. hostmaster.bench.test. 1 3600 600 86400 300"
              local-data: "mail.bench.test. 300 IN MX 10 mx1.mail.bench.test."
              local-data: "mail.bench.test. 300 IN MX 20 mx2.mail.bench.test."
              local-data: "mail.bench.test. 300 IN MX 30 mx3.mail.bench.test."
              edns-buffer-size: 1232
              max-udp-size: 1232
              wait-limit: 0
              num-queries-per-thread: 4096
              rrset-roundrobin: no{extra}
            {clauses}
            remote-control:
              control-enable: no
            """));

        var process = Process.Start(new ProcessStartInfo("unbound", ["-d", "-c", config])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("unbound did not start (apt-get install -y unbound).");
        var server = new LoopbackUnbound(process, directory, new IPEndPoint(IPAddress.Loopback, port));
        try
        {
            server.WaitUntilAnswering();
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit(5000);
            }
        }
        finally
        {
            _process.Dispose();
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

    private void WaitUntilAnswering()
    {
        // A bare MX query (ID 0x1234) for the zone's name; Unbound answers once it listens.
        byte[] query = [0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 4, (byte)'m', (byte)'a', (byte)'i', (byte)'l', 5, (byte)'b', (byte)'e', (byte)'n', (byte)'c', (byte)'h', 4, (byte)'t', (byte)'e', (byte)'s', (byte)'t', 0, 0, 15, 0, 1];
        var buffer = new byte[1232];
        for (int attempt = 0; attempt < 100; attempt++)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException("unbound exited: " + _process.StandardError.ReadToEnd() + ReadLog());
            }

            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 100 };
            try
            {
                socket.Connect(EndPoint);
                socket.Send(query);
                if (socket.Receive(buffer) > 12 && buffer[0] == 0x12 && buffer[1] == 0x34 && (buffer[3] & 0xF) == 0)
                {
                    return;
                }
            }
            catch (SocketException)
            {
                Thread.Sleep(50);
            }
        }

        throw new InvalidOperationException("unbound did not answer within about 15 s. " + ReadLog());
    }

    private string ReadLog()
    {
        string log = Path.Combine(_directory, "unbound.log");
        return File.Exists(log) ? File.ReadAllText(log) : string.Empty;
    }

    public static int FreePort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }
}
