using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace MxResolver.Testing;

/// <summary>
/// A real Unbound (Debian's <c>/usr/sbin/unbound</c>) running in the foreground on a free loopback port
/// (UDP and TCP on 127.0.0.1, same port), serving only our zones and never the internet. Start with
/// <see cref="StartAsync"/>; dispose to kill it and remove its temporary directory.
/// </summary>
/// <remarks>
/// Facts this relies on are in docs/testing-with-unbound.md. One that is not: an auth-zone with
/// <c>for-downstream: yes</c> answers every name under its apex itself, so a stub-zone below it would
/// never be used (Unbound would hand out the referral or NXDOMAIN). For each stub zone we therefore
/// also declare a "shadow" auth-zone for the same name with <c>for-downstream: no</c> and
/// <c>for-upstream: no</c>: the closest auth-zone to the query is then one Unbound does not answer
/// from, so the query goes to the iterator, which uses the stub.
/// </remarks>
public sealed class UnboundServer : IAsyncDisposable
{
    private const string InstallHint = "Install it with: apt-get update && apt-get install -y unbound bind9-utils";
    // Polled often (Unbound is up in a few hundred milliseconds) but bounded: 500 x 20 ms = 10 s.
    private const int ReadinessPolls = 500;
    private static readonly TimeSpan ReadinessPollInterval = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(15);

    private readonly Process _process;
    private readonly StringBuilder _output;
    private readonly UnboundTlsMaterial? _tls;
    private int _disposed;

    private UnboundServer(string directory, string configPath, IPEndPoint endPoint, Process process, StringBuilder output, UnboundTlsMaterial? tls)
    {
        Directory = directory;
        ConfigPath = configPath;
        EndPoint = endPoint;
        _process = process;
        _output = output;
        _tls = tls;
    }

    /// <summary>The shared zone file copied next to the test assembly.</summary>
    public static string SharedZoneFilePath => Path.Combine(UnboundServerOptions.ZoneDirectory, "mx.test.zone");

    /// <summary>The name in the DNS-over-TLS server certificate (and the SNI a client should send).</summary>
    public static string TlsServerName => UnboundTlsMaterial.ServerName;

    /// <summary>Where Unbound listens: 127.0.0.1 and the chosen port, for both UDP and TCP.</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>DNS over TLS (RFC 7858) on 127.0.0.1 and a second port, when <see cref="UnboundServerOptions.EnableTls"/>.</summary>
    public IPEndPoint TlsEndPoint => _tls?.EndPoint ?? throw new InvalidOperationException("This server was started without EnableTls.");

    /// <summary>The test CA that issued the DNS-over-TLS certificate: the one root a client should trust.</summary>
    public X509Certificate2 TlsCaCertificate => _tls?.CaCertificate ?? throw new InvalidOperationException("This server was started without EnableTls.");

    /// <summary>The same CA certificate as a PEM file (for tools such as <c>kdig</c> or <c>openssl s_client</c>).</summary>
    public string TlsCaCertificatePath => _tls?.CaCertificatePath ?? throw new InvalidOperationException("This server was started without EnableTls.");

    /// <summary>The temporary directory holding the configuration, zone copies, log and control socket.</summary>
    public string Directory { get; }

    public string ConfigPath { get; }

    public int ProcessId => _process.Id;

    public string LogPath => Path.Combine(Directory, "unbound.log");

