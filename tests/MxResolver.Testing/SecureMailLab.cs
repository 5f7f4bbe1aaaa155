using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MxResolver.Testing;

/// <summary>
/// Secure delivery on loopback: a validating Unbound serving the DNSSEC-signed zone <c>lab.test.</c>
/// (signed at start) and the unsigned zone <c>open.test.</c>, and three SMTP servers that share one
/// port on 127.0.0.1, 127.0.0.2 and 127.0.0.3. Used by the end-to-end tests of <c>mxdeliver</c> and
/// by the lab console (tests/MxResolver.Lab) that the README's example runs come from.
/// </summary>
/// <remarks>
/// <para>The domains (every MX target's A record is secure unless it is in <c>open.test</c>):</para>
/// <list type="table">
/// <listheader><term>domain</term><description>MX targets</description></listheader>
/// <item><term><c>lab.test</c></term><description><c>mx.lab.test</c> (127.0.0.1): STARTTLS, certificate matching its TLSA record (DANE-EE 3 1 1). Also a TLS-RPT record.</description></item>
/// <item><term><c>failover.lab.test</c></term><description><c>mx-bad.lab.test</c> (10, 127.0.0.2): STARTTLS, but its TLSA record is for another key; then <c>mx.lab.test</c> (20).</description></item>
/// <item><term><c>bad.lab.test</c></term><description><c>mx-bad.lab.test</c> only.</description></item>
/// <item><term><c>plain.lab.test</c></term><description><c>mx-plain.lab.test</c> (127.0.0.3): TLSA published, no STARTTLS offered.</description></item>
/// <item><term><c>skip.lab.test</c></term><description><c>mx-skip.lab.test</c> (10, 127.0.0.4, where nothing listens): its TLSA lookup fails (a CNAME into a zone whose server is down); then <c>mx.lab.test</c> (20). An address of its own: one shared with a better target would be tried once only (R13), under the better one.</description></item>
/// <item><term><c>open.test</c></term><description>unsigned: <c>mx.open.test</c> (127.0.0.3, no STARTTLS).</description></item>
/// </list>
/// <para>
/// TLSA records are published for the servers' port (<c>_&lt;port&gt;._tcp</c>, what a sender
/// delivering to that port asks for) and for port 25 (<c>_25._tcp</c>, what <c>mxlookup --security</c>
/// asks for), with the same data.
/// </para>
/// </remarks>
public sealed class SecureMailLab : IAsyncDisposable
{
    public const string Domain = "lab.test";
    public const string FailoverDomain = "failover.lab.test";
    public const string MismatchDomain = "bad.lab.test";
    public const string NoStartTlsDomain = "plain.lab.test";
    public const string SkipDomain = "skip.lab.test";
    public const string UnsignedDomain = "open.test";

    private readonly string _directory;
    private readonly X509Certificate2[] _certificates;

    private SecureMailLab(
        string directory, X509Certificate2[] certificates, UnboundServer dns, int port, StartTlsSmtpServer matching, StartTlsSmtpServer mismatching, StartTlsSmtpServer plain)
    {
        _directory = directory;
        _certificates = certificates;
        Dns = dns;
        SmtpPort = port;
        Matching = matching;
        Mismatching = mismatching;
        Plain = plain;
    }

    /// <summary>The validating resolver: give its <see cref="UnboundServer.EndPoint"/> as the name server.</summary>
    public UnboundServer Dns { get; }

    /// <summary>The port all three SMTP servers listen on.</summary>
    public int SmtpPort { get; }

    /// <summary><c>mx.lab.test</c> on 127.0.0.1: STARTTLS with the certificate its TLSA record names.</summary>
    public StartTlsSmtpServer Matching { get; }

    /// <summary><c>mx-bad.lab.test</c> on 127.0.0.2: STARTTLS with a certificate its TLSA record does not name.</summary>
    public StartTlsSmtpServer Mismatching { get; }

    /// <summary><c>mx-plain.lab.test</c> and <c>mx.open.test</c> on 127.0.0.3: no STARTTLS.</summary>
    public StartTlsSmtpServer Plain { get; }

    /// <summary>The TLSA record of <c>mx.lab.test</c>: <c>3 1 1</c> and the SHA-256 of its certificate's public key.</summary>
    public string MatchingTlsa { get; private set; } = string.Empty;

    /// <summary>The signed zone's source (before signing), for showing.</summary>
    public string ZoneText { get; private set; } = string.Empty;

