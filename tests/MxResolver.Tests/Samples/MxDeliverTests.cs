using MxResolver.Tests.Failover;
using MxResolver.Tests.Infrastructure;

namespace MxResolver.Tests.Samples;

/// <summary>The <c>mxdeliver</c> sample in process: MailKit through the connector to loopback hosts.</summary>
public sealed class MxDeliverTests(UnboundFixture unbound)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exitCode = await MxDeliver.Program.RunAsync(args, stdout, stderr, Token).WaitAsync(Bound, Token);
        return (exitCode, stdout.ToString(), stderr.ToString());
    }

    private string[] Args(string to, int port) =>
    [
        "--from", "sender@client.test", "--to", to, "--subject", "Failover test", "--body", "Hello through four exchangers.",
        "--server", unbound.EndPoint.ToString(), "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "--allow-loopback", "--greeting-timeout", "1", "--timeout", "45",
    ];

    [Fact]
    public async Task RunAsync_FailoverDomain_DeliversToTheRealServerAfterTheFailures()
    {
        // R20 R21: refused, silent and 421 are passed over; the SMTP server receives the message.
        await using FailoverHosts hosts = await FailoverHosts.StartAsync();

        (int exitCode, string stdout, string stderr) = await RunAsync(Args("rcpt@failover.mx.test", hosts.Port));

        Assert.True(exitCode == 0, stderr);
        (IReadOnlyList<string> recipients, string text) = Assert.Single(hosts.SmtpServer!.Messages);
        Assert.Equal(["rcpt@failover.mx.test"], recipients);
        Assert.Contains("Subject: Failover test", text, StringComparison.Ordinal);
        Assert.Contains("Hello through four exchangers.", text, StringComparison.Ordinal);
        Assert.Contains("delivered: smtp.failover.mx.test (preference 40) 127.0.0.5", stdout, StringComparison.Ordinal);
        Assert.Contains("refused.failover.mx.test (preference 10)", stdout, StringComparison.Ordinal);
        Assert.Contains("busy.failover.mx.test (preference 30)", stdout, StringComparison.Ordinal);
        Assert.Contains("OperationFailed after", stdout, StringComparison.Ordinal);
        Assert.Contains(": 421 ", stdout, StringComparison.Ordinal);
        Assert.Contains("No SMTP greeting within 1 s", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_NoExchangerAccepts_Temporary75()
    {
        // R23: every exchanger failed -> retry later.
        await using FailoverHosts hosts = await FailoverHosts.StartAsync(withSmtpServer: false);

        (int exitCode, _, string stderr) = await RunAsync(Args("rcpt@failover.mx.test", hosts.Port));

        Assert.Equal(75, exitCode);
        Assert.Contains("4.4.1", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_NullMx_Permanent68()
    {
        // R8: the domain accepts no mail.
        (int exitCode, string stdout, string stderr) = await RunAsync(Args("rcpt@null-mx.mx.test", 25));

        Assert.Equal(68, exitCode);
        Assert.Contains("5.1.10", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("attempt:", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--from", "a@b.test", "--subject", "s")]
    [InlineData("--from", "a@b.test", "--to", "not-an-address", "--subject", "s")]
    [InlineData("--from", "a@b.test", "--to", "c@d.test", "--subject", "s", "--port", "0")]
    [InlineData("--bogus", "x")]
    public async Task RunAsync_BadArguments_Usage64(params string[] args)
    {
        (int exitCode, _, string stderr) = await RunAsync(args);

        Assert.Equal(64, exitCode);
        Assert.StartsWith("mxdeliver: ", stderr, StringComparison.Ordinal);
    }
}