    /// <summary>Starts Unbound with <paramref name="options"/> and waits until it answers a real query.</summary>
    /// <exception cref="InvalidOperationException">Unbound is not installed, its configuration is rejected,
    /// or it does not answer within about 10 s (the message carries its log).</exception>
    public static async Task<UnboundServer> StartAsync(UnboundServerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var unbound = FindTool("unbound");
        var checkconf = FindTool("unbound-checkconf");

        // Another process may take the port between our probe and Unbound's bind; try a few ports.
        Exception? last = null;
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var directory = Path.Combine(Path.GetTempPath(), "mxr-unbound-" + Guid.NewGuid().ToString("N")[..12]);
            System.IO.Directory.CreateDirectory(directory);
            try
            {
                var port = FindFreePort();
                UnboundTlsMaterial? tls = null;
                if (options.EnableTls)
                {
                    tls = UnboundTlsMaterial.Create(directory, new IPEndPoint(IPAddress.Loopback, FindFreePort(exclude: port)));
                }

                var signed = await SignZonesAsync(directory, options, cancellationToken);
                var configPath = WriteConfiguration(directory, port, options, signed, tls);
                var (code, text) = await RunToolAsync(checkconf, [configPath], cancellationToken);
                if (code != 0)
                {
                    throw new InvalidOperationException(
                        $"unbound-checkconf rejected {configPath} (exit {code}):\n{text}\n--- configuration ---\n{File.ReadAllText(configPath)}");
                }

                var server = Launch(unbound, directory, configPath, new IPEndPoint(IPAddress.Loopback, port), tls);
                try
                {
                    if (await server.WaitUntilAnsweringAsync(options, cancellationToken))
                    {
                        return server;
                    }

                    last = new InvalidOperationException($"unbound exited before answering on port {port}:\n{server.ReadLog()}");
                }
                catch
                {
                    await server.DisposeAsync();
                    throw;
                }

                await server.DisposeAsync();
                if (!last.Message.Contains("in use", StringComparison.OrdinalIgnoreCase))
                {
                    throw last;
                }
            }
            catch
            {
                TryDeleteDirectory(directory);
                throw;
            }
        }

