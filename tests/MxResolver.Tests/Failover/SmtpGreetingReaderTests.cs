using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using MxResolver.Failover;

namespace MxResolver.Tests.Failover;

public sealed class SmtpGreetingReaderTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("220 mx.example.test ESMTP", MxAttemptOutcome.Succeeded)]
    [InlineData("220", MxAttemptOutcome.Succeeded)]
    [InlineData("421 busy, try later", MxAttemptOutcome.GreetingRejected)]
    [InlineData("554 no SMTP service here", MxAttemptOutcome.GreetingRejected)]
    [InlineData("250 hello?", MxAttemptOutcome.GreetingInvalid)]
    [InlineData("SSH-2.0-OpenSSH_9.2", MxAttemptOutcome.GreetingInvalid)]
    [InlineData("22", MxAttemptOutcome.GreetingInvalid)]
    [InlineData("220x", MxAttemptOutcome.GreetingInvalid)]
    public void Interpret_OneLine_Verdict(string line, MxAttemptOutcome expected)
    {
        // R21: 220 wins; 4xx/5xx moves on; anything else is not an SMTP greeting.
        Assert.Equal(expected, SmtpGreetingReader.Interpret([line])!.Value.Outcome);
    }

    [Fact]
    public void Interpret_Continuation_WaitsForTheLastLine()
    {
        // R21, RFC 5321 §4.2.1: "220-" lines continue, "220 " ends; codes must agree.
        Assert.Null(SmtpGreetingReader.Interpret(["220-mx.example.test"]));
        Assert.Equal(MxAttemptOutcome.Succeeded, SmtpGreetingReader.Interpret(["220-mx.example.test", "220 ready"])!.Value.Outcome);
        Assert.Equal(MxAttemptOutcome.GreetingInvalid, SmtpGreetingReader.Interpret(["220-mx.example.test", "421 bye"])!.Value.Outcome);
    }

    [Theory]
    [InlineData("220-first\r\n220-second\r\n220 last\r\n", MxAttemptOutcome.Succeeded, 3)]
    [InlineData("220-first\n220 bare line feeds\n", MxAttemptOutcome.Succeeded, 2)]
    [InlineData("421-going\r\n421 away\r\n", MxAttemptOutcome.GreetingRejected, 2)]
    [InlineData("220-first line, then the server hangs up\r\n", MxAttemptOutcome.GreetingInvalid, 1)]
    [InlineData("", MxAttemptOutcome.GreetingInvalid, 0)]
    public async Task ReadAsync_OverASocket_ReadsTheWholeGreeting(string sent, MxAttemptOutcome expected, int lines)
    {
        // R21: multi-line greetings arrive in pieces; a close before the end is not a greeting.
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listener.LocalEndPoint!, Token);
        using (Socket server = await listener.AcceptAsync(Token))
        {
            foreach (byte b in Encoding.ASCII.GetBytes(sent))
            {
                await server.SendAsync(new[] { b }, SocketFlags.None, Token); // one byte at a time
            }

            server.Shutdown(SocketShutdown.Send);
        }

        SmtpGreeting greeting = await SmtpGreetingReader.ReadAsync(client, TimeSpan.FromSeconds(30), TimeProvider.System, Token).WaitAsync(TimeSpan.FromSeconds(30), Token);

        Assert.Equal(expected, greeting.Outcome);
        Assert.Equal(lines, greeting.Lines.Count);
    }

    [Fact]
    public async Task ReadAsync_Silence_TimesOutOnTheProvidedClock()
    {
        // R21: silence past the greeting timeout moves on.
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listener.LocalEndPoint!, Token);
        using Socket server = await listener.AcceptAsync(Token);
        var time = new FakeTimeProvider();

        Task<SmtpGreeting> pending = SmtpGreetingReader.ReadAsync(client, TimeSpan.FromSeconds(20), time, Token);
        time.Advance(TimeSpan.FromSeconds(20));
        SmtpGreeting greeting = await pending.WaitAsync(TimeSpan.FromSeconds(30), Token);

        Assert.Equal(MxAttemptOutcome.GreetingTimedOut, greeting.Outcome);
    }
}
