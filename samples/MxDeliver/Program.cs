using MailKit.Net.Smtp;
using Microsoft.Extensions.DependencyInjection;
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
        try
        {
            // Settings checked the way they always were (same rules as the container's, one-line messages).
            _ = new MailExchangeResolver(resolverOptions);
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

        // The connector an application would use: from AddMxResolver, with the security resolver behind ExecuteSecureAsync.
        var services = new ServiceCollection();
        services.AddMxResolver(options.Configure);
        await using ServiceProvider provider = services.BuildServiceProvider();
        IMxConnector connector = provider.GetRequiredService<IMxConnector>();

        var message = new MimeMessage();
        message.From.Add(options.From);
        message.To.Add(options.To);
        message.Subject = options.Subject;
        message.Body = new TextPart("plain") { Text = options.Body };

        var policy = new DeliveryPolicy(new DaneVerifier());

        // The requirement each attempt was held to, by attempt number, for the attempt log.
        var requirements = new Dictionary<int, TlsRequirement>();
        Func<MxDestination, CancellationToken, ValueTask<string>> deliver = (destination, token) =>
        {
            DeliveryTls tls = policy.For(destination.Security);
            lock (requirements)
            {
                requirements[destination.AttemptNumber] = tls.Requirement;
            }

            return SmtpDelivery.SendAsync(message, destination, tls, resolverOptions.Failover, token);
        };

        MxFailoverResult<string> result;
        try
        {
            result = options.NoPolicy
                ? await connector.ExecuteAsync(options.RecipientDomain, deliver, SmtpDelivery.IsRetryable, options.Port, cancellationToken).ConfigureAwait(false)
                : await connector.ExecuteSecureAsync(options.RecipientDomain, deliver, SmtpDelivery.IsRetryable, options.Port, cancellationToken).ConfigureAwait(false);
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

        for (int i = 0; i < result.Attempts.Count; i++)
        {
            // Attempt numbers count from 1 in the order attempts start, skipped targets included.
            string tls = requirements.TryGetValue(i + 1, out TlsRequirement requirement) ? $" [tls {Name(requirement)}]" : string.Empty;
            stdout.WriteLine($"attempt: {result.Attempts[i]}{tls}");
        }

        if (result.IsSuccess)
        {
            stdout.WriteLine($"delivered: {result.Target.Host} (preference {result.Target.Preference}) {result.Address} port {options.Port}: {result.Value}");
            return ExitCodes.Success;
        }

        stderr.WriteLine($"mxdeliver: {(result.IsPermanentFailure ? "permanent" : "temporary")} failure {result.EnhancedStatusCode}: {result.Error}");
        return result.IsPermanentFailure ? ExitCodes.PermanentFailure : ExitCodes.TemporaryFailure;
    }

    /// <summary>The requirement as the attempt log names it.</summary>
    private static string Name(TlsRequirement requirement) => requirement switch
    {
        TlsRequirement.Dane => "dane",
        TlsRequirement.MtaSts => "mta-sts",
        TlsRequirement.MandatoryUnauthenticated => "mandatory",
        _ => "opportunistic",
    };
}