        throw last ?? new InvalidOperationException("unbound did not start.");
    }

    /// <summary>Starts Unbound with the shared zone (<see cref="UnboundServerOptions.SharedZone"/>).</summary>
    public static Task<UnboundServer> StartSharedZoneAsync(CancellationToken cancellationToken = default) =>
        StartAsync(UnboundServerOptions.SharedZone(), cancellationToken);

    /// <summary>Empties Unbound's message and RRset caches (<c>unbound-control flush_zone .</c>).</summary>
    public Task FlushAllAsync(CancellationToken cancellationToken = default) => ControlAsync(cancellationToken, "flush_zone", ".");

    /// <summary>Runs <c>unbound-control -c &lt;conf&gt; args...</c> against this instance and returns its output.</summary>
    /// <exception cref="InvalidOperationException">unbound-control failed.</exception>
    public async Task<string> ControlAsync(CancellationToken cancellationToken, params string[] args)
    {
        var control = FindTool("unbound-control");
        var (code, text) = await RunToolAsync(control, ["-c", ConfigPath, .. args], cancellationToken);
        if (code != 0)
        {
            throw new InvalidOperationException($"unbound-control {string.Join(' ', args)} failed (exit {code}): {text}");
        }

        return text;
    }

    /// <summary>Unbound's log file plus whatever it wrote to stdout/stderr.</summary>
    public string ReadLog()
    {
        var log = new StringBuilder();
        try
        {
            if (File.Exists(LogPath))
            {
                using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var reader = new StreamReader(stream);
                log.Append(reader.ReadToEnd());
            }
        }
        catch (IOException)
        {
            // Best effort: the log is only diagnostics.
        }

        lock (_output)
        {
            log.Append(_output);
        }

        return log.ToString();
    }

    /// <summary>Kills Unbound and deletes its directory. Safe to call twice.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException or System.ComponentModel.Win32Exception)
        {
            // Already gone, or stuck beyond our bound: nothing more we can do from here.
        }
        finally
        {
            _process.Dispose();
            _tls?.Dispose();
            TryDeleteDirectory(Directory);
        }
    }

    private static UnboundServer Launch(string unbound, string directory, string configPath, IPEndPoint endPoint, UnboundTlsMaterial? tls)
    {
        var output = new StringBuilder();
        var info = new ProcessStartInfo(unbound)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        info.ArgumentList.Add("-d");
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(configPath);
        var process = new Process { StartInfo = info };
        DataReceivedEventHandler append = (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (output)
                {
                    output.AppendLine(e.Data);
                }
            }
        };
        process.OutputDataReceived += append;
        process.ErrorDataReceived += append;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new UnboundServer(directory, configPath, endPoint, process, output, tls);
    }

    /// <summary>Polls with a real UDP query (bounded: 500 × 20 ms). False if Unbound exited first.</summary>
    private async Task<bool> WaitUntilAnsweringAsync(UnboundServerOptions options, CancellationToken cancellationToken)
    {
        var probeName = options.AuthZones.Select(z => z.Name).Concat(options.SignedZones.Select(z => z.Name)).FirstOrDefault() ?? ".";
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var buffer = new byte[4096];
        for (var poll = 0; poll < ReadinessPolls; poll++)
        {
            if (_process.HasExited)
            {
                await _process.WaitForExitAsync(cancellationToken);
                return false;
            }

            var id = (ushort)(poll + 1);
            var query = DnsMessageBuilder.Query(id, probeName, DnsTypeCode.SOA).Build();
            try
            {
                await socket.SendToAsync(query, EndPoint, cancellationToken);
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                wait.CancelAfter(ReadinessPollInterval);
                while (true)
                {
                    var received = await socket.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), wait.Token);
                    var reply = DnsQueryInfo.TryParse(buffer[..received.ReceivedBytes]);
                    if (reply is { IsResponse: true } && reply.Id == id)
                    {
                        return true;
                    }
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // No answer within this poll: try again.
            }
            catch (SocketException)
            {
                // ICMP port unreachable while Unbound is still binding: wait and try again.
                await Task.Delay(ReadinessPollInterval, cancellationToken);
            }
        }

        throw new InvalidOperationException(
            $"unbound on {EndPoint} did not answer within {ReadinessPolls} polls of {ReadinessPollInterval.TotalMilliseconds} ms:\n{ReadLog()}");
    }

    private static string WriteConfiguration(
        string directory, int port, UnboundServerOptions options, IReadOnlyList<SignedZoneFiles> signed, UnboundTlsMaterial? tls)
    {
        var conf = new StringBuilder();
        conf.AppendLine(CultureInfo.InvariantCulture, $$"""
            # Generated by MxResolver.Testing UnboundServer: loopback only, our zones only.
            server:
              verbosity: 1
              interface: 127.0.0.1@{{port}}
              port: {{port}}
              interface-automatic: no
              so-reuseport: no
              do-ip4: yes
              do-ip6: no
              do-udp: yes
              do-tcp: yes
              access-control: 127.0.0.0/8 allow
              username: ""
              chroot: ""
              directory: "{{directory}}"
              pidfile: ""
              logfile: "{{Path.Combine(directory, "unbound.log")}}"
              use-syslog: no
              log-time-ascii: yes
              module-config: "{{(options.Validates ? "validator iterator" : "iterator")}}"
              # Never the internet: the root is a static (empty) local zone, so root hints are never used.
              local-zone: "." static
              # test. is a built-in static local zone (RFC 6761): make it transparent or our data is hidden.
              local-zone: "test." transparent
              do-not-query-localhost: no
              outgoing-interface: 127.0.0.1
              edns-buffer-size: 1232
              max-udp-size: 1232
              # Load tests send many queries from one address.
              wait-limit: 0
              num-queries-per-thread: 4096
              incoming-num-tcp: 256
              # Otherwise Debian's build drops the SERVFAIL it owes after ~1.9 s and clients see a timeout.
              discard-timeout: 0
              # Give up on a dead stub server quickly (SERVFAIL in under a second).
              infra-cache-max-rtt: 500
              # Stub servers (e.g. a ScriptedDnsServer) see exactly the client's question, not minimised ones.
              qname-minimisation: no
            """);
        if (options.Validates)
        {
            // Our trust anchors are the only ones: no root key, no RFC 8145 key-tag queries.
            conf.AppendLine("  trust-anchor-signaling: no");
            conf.AppendLine("  val-log-level: 2");
            foreach (var zone in signed)
            {
                conf.AppendLine(CultureInfo.InvariantCulture, $"  trust-anchor-file: \"{zone.KeyFile}\"");
            }
        }

        if (tls is not null)
        {
            conf.AppendLine(CultureInfo.InvariantCulture, $"""
                  interface: 127.0.0.1@{tls.EndPoint.Port}
                  tls-port: {tls.EndPoint.Port}
                  tls-service-key: "{tls.KeyPath}"
                  tls-service-pem: "{tls.CertificatePath}"
                """);
        }

        foreach (var zone in options.AuthZones.Select(z => z.Name).Concat(options.SignedZones.Select(z => z.Name)).Concat(options.StubZones.Select(z => z.Name)))
        {
            conf.AppendLine(CultureInfo.InvariantCulture, $"  local-zone: \"{Absolute(zone)}\" transparent");
        }

        foreach (var line in options.ExtraServerConfig)
        {
            conf.AppendLine("  " + line);
        }

        conf.AppendLine(CultureInfo.InvariantCulture, $"""
            remote-control:
              control-enable: yes
              control-interface: "{Path.Combine(directory, "control.sock")}"
              control-use-cert: no
            """);

        // A validating server passes every zone through the iterator and validator (answers as from
        // upstream); otherwise Unbound answers from the zone itself (AA set, TTLs exactly the zone's).
        var index = 0;
        var downstream = options.Validates ? "no" : "yes";
        var zoneFiles = options.AuthZones.Select(z => (z.Name, Path: (string?)null, Source: z.ZoneFilePath))
            .Concat(signed.Select(z => (z.Name, Path: (string?)z.SignedFile, Source: z.SignedFile)));
        foreach (var (zoneName, signedPath, source) in zoneFiles)
        {
            var copy = signedPath ?? Path.Combine(directory, $"zone{index++}.zone");
            if (signedPath is null)
            {
                File.Copy(source, copy);
            }

            conf.AppendLine(CultureInfo.InvariantCulture, $"""
                auth-zone:
                  name: "{Absolute(zoneName)}"
                  zonefile: "{copy}"
                  for-downstream: {downstream}
                  for-upstream: yes
                  fallback-enabled: no
                """);
        }

        foreach (var stub in options.StubZones)
        {
            var name = Absolute(stub.Name);
            conf.AppendLine(CultureInfo.InvariantCulture, $"""
                stub-zone:
                  name: "{name}"
                """);
            foreach (var address in stub.Addresses)
            {
                conf.AppendLine(CultureInfo.InvariantCulture, $"  stub-addr: {address.Address}@{address.Port}");
            }

            // The shadow auth-zone explained in the class remarks, so the stub is reachable below an auth-zone.
            var shadow = Path.Combine(directory, $"zone{index++}.zone");
            File.WriteAllText(shadow, $"""
                $ORIGIN {name}
                @ 300 IN SOA ns.{name} hostmaster.{name} 1 3600 600 86400 300
                @ 300 IN NS ns.{name}

                """);
            conf.AppendLine(CultureInfo.InvariantCulture, $"""
                auth-zone:
                  name: "{name}"
                  zonefile: "{shadow}"
                  for-downstream: no
                  for-upstream: no
                  fallback-enabled: no
                """);
        }

        foreach (var clause in options.ExtraConfig)
        {
            conf.AppendLine(clause);
        }

        var path = Path.Combine(directory, "unbound.conf");
        File.WriteAllText(path, conf.ToString());
        return path;
    }

    private static string Absolute(string name) => name.EndsWith('.') ? name : name + ".";

    /// <summary>
    /// Signs each of <see cref="UnboundServerOptions.SignedZones"/> in <paramref name="directory"/>: one
    /// ECDSA P-256 key (algorithm 13, flags 257, used for every RRset: <c>-z</c>), NSEC, one record a line.
    /// The <c>dsset-</c> file goes there too (<c>-d</c>), not into the current directory.
    /// </summary>
    private static async Task<IReadOnlyList<SignedZoneFiles>> SignZonesAsync(
        string directory, UnboundServerOptions options, CancellationToken cancellationToken)
    {
        if (options.SignedZones.Count == 0)
        {
            return [];
        }

        var keygen = FindTool("dnssec-keygen");
        var signzone = FindTool("dnssec-signzone");
        var keys = Path.Combine(directory, "keys");
        System.IO.Directory.CreateDirectory(keys);

        // Independent zones: sign them in parallel (each tool run takes tens of milliseconds).
        return await Task.WhenAll(options.SignedZones.Select(async (zone, i) =>
        {
            var name = Absolute(zone.Name);
            var (code, keyName) = await RunToolAsync(keygen, ["-q", "-a", "ECDSAP256SHA256", "-f", "KSK", "-n", "ZONE", "-K", keys, name], cancellationToken);
            var keyFile = Path.Combine(keys, keyName.Trim() + ".key");
            if (code != 0 || !File.Exists(keyFile))
            {
                throw new InvalidOperationException($"dnssec-keygen for {name} failed (exit {code}): {keyName}");
            }

            var signedFile = Path.Combine(directory, $"signed{i}.zone");
            var (signCode, signText) = await RunToolAsync(
                signzone, ["-q", "-S", "-z", "-O", "full", "-o", name, "-K", keys, "-d", directory, "-f", signedFile, zone.ZoneFilePath], cancellationToken);
            if (signCode != 0 || !File.Exists(signedFile))
            {
                throw new InvalidOperationException($"dnssec-signzone for {name} failed (exit {signCode}): {signText}");
            }

            if (zone.Bogus)
            {
                CorruptSignatures(signedFile);
            }

            return new SignedZoneFiles(name, signedFile, keyFile);
        }));
    }

    /// <summary>
    /// Flips the first character of the signature in every RRSIG that covers data (not SOA, NS, DNSKEY or
    /// NSEC), so the key and the denial chain still validate but the data is bogus. In the one-record-a-line
    /// form (<c>-O full</c>) an RRSIG reads: owner TTL class RRSIG covered algorithm labels original-TTL
    /// expiration inception key-tag signer signature...
    /// </summary>
    private static void CorruptSignatures(string signedFile)
    {
        var lines = File.ReadAllLines(signedFile);
        for (var i = 0; i < lines.Length; i++)
        {
            var fields = lines[i].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length > 12 && fields[3] == "RRSIG" && fields[4] is not ("SOA" or "NS" or "DNSKEY" or "NSEC"))
            {
                fields[12] = (fields[12][0] == 'A' ? 'B' : 'A') + fields[12][1..];
                lines[i] = string.Join(' ', fields);
            }
        }

        File.WriteAllLines(signedFile, lines);
    }

    /// <summary>A port free for both TCP and UDP on 127.0.0.1 at the time of the probe.</summary>
    public static int FindFreePort(int exclude = 0)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            tcp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)tcp.LocalEndPoint!).Port;
            if (port == exclude)
            {
                continue;
            }

            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                udp.Bind(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException)
            {
                // Taken for UDP: try another.
            }
        }

        throw new InvalidOperationException("No loopback port free for both TCP and UDP after 100 tries.");
    }

    private static string FindTool(string name)
    {
        foreach (var dir in new[] { "/usr/sbin", "/usr/local/sbin", "/usr/bin", "/sbin" }
                     .Concat((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException(
            $"'{name}' was not found (looked in /usr/sbin and PATH). The integration tests need Unbound. {InstallHint}");
    }

    private static async Task<(int ExitCode, string Output)> RunToolAsync(string path, string[] args, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {path}.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ToolTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{path} {string.Join(' ', args)} did not finish within {ToolTimeout.TotalSeconds} s.");
        }

        return (process.ExitCode, (await stdout) + (await stderr));
    }

    private static void TryDeleteDirectory(string directory)
    {
        try
        {
            if (System.IO.Directory.Exists(directory))
            {
                System.IO.Directory.Delete(directory, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover temp directory must not fail a test run.
        }
    }

    private sealed record SignedZoneFiles(string Name, string SignedFile, string KeyFile);
}
