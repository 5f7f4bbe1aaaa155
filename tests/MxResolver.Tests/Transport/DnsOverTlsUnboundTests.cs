using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MxResolver.Dns;
using MxResolver.Tests.Infrastructure;
using MxResolver.Transport;
using static MxResolver.Tests.Transport.PipelineTestKit;

namespace MxResolver.Tests.Transport;

/// <summary>
/// DNS over TLS (RFC 7858) against a real Unbound with <c>tls-port</c>, its certificate issued at test
/// time by a test CA (nothing on disk but the temporary PEM files Unbound reads). The client trusts
/// the test CA through <see cref="DnsTlsClientOptions.TrustedRoots"/>, never the machine store.
/// </summary>
public sealed class DnsOverTlsUnboundTests(DnsOverTlsUnboundTests.Servers servers) : IClassFixture<DnsOverTlsUnboundTests.Servers>
{
    private const string ServerName = "dns.mx.test";
    private readonly TestPki _pki = servers.Pki;
    private readonly TlsUnbound _valid = servers.Valid;
    private readonly TlsUnbound _expired = servers.Expired;

    /// <summary>The test CA and two Unbound instances (valid and expired certificate), started once for the class.</summary>
    public sealed class Servers : IAsyncLifetime
    {
        internal TestPki Pki { get; private set; } = null!;

        internal TlsUnbound Valid { get; private set; } = null!;

        internal TlsUnbound Expired { get; private set; } = null!;

        public async ValueTask InitializeAsync()
        {
            Pki = TestPki.Create();
            Valid = await TlsUnbound.StartAsync(Pki.Ca, Pki.Issue(ServerName, expired: false));
            Expired = await TlsUnbound.StartAsync(Pki.Ca, Pki.Issue(ServerName, expired: true));
        }

        public async ValueTask DisposeAsync()
        {
            if (Valid is not null)
            {
                await Valid.DisposeAsync();
            }

            if (Expired is not null)
            {
                await Expired.DisposeAsync();
            }

            Pki?.Dispose();
        }
    }

    [Fact]
    public async Task Answers_over_tls_with_the_name_authenticated_against_the_test_ca()
    {
        await using var pool = new DnsConnectionPool(Options());
        var server = NameServerEndpoint.Parse($"tls://{_valid.TlsEndPoint}#{ServerName}");

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(i =>
            pool.QueryAsync(server, Query("plain.mx.test.", DnsRecordType.MX, (ushort)i), TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken).AsTask()))
            .WaitAsync(Bound, TestContext.Current.CancellationToken);

