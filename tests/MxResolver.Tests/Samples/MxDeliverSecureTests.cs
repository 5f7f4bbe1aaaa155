using System.Globalization;
using MxResolver.Tests.Infrastructure;

namespace MxResolver.Tests.Samples;

// Behaviour rules R31, R32, R33, R37 (docs/behaviour.md, "Secure delivery").

/// <summary>
/// <c>mxdeliver</c> under the security policy, end to end and in process: DNSSEC-signed MX, A and
/// TLSA records from a validating Unbound, MailKit to real SMTP servers on loopback
/// (<see cref="SecureMailLab"/>). The tests of one class run one after another, so each compares
/// what a server received before and after its own run.
/// </summary>
public sealed class MxDeliverSecureTests(SecureMailLabFixture fixture) : IClassFixture<SecureMailLabFixture>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private SecureMailLab Lab => fixture.Lab;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private string Port => Lab.SmtpPort.ToString(CultureInfo.InvariantCulture);

    private async Task<(int ExitCode, string Stdout, string Stderr)> DeliverAsync(string domain, params string[] extra)
    {
        string[] args =
        [
            "--from", "sender@client.test", "--to", "rcpt@" + domain, "--subject", "Secure delivery test", "--body", "Hello under the policy.",
            "--server", Lab.Dns.EndPoint.ToString(), "--port", Port, "--allow-loopback", "--greeting-timeout", "10", "--timeout", "45",
            .. extra,
        ];
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exitCode = await MxDeliver.Program.RunAsync(args, stdout, stderr, Token).WaitAsync(Bound, Token);
        return (exitCode, stdout.ToString(), stderr.ToString());
    }

    /// <summary>What a server has received so far: messages, and MAIL commands (a message that got as far as the envelope).</summary>
    private static (int Messages, int Mail, int StartTls) Seen(StartTlsSmtpServer server)
    {
        IReadOnlyList<string> commands = server.Commands;
        return (server.Messages.Count, commands.Count(c => c == "MAIL"), commands.Count(c => c == "STARTTLS"));
    }

    private static void AssertReceivedOne(StartTlsSmtpServer server, (int Messages, int Mail, int StartTls) before, bool overTls)
    {
        Assert.Equal(before.Messages + 1, server.Messages.Count);
        (IReadOnlyList<string> recipients, string text, bool tls) = server.Messages[^1];
        Assert.Equal(overTls, tls);
        Assert.Contains("Hello under the policy.", text, StringComparison.Ordinal);
        Assert.Single(recipients);
    }

    private static void AssertNothingSent(StartTlsSmtpServer server, (int Messages, int Mail, int StartTls) before)
    {
        (int messages, int mail, _) = Seen(server);
        Assert.Equal(before.Messages, messages);
        Assert.Equal(before.Mail, mail);
    }

    [Fact]
    public async Task RunAsync_DaneTlsaMatchesTheCertificate_DeliveredOverTls()
    {
        // Secure MX and A, a DANE-EE 3 1 1 record at _<port>._tcp.mx.lab.test naming the server's key.
        var before = Seen(Lab.Matching);

        (int exitCode, string stdout, string stderr) = await DeliverAsync(SecureMailLab.Domain);

        Assert.True(exitCode == 0, stderr + stdout);
        AssertReceivedOne(Lab.Matching, before, overTls: true);
        Assert.Contains($"attempt: mx.lab.test (preference 10) 127.0.0.1:{Port}: Succeeded after ", stdout, StringComparison.Ordinal);
        Assert.Contains("[tls dane]", stdout, StringComparison.Ordinal);
        Assert.Contains($"delivered: mx.lab.test (preference 10) 127.0.0.1 port {Port}: Ok", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_DaneTlsaDoesNotMatch_NeverSentTemporary75()
    {
        var before = Seen(Lab.Mismatching);

        (int exitCode, string stdout, string stderr) = await DeliverAsync(SecureMailLab.MismatchDomain);

        Assert.Equal(75, exitCode);
        Assert.Contains("temporary failure 4.4.1", stderr, StringComparison.Ordinal);
        AssertNothingSent(Lab.Mismatching, before);
        Assert.Equal(before.StartTls + 1, Seen(Lab.Mismatching).StartTls); // it got as far as the handshake
        Assert.Contains("mx-bad.lab.test (preference 10) 127.0.0.2", stdout, StringComparison.Ordinal);
        Assert.Contains("OperationFailed", stdout, StringComparison.Ordinal);
        Assert.Contains("TLS required (Dane), message not sent to this host: dane-no-match", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("delivered:", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_DaneHostOffersNoStartTls_NeverSentTemporary75()
    {
        var before = Seen(Lab.Plain);

        (int exitCode, string stdout, string stderr) = await DeliverAsync(SecureMailLab.NoStartTlsDomain);

        Assert.Equal(75, exitCode);
        Assert.Contains("temporary failure 4.4.1", stderr, StringComparison.Ordinal);
        AssertNothingSent(Lab.Plain, before);
        Assert.Contains("starttls-not-supported", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_FirstExchangerFailsDane_NextExchangerGetsTheMessage()
    {
        // RFC 7672 §2.2: a DANE failure is that host's; the sender moves on to the next MX.
        var badBefore = Seen(Lab.Mismatching);
        var goodBefore = Seen(Lab.Matching);

        (int exitCode, string stdout, string stderr) = await DeliverAsync(SecureMailLab.FailoverDomain);

        Assert.True(exitCode == 0, stderr + stdout);
        AssertNothingSent(Lab.Mismatching, badBefore);
        AssertReceivedOne(Lab.Matching, goodBefore, overTls: true);
        string[] attempts = stdout.Split('\n').Where(line => line.StartsWith("attempt: ", StringComparison.Ordinal)).ToArray();
        Assert.Equal(2, attempts.Length);
        Assert.Contains("mx-bad.lab.test (preference 10)", attempts[0], StringComparison.Ordinal);
        Assert.Contains("dane-no-match", attempts[0], StringComparison.Ordinal);
        Assert.Contains("mx.lab.test (preference 20)", attempts[1], StringComparison.Ordinal);
        Assert.Contains("Succeeded", attempts[1], StringComparison.Ordinal);
        Assert.Contains("delivered: mx.lab.test (preference 20)", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_TlsaLookupFails_TargetSkippedWithTheReasonNextOneDelivers()
    {
        // R32: a failed TLSA lookup means the host is not attempted now; the attempt log says why.
        var before = Seen(Lab.Matching);

        (int exitCode, string stdout, string stderr) = await DeliverAsync(SecureMailLab.SkipDomain);

        Assert.True(exitCode == 0, stderr + stdout);
        string skipped = Assert.Single(stdout.Split('\n'), line => line.Contains("mx-skip.lab.test", StringComparison.Ordinal));
        // Nothing listens on mx-skip's address: a connection would have been Refused, not SkippedByPolicy.
        Assert.StartsWith($"attempt: mx-skip.lab.test (preference 10) 127.0.0.4:{Port}: SkippedByPolicy after ", skipped, StringComparison.Ordinal);
        Assert.Contains("The TLSA lookup for mx-skip.lab.test failed", skipped, StringComparison.Ordinal);
        Assert.DoesNotContain("[tls", skipped, StringComparison.Ordinal); // never handed to the delivery
        AssertReceivedOne(Lab.Matching, before, overTls: true);
        Assert.Contains("delivered: mx.lab.test (preference 20)", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_UnsignedDomain_OpportunisticPlaintextWhenNoStartTls()
    {
        // R37: no DNSSEC, so no DANE: a server without STARTTLS gets the message in plaintext.
        var before = Seen(Lab.Plain);

        (int exitCode, string stdout, string stderr) = await DeliverAsync(SecureMailLab.UnsignedDomain);

        Assert.True(exitCode == 0, stderr + stdout);
        AssertReceivedOne(Lab.Plain, before, overTls: false);
        Assert.Contains("[tls opportunistic]", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_NoPolicy_TlsaIgnoredAndDeliveredOpportunistically()
    {
        // --no-policy: the mismatching TLSA record is never looked at, any certificate will do.
        var before = Seen(Lab.Mismatching);

        (int exitCode, string stdout, string stderr) = await DeliverAsync(SecureMailLab.MismatchDomain, "--no-policy");

        Assert.True(exitCode == 0, stderr + stdout);
        AssertReceivedOne(Lab.Mismatching, before, overTls: true);
        Assert.Contains("[tls opportunistic]", stdout, StringComparison.Ordinal);
    }
}
