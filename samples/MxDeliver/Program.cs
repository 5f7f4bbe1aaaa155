using MailKit.Net.Smtp;
using MimeKit;
using MxResolver;

namespace MxDeliver;

/// <summary><c>mxdeliver</c>: send one message straight to the recipient's mail exchangers. Run <c>mxdeliver --help</c>.</summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        using var interrupted = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            // The first Ctrl+C stops the delivery and lets the command finish cleanly.
            e.Cancel = !interrupted.IsCancellationRequested;
            interrupted.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            return await RunAsync(args, Console.Out, Console.Error, interrupted.Token).ConfigureAwait(false);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>Runs the command: the whole of <c>mxdeliver</c> except the console and Ctrl+C wiring.</summary>
    /// <param name="args">The arguments, without the program name.</param>
    /// <param name="stdout">Where the outcome and the attempt log (and <c>--help</c>) go.</param>
    /// <param name="stderr">Where one-line errors go.</param>
    /// <param name="cancellationToken">Stops the delivery (Ctrl+C).</param>
    /// <returns>The exit code (<see cref="ExitCodes"/>).</returns>
    internal static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (!CommandLineOptions.TryParse(args, out CommandLineOptions options, out string? usageError))
        {
            stderr.WriteLine($"mxdeliver: {usageError} (see mxdeliver --help)");
            return ExitCodes.Usage;
        }

        if (options.ShowHelp)
        {
            stdout.Write(CommandLineOptions.HelpText);
            return ExitCodes.Success;
        }

        MxResolverOptions resolverOptions = options.ToResolverOptions();
        MailExchangeResolver resolver;
        try
        {
            resolver = new MailExchangeResolver(resolverOptions);
        }
        catch (ArgumentException e)
        {
            stderr.WriteLine($"mxdeliver: {e.Message}");
            return ExitCodes.Usage;
        }
        catch (InvalidOperationException)
        {
            stderr.WriteLine("mxdeliver: the system names no DNS server (/etc/resolv.conf); give one with --server <ip>[:<port>]");
            return ExitCodes.Configuration;
        }

        using (var connector = new MxConnector(resolver, resolverOptions.Failover))
        {
            var message = new MimeMessage();
            message.From.Add(options.From);
            message.To.Add(options.To);
            message.Subject = options.Subject;
            message.Body = new TextPart("plain") { Text = options.Body };

            MxFailoverResult<string> result;
            try
            {
                result = await connector.ExecuteAsync(
                    options.RecipientDomain,
                    (destination, token) => SmtpDelivery.SendAsync(message, destination, resolverOptions.Failover, token),
                    SmtpDelivery.IsRetryable,
                    options.Port,
                    cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                stderr.WriteLine("mxdeliver: interrupted");
                return ExitCodes.Cancelled;
            }
            catch (SmtpCommandException e)
            {
                // The server answered for the message itself (sender, recipient, data): no other exchanger is tried.
                bool permanent = (int)e.StatusCode >= 500;
                stderr.WriteLine($"mxdeliver: {(permanent ? "rejected" : "deferred")}: {(int)e.StatusCode} {e.Message}");
                return permanent ? ExitCodes.PermanentFailure : ExitCodes.TemporaryFailure;
            }

            foreach (MxAttempt attempt in result.Attempts)
            {
                stdout.WriteLine($"attempt: {attempt}");
            }

            if (result.IsSuccess)
            {
                stdout.WriteLine($"delivered: {result.Target.Host} (preference {result.Target.Preference}) {result.Address} port {options.Port}: {result.Value}");
                return ExitCodes.Success;
            }

            stderr.WriteLine($"mxdeliver: {(result.IsPermanentFailure ? "permanent" : "temporary")} failure {result.EnhancedStatusCode}: {result.Error}");
            return result.IsPermanentFailure ? ExitCodes.PermanentFailure : ExitCodes.TemporaryFailure;
        }
    }
}
