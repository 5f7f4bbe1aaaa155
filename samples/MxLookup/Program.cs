using MxResolver;

namespace MxLookup;

/// <summary><c>mxlookup</c>: where does mail for these domains go? Run <c>mxlookup --help</c>.</summary>
internal static class Program
{
    // Inputs are resolved concurrently, a few at a time, and printed in the order given.
    private const int MaxConcurrentResolutions = 8;

    private static async Task<int> Main(string[] args)
    {
        using var interrupted = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            // The first Ctrl+C stops the lookups and lets the command finish cleanly; a second one
            // (while it is still finishing) ends the process the usual way.
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

    /// <summary>Runs the command: the whole of <c>mxlookup</c> except the console and Ctrl+C wiring.</summary>
    /// <param name="args">The arguments, without the program name.</param>
    /// <param name="stdout">Where results (and <c>--help</c>) go.</param>
    /// <param name="stderr">Where one-line errors go.</param>
    /// <param name="cancellationToken">Stops the lookups (Ctrl+C).</param>
    /// <returns>The exit code (<see cref="ExitCodes"/>).</returns>
    internal static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (!CommandLineOptions.TryParse(args, out CommandLineOptions options, out string? usageError))
        {
            stderr.WriteLine($"mxlookup: {usageError} (see mxlookup --help)");
            return ExitCodes.Usage;
        }

        if (options.ShowHelp)
        {
            stdout.Write(CommandLineOptions.HelpText);
            return ExitCodes.Success;
        }

        IMxResolver resolver;
        try
        {
            resolver = new MailExchangeResolver(options.ToResolverOptions());
        }
        catch (ArgumentException e)
        {
            // A --local-name the library rejects (R3), or any other setting out of range.
            stderr.WriteLine($"mxlookup: {WithoutParameterName(e)}");
            return ExitCodes.Usage;
        }
        catch (InvalidOperationException)
        {
            stderr.WriteLine("mxlookup: the system names no DNS server (/etc/resolv.conf); give one with --server <ip>[:<port>]");
            return ExitCodes.Configuration;
        }

        using var gate = new SemaphoreSlim(MaxConcurrentResolutions);
        Task<MxResolution>[] resolutions = options.Inputs.Select(input => ResolveAsync(resolver, input, gate, cancellationToken)).ToArray();
        try
        {
            for (int i = 0; i < resolutions.Length; i++)
            {
                MxResolution result = await resolutions[i].ConfigureAwait(false);
                Print(options, result, i, stdout, stderr);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await ((Task)Task.WhenAll(resolutions)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            stderr.WriteLine("mxlookup: interrupted");
            return ExitCodes.Cancelled;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Results are values, so this is a bug; still one line, never a stack trace.
            await ((Task)Task.WhenAll(resolutions)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            stderr.WriteLine($"mxlookup: unexpected error: {e.GetType().Name}: {e.Message}");
            return ExitCodes.Software;
        }

        return ExitCodes.For(resolutions.Select(task => task.Result));
    }

    private static async Task<MxResolution> ResolveAsync(IMxResolver resolver, string input, SemaphoreSlim gate, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await resolver.ResolveAsync(input, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    private static void Print(CommandLineOptions options, MxResolution result, int index, TextWriter stdout, TextWriter stderr)
    {
        if (options.Json)
        {
            ResolutionPrinter.WriteJson(stdout, result);
        }
        else
        {
            if (index > 0)
            {
                stdout.WriteLine();
            }

            ResolutionPrinter.WriteText(stdout, result);
        }

        if (result.Status == MxResolutionStatus.InvalidInput)
        {
            // Bad input is a usage error too (exit 64): say so where errors go, in one line.
            stderr.WriteLine($"mxlookup: {result.Error}");
        }
    }

    private static string WithoutParameterName(ArgumentException e)
        => e.ParamName is { } name ? e.Message.Replace($" (Parameter '{name}')", string.Empty, StringComparison.Ordinal) : e.Message;
}