    /// <summary>Starts the SMTP servers (one free port on the three addresses), writes and signs the zones and starts Unbound.</summary>
    /// <exception cref="InvalidOperationException">Unbound or bind9-utils is missing, or Unbound does not start (the message says which).</exception>
    public static async Task<SecureMailLab> StartAsync(CancellationToken cancellationToken = default)
    {
        string directory = Path.Combine(Path.GetTempPath(), "mxr-lab-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(6)).ToLowerInvariant());
        Directory.CreateDirectory(directory);
        X509Certificate2 matchingCertificate = SelfSigned("mx.lab.test");
        X509Certificate2 mismatchingCertificate = SelfSigned("mx-bad.lab.test");

        // The key mx-bad's TLSA record names: no server has it.
        using X509Certificate2 published = SelfSigned("mx-bad.lab.test");
        X509Certificate2[] certificates = [matchingCertificate, mismatchingCertificate];
        var servers = new List<StartTlsSmtpServer>();
        try
        {
            servers.AddRange(await StartServersAsync(matchingCertificate, mismatchingCertificate));
            int port = servers[0].EndPoint.Port;
            string good = "3 1 1 " + SpkiSha256(matchingCertificate);
            string bad = "3 1 1 " + SpkiSha256(published);
            string signedText = SignedZone(port, good, bad);
            string signedPath = Path.Combine(directory, "lab.test.zone");
            string openPath = Path.Combine(directory, "open.test.zone");
            await File.WriteAllTextAsync(signedPath, signedText, cancellationToken);
            await File.WriteAllTextAsync(openPath, OpenZone(), cancellationToken);

            var options = new UnboundServerOptions();
            options.SignedZones.Add(new UnboundSignedZone("lab.test.", signedPath));
            options.AuthZones.Add(new UnboundAuthZone("open.test.", openPath));
            options.StubZones.Add(UnboundStubZone.Dead("dead.test."));
            UnboundServer dns = await UnboundServer.StartAsync(options, cancellationToken);
            return new SecureMailLab(directory, certificates, dns, port, servers[0], servers[1], servers[2])
            {
                MatchingTlsa = good,
                ZoneText = signedText,
            };
        }
        catch
        {
            foreach (StartTlsSmtpServer server in servers)
            {
                await server.DisposeAsync();
            }

            foreach (X509Certificate2 certificate in certificates)
            {
                certificate.Dispose();
            }

            TryDelete(directory);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Dns.DisposeAsync();
        await Matching.DisposeAsync();
        await Mismatching.DisposeAsync();
        await Plain.DisposeAsync();
        foreach (X509Certificate2 certificate in _certificates)
        {
            certificate.Dispose();
        }

        TryDelete(_directory);
    }

    /// <summary>The three servers on one port of 127.0.0.1, .2 and .3: a few tries, since the port is free only on .1 when probed.</summary>
    private static async Task<StartTlsSmtpServer[]> StartServersAsync(X509Certificate2 matching, X509Certificate2 mismatching)
    {
        for (int round = 0; ; round++)
        {
            int port = UnboundServer.FindFreePort();
            var started = new List<StartTlsSmtpServer>();
            try
            {
                started.Add(await StartTlsSmtpServer.StartAsync(matching, new IPEndPoint(IPAddress.Loopback, port)));
                started.Add(await StartTlsSmtpServer.StartAsync(mismatching, new IPEndPoint(IPAddress.Parse("127.0.0.2"), port)));
                started.Add(await StartTlsSmtpServer.StartAsync(certificate: null, new IPEndPoint(IPAddress.Parse("127.0.0.3"), port)));
                return [.. started];
            }
            catch (Exception e) when (round < 5 && e is SocketException or IOException)
            {
                // Taken on one of the addresses: another port for all three.
                foreach (StartTlsSmtpServer server in started)
                {
                    await server.DisposeAsync();
                }
            }
        }
    }

    private static string SignedZone(int port, string good, string bad)
    {
        string p = port.ToString(CultureInfo.InvariantCulture);
        return $"""
            ;; Written by MxResolver.Testing SecureMailLab and signed when the lab starts. TLSA records at
            ;; _{p}._tcp (the lab's SMTP port) and _25._tcp (what mxlookup --security asks for).
            $ORIGIN lab.test.
            @                300 IN SOA   ns hostmaster 1 3600 600 86400 300
            @                300 IN NS    ns
            ns               300 IN A     127.0.0.1
            @                300 IN MX    10 mx
            _smtp._tls       300 IN TXT   "v=TLSRPTv1; rua=mailto:tlsrpt@lab.test"
            mx               300 IN A     127.0.0.1
            _{p}._tcp.mx     300 IN TLSA  {good}
            _25._tcp.mx      300 IN TLSA  {good}
            failover         300 IN MX    10 mx-bad
            failover         300 IN MX    20 mx
            bad              300 IN MX    10 mx-bad
            mx-bad           300 IN A     127.0.0.2
            _{p}._tcp.mx-bad 300 IN TLSA  {bad}
            _25._tcp.mx-bad  300 IN TLSA  {bad}
            plain            300 IN MX    10 mx-plain
            mx-plain         300 IN A     127.0.0.3
            _{p}._tcp.mx-plain 300 IN TLSA {good}
            _25._tcp.mx-plain 300 IN TLSA {good}
            skip             300 IN MX    10 mx-skip
            skip             300 IN MX    20 mx
            mx-skip          300 IN A     127.0.0.4
            _{p}._tcp.mx-skip 300 IN CNAME tlsa.dead.test.
            _25._tcp.mx-skip 300 IN CNAME tlsa.dead.test.

            """;
    }

    private static string OpenZone() => """
        ;; Written by MxResolver.Testing SecureMailLab: unsigned, so nothing here is secure (no DANE).
        $ORIGIN open.test.
        @                300 IN SOA   ns hostmaster 1 3600 600 86400 300
        @                300 IN NS    ns
        ns               300 IN A     127.0.0.1
        @                300 IN MX    10 mx
        mx               300 IN A     127.0.0.3

        """;

    /// <summary>A self-signed ECDSA P-256 certificate for <paramref name="host"/>, valid for a day either side of now.</summary>
    private static X509Certificate2 SelfSigned(string host)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + host, key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(host);
        request.CertificateExtensions.Add(names.Build());
        DateTimeOffset now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddDays(-1), now.AddDays(1));
    }

    /// <summary>The TLSA data of selector 1, matching type 1: SHA-256 of the SubjectPublicKeyInfo, in hex (RFC 6698 §2.1).</summary>
    private static string SpkiSha256(X509Certificate2 certificate)
        => Convert.ToHexString(SHA256.HashData(certificate.PublicKey.ExportSubjectPublicKeyInfo())).ToLowerInvariant();

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover temporary directory must not fail a run.
        }
    }
}
