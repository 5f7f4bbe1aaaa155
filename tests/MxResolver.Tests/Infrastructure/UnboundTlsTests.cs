using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MxResolver.Tests.Infrastructure;

/// <summary>Unbound's DNS over TLS (RFC 7858) with a certificate from a test CA made at start.</summary>
public sealed class UnboundTlsTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Query_OverTlsTrustingTheTestCa_AnswersFromTheSharedZone()
    {
        var ct = TestContext.Current.CancellationToken;
        var options = UnboundServerOptions.SharedZone();
        options.EnableTls = true;
        await using var server = await UnboundServer.StartAsync(options, ct);
        var defaultErrors = SslPolicyErrors.None;
        var trusted = false;

        using var tcp = new TcpClient();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Timeout);
        await tcp.ConnectAsync(server.TlsEndPoint, timeout.Token);
        await using var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false, (_, certificate, _, errors) =>
        {
            // What a client trusting only the system's roots would see, then the test CA as the one root.
            defaultErrors = errors;
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(server.TlsCaCertificate);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            trusted = certificate is X509Certificate2 leaf && chain.Build(leaf)
                && (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None;
            return trusted;
        });
        await tls.AuthenticateAsClientAsync(
            new SslClientAuthenticationOptions { TargetHost = UnboundServer.TlsServerName }, timeout.Token);

        var id = (ushort)RandomNumberGenerator.GetInt32(ushort.MaxValue + 1);
        await tls.WriteAsync(DnsMessageBuilder.FrameForTcp(DnsMessageBuilder.Query(id, "plain.mx.test.", DnsTypeCode.MX).AddOpt(1232).Build()), timeout.Token);
        var reply = DnsQueryInfo.Parse(await RawDnsClient.ReadTcpMessageAsync(tls, timeout.Token));

        Assert.True(trusted);
        Assert.Equal(SslPolicyErrors.RemoteCertificateChainErrors, defaultErrors);
        Assert.Equal(id, reply.Id);
        Assert.Equal(3, reply.Answers.Count(r => r.Type == DnsTypeCode.MX));
        Assert.True(File.Exists(server.TlsCaCertificatePath));
        Assert.NotEqual(server.EndPoint.Port, server.TlsEndPoint.Port);
    }

    [Fact]
    public async Task TlsEndPoint_WithoutEnableTls_Throws()
    {
        await using var server = await UnboundServer.StartAsync(UnboundServerOptions.SharedZone(), TestContext.Current.CancellationToken);

        Assert.Throws<InvalidOperationException>(() => server.TlsEndPoint);
    }
}