        for (int i = 0; i < results.Length; i++)
        {
            Assert.True(results[i].Status == DnsStreamStatus.Answered, $"{results[i].Status}: {results[i].Detail}");
            using var reply = results[i].Reply!;
            var response = DnsResponse.Parse(reply.Span);
            Assert.Equal((ushort)i, response.Id);
            Assert.Equal(3, response.Answers.Count);
        }
    }

    [Fact]
    public async Task A_certificate_for_another_name_fails_closed()
    {
        var result = await QueryOnceAsync($"tls://{_valid.TlsEndPoint}#wrong.mx.test");

        Assert.Equal(DnsStreamStatus.TlsFailed, result.Status);
        Assert.Contains("not valid for the name 'wrong.mx.test'", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expired_certificate_fails_closed()
    {
        var result = await QueryOnceAsync($"tls://{_expired.TlsEndPoint}#{ServerName}");

        Assert.Equal(DnsStreamStatus.TlsFailed, result.Status);
        Assert.Contains("NotTimeValid", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_untrusted_issuer_fails_closed()
    {
        // No custom root: the machine store does not know the test CA.
        var result = await QueryOnceAsync($"tls://{_valid.TlsEndPoint}#{ServerName}", new DnsConnectionOptions());

        Assert.Equal(DnsStreamStatus.TlsFailed, result.Status);
        Assert.Contains("chain is not valid", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_pin_mismatch_fails_closed()
    {
        string otherPin = Convert.ToBase64String(SHA256.HashData("not the server's key"u8));
        var result = await QueryOnceAsync($"tls://{_valid.TlsEndPoint}#{ServerName}?pin=sha256/{otherPin}");

        Assert.Equal(DnsStreamStatus.TlsFailed, result.Status);
        Assert.Contains("SPKI pin mismatch", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_matching_pin_authenticates_without_the_ca_and_without_the_name()
    {
        // The documented choice (RFC 7858 §4.2): a pin alone authenticates the server.
        string pin = Convert.ToBase64String(DnsTlsClientOptions.ComputeSpkiPin(_valid.Certificate));
        var result = await QueryOnceAsync($"tls://{_valid.TlsEndPoint}#other.mx.test?pin=sha256/{pin}", new DnsConnectionOptions());

        Assert.True(result.Status == DnsStreamStatus.Answered, $"{result.Status}: {result.Detail}");
        result.Reply!.Dispose();
    }

    [Fact]
    public async Task Plain_tcp_to_the_tls_port_is_never_attempted_a_tls_failure_is_final()
    {
        await using var pool = new DnsConnectionPool(Options());
        var server = NameServerEndpoint.Parse($"tls://{_expired.TlsEndPoint}#{ServerName}");

        var first = await pool.QueryAsync(server, Query("plain.mx.test.", DnsRecordType.MX), TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        var second = await pool.QueryAsync(server, Query("plain.mx.test.", DnsRecordType.MX), TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        Assert.Equal(DnsStreamStatus.TlsFailed, first.Status);
        Assert.Equal(DnsStreamStatus.TlsFailed, second.Status);
        Assert.Empty(pool.GetConnections(server));
    }

    [Fact]
    public async Task A_second_connection_to_the_same_server_resumes_the_tls_session()
    {
        // A server name no other test has used, so no session for it is cached in this process yet and
        // the first handshake is a full one; the key pin authenticates the server (the name is only SNI).
        var options = Options();
        string pin = Convert.ToBase64String(DnsTlsClientOptions.ComputeSpkiPin(_valid.Certificate));
        var server = NameServerEndpoint.Parse($"tls://{_valid.TlsEndPoint}#resume-{Guid.NewGuid():N}.mx.test?pin=sha256/{pin}");

        long full = await HandshakeBytesAsync(server, options);
        long resumed = await HandshakeBytesAsync(server, options);

        // A resumed handshake carries no certificate: far fewer bytes from the server.
        TestContext.Current.TestOutputHelper?.WriteLine($"TLS handshake bytes from the server: first {full}, second {resumed}");
        Assert.True(resumed < full / 2, $"first handshake {full} bytes, second {resumed} bytes: not resumed");
    }

    private static async Task<long> HandshakeBytesAsync(NameServerEndpoint server, DnsConnectionOptions options)
    {
        var (connection, status, detail) = await PipelinedDnsConnection.ConnectAsync(server, options, TestContext.Current.CancellationToken).AsTask().WaitAsync(Bound, TestContext.Current.CancellationToken);
        Assert.True(connection is not null, $"{status}: {detail}");
        await using (connection)
        {
            // One exchange, so a TLS 1.3 session ticket (sent after the handshake) is read and stored.
            var result = await connection.QueryAsync(Query("plain.mx.test.", DnsRecordType.MX), TestContext.Current.CancellationToken).AsTask().WaitAsync(Bound, TestContext.Current.CancellationToken);
            Assert.Equal(DnsStreamStatus.Answered, result.Status);
            result.Reply!.Dispose();
            return connection.HandshakeBytesReceived;
        }
    }

    private DnsConnectionOptions Options() => new() { Tls = new DnsTlsClientOptions { TrustedRoots = [_pki.Ca] } };

    private async Task<DnsStreamResult> QueryOnceAsync(string entry, DnsConnectionOptions? options = null)
    {
        await using var pool = new DnsConnectionPool(options ?? Options());
        return await pool.QueryAsync(NameServerEndpoint.Parse(entry), Query("plain.mx.test.", DnsRecordType.MX), TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken)
            .AsTask().WaitAsync(Bound, TestContext.Current.CancellationToken);
    }

    /// <summary>A test CA and the server certificates it issues, made in memory.</summary>
    internal sealed class TestPki : IDisposable
    {
        private TestPki(X509Certificate2 ca) => Ca = ca;

        public X509Certificate2 Ca { get; }

        public static TestPki Create()
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest("CN=MxResolver Test CA", key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
            var now = DateTimeOffset.UtcNow;
            return new TestPki(request.CreateSelfSigned(now.AddDays(-30), now.AddDays(30)));
        }

        /// <summary>A server certificate for <paramref name="name"/>, valid now or expired yesterday.</summary>
        public X509Certificate2 Issue(string name, bool expired)
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest("CN=" + name, key, HashAlgorithmName.SHA256);
            var san = new SubjectAlternativeNameBuilder();
            san.AddDnsName(name);
            request.CertificateExtensions.Add(san.Build());
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, false));
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
            var now = DateTimeOffset.UtcNow;
            (DateTimeOffset from, DateTimeOffset to) = expired ? (now.AddDays(-20), now.AddDays(-1)) : (now.AddDays(-1), now.AddDays(20));
            byte[] serial = RandomNumberGenerator.GetBytes(12);
            using var issued = request.Create(Ca, from, to, serial);
            return issued.CopyWithPrivateKey(key);
        }

        public void Dispose() => Ca.Dispose();
    }

    /// <summary>An Unbound (the shared zone) that also serves DNS over TLS on a second port.</summary>
    internal sealed class TlsUnbound : IAsyncDisposable
    {
        private readonly UnboundServer _server;
        private readonly string _directory;

        private TlsUnbound(UnboundServer server, string directory, IPEndPoint tlsEndPoint, X509Certificate2 certificate)
        {
            _server = server;
            _directory = directory;
            TlsEndPoint = tlsEndPoint;
            Certificate = certificate;
        }

        public IPEndPoint TlsEndPoint { get; }

        public X509Certificate2 Certificate { get; }

        public static async Task<TlsUnbound> StartAsync(X509Certificate2 ca, X509Certificate2 certificate)
        {
            string directory = Path.Combine(Path.GetTempPath(), "mxr-dot-" + Guid.NewGuid().ToString("N")[..12]);
            Directory.CreateDirectory(directory);
            string keyPath = Path.Combine(directory, "server.key");
            string pemPath = Path.Combine(directory, "server.pem");
            using (ECDsa key = certificate.GetECDsaPrivateKey()!)
            {
                await File.WriteAllTextAsync(keyPath, key.ExportPkcs8PrivateKeyPem());
            }

            // The server's certificate, then the issuer (the chain Unbound presents).
            await File.WriteAllTextAsync(pemPath, certificate.ExportCertificatePem() + "\n" + ca.ExportCertificatePem() + "\n");

            int tlsPort = UnboundServer.FindFreePort();
            var options = UnboundServerOptions.SharedZone();
            options.ExtraServerConfig.Add(string.Create(CultureInfo.InvariantCulture, $"interface: 127.0.0.1@{tlsPort}"));
            options.ExtraServerConfig.Add(string.Create(CultureInfo.InvariantCulture, $"tls-port: {tlsPort}"));
            options.ExtraServerConfig.Add($"tls-service-key: \"{keyPath}\"");
            options.ExtraServerConfig.Add($"tls-service-pem: \"{pemPath}\"");
            try
            {
                var server = await UnboundServer.StartAsync(options);
                return new TlsUnbound(server, directory, new IPEndPoint(IPAddress.Loopback, tlsPort), certificate);
            }
            catch
            {
                Directory.Delete(directory, recursive: true);
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _server.DisposeAsync();
            Certificate.Dispose();
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp directory must not fail a test.
            }
        }
    }
}
