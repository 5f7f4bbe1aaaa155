using System.Globalization;
using System.Runtime.InteropServices;
using MxResolver.Testing;

namespace MxResolver.Lab;

/// <summary>
/// Starts <see cref="SecureMailLab"/> (a validating Unbound serving the signed zone <c>lab.test</c>,
/// SMTP servers on 127.0.0.1-3), prints the commands to try against it and every message the servers
/// receive, and stops on Ctrl+C. Needs Unbound and bind9-utils (<c>apt-get install unbound bind9-utils</c>).
/// </summary>
internal static class Program
{
    private static async Task<int> Main()
    {
        using var stop = new CancellationTokenSource();

        // Ctrl+C or a plain kill: stop cleanly, so Unbound (a child process) and the temporary files go too.
        Action<PosixSignalContext> onSignal = context =>
        {
            context.Cancel = !stop.IsCancellationRequested;
            stop.Cancel();
        };
        using PosixSignalRegistration interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, onSignal);
        using PosixSignalRegistration terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, onSignal);

        SecureMailLab lab;
        try
        {
            using var starting = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
            starting.CancelAfter(TimeSpan.FromSeconds(60));
            lab = await SecureMailLab.StartAsync(starting.Token);
        }
        catch (InvalidOperationException e)
        {
            Console.Error.WriteLine($"mxlab: {e.Message}");
            return 1;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("mxlab: interrupted while starting");
            return 130;
        }

        await using (lab)
        {
            Watch(lab.Matching, "mx.lab.test");
            Watch(lab.Mismatching, "mx-bad.lab.test");
            Watch(lab.Plain, "mx-plain.lab.test / mx.open.test");
            Console.Write(Describe(lab));
            Console.Out.Flush();
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token);
            }
            catch (OperationCanceledException)
            {
                Console.WriteLine("mxlab: stopping");
            }
        }

        return 0;
    }

    private static void Watch(StartTlsSmtpServer server, string name) =>
        server.MessageReceived += (recipients, overTls) =>
            Console.WriteLine($"[{name} {server.EndPoint}] received a message for {string.Join(", ", recipients)} {(overTls ? "over TLS" : "in plaintext")}");

    private static string Describe(SecureMailLab lab)
    {
        string dns = lab.Dns.EndPoint.ToString();
        string port = lab.SmtpPort.ToString(CultureInfo.InvariantCulture);
        string deliver = $"dotnet run --project samples/MxDeliver -- --server {dns} --port {port} --allow-loopback --from me@client.test --subject hello --to";
        return $"""
            Secure-delivery lab on loopback (Ctrl+C stops it)

              DNS   {dns}  validating Unbound; lab.test signed at start (trust anchor: its key), open.test unsigned
              SMTP  127.0.0.1:{port}  mx.lab.test        STARTTLS, certificate matches TLSA {lab.MatchingTlsa[..22]}...
                    127.0.0.2:{port}  mx-bad.lab.test    STARTTLS, TLSA names another key
                    127.0.0.3:{port}  mx-plain.lab.test  no STARTTLS (TLSA published); also mx.open.test
                    127.0.0.4:{port}  mx-skip.lab.test   nothing listens; its TLSA lookup fails (SERVFAIL)

              domains: lab.test (DANE), failover.lab.test (mx-bad, then mx), bad.lab.test (mx-bad only),
                       plain.lab.test (mx-plain only), skip.lab.test (mx-skip, then mx), open.test (unsigned)

            Try (from the repository root):

              dotnet run --project samples/MxLookup -- --server {dns} --allow-loopback --security lab.test failover.lab.test skip.lab.test
              {deliver} you@lab.test
              {deliver} you@failover.lab.test
              {deliver} you@bad.lab.test
              {deliver} you@plain.lab.test
              {deliver} you@skip.lab.test
              {deliver} you@open.test
              {deliver} you@bad.lab.test --no-policy

            Messages the servers receive are shown below.

            """;
    }
}
