using Microsoft.Extensions.DependencyInjection;
using MxResolver;

namespace MxLookup;

/// <summary><c>mxlookup</c>: where does mail for these domains go? Run <c>mxlookup --help</c>.</summary>
internal static class Program
{
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
            using var stdin = new StreamReader(Console.OpenStandardInput(), System.Text.Encoding.UTF8);
            var console = new CommandConsole(stdin, Console.Out, Console.Error, !Console.IsErrorRedirected, !Console.IsOutputRedirected);
            return await RunAsync(args, console, interrupted.Token).ConfigureAwait(false);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>Runs the command with no standard input, and neither output a terminal (no progress).</summary>
    internal static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
        => RunAsync(args, new CommandConsole(TextReader.Null, stdout, stderr), cancellationToken);

    /// <summary>Runs the command: the whole of <c>mxlookup</c> except the console and Ctrl+C wiring.</summary>
    /// <param name="args">The arguments, without the program name.</param>
    /// <param name="console">The streams, and whether they are terminals.</param>
    /// <param name="cancellationToken">Stops the lookups (Ctrl+C).</param>
    /// <returns>The exit code (<see cref="ExitCodes"/>).</returns>
    internal static async Task<int> RunAsync(string[] args, CommandConsole console, CancellationToken cancellationToken)
    {
        TextWriter stdout = console.Out;
        TextWriter stderr = console.Error;
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

        if (options.Security)
        {
            return await RunSecurityAsync(options, stdout, stderr, cancellationToken).ConfigureAwait(false);
        }

        return options.InputFile is { } path
            ? await RunListAsync(resolver, options, path, console, cancellationToken).ConfigureAwait(false)
            : await RunArgumentsAsync(resolver, options, stdout, stderr, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>--security</c>: each input through <see cref="IMxSecurityResolver"/>, taken from the same
    /// container an application would use (<c>AddMxResolver</c>), printed in input order.
    /// </summary>
    private static async Task<int> RunSecurityAsync(CommandLineOptions options, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        MxResolverOptions settings = options.ToResolverOptions();
        var services = new ServiceCollection();
        services.AddMxResolver(configured => Copy(settings, configured));
        await using ServiceProvider provider = services.BuildServiceProvider();
        IMxSecurityResolver security = provider.GetRequiredService<IMxSecurityResolver>();
        int worst = 0;
        try
        {
            for (int i = 0; i < options.Inputs.Count; i++)
            {
                MxSecureResolution secure = await security.ResolveSecureAsync(options.Inputs[i], cancellationToken).ConfigureAwait(false);
                if (options.Json)
                {
                    SecurityPrinter.WriteJson(stdout, secure);
                }
                else
                {
                    Print(options, secure.Resolution, separate: i > 0, stdout);
                    SecurityPrinter.WriteText(stdout, secure);
                }

                worst = Math.Max(worst, ExitCodes.Severity(secure.Resolution));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            stderr.WriteLine("mxlookup: interrupted");
            return ExitCodes.Cancelled;
        }

        return ExitCodes.FromSeverity(worst);
    }

    private static void Copy(MxResolverOptions from, MxResolverOptions to)
    {
        to.UseTcpOnly = from.UseTcpOnly;
        to.AddressFamily = from.AddressFamily;
        to.AllowIPLiteralExchanges = from.AllowIPLiteralExchanges;
        to.ResolutionTimeout = from.ResolutionTimeout;
        to.BlockedAddresses = from.BlockedAddresses;
        foreach (string server in from.NameServers)
        {
            to.NameServers.Add(server);
        }

        foreach (string name in from.LocalHostNames)
        {
            to.LocalHostNames.Add(name);
        }
    }

    /// <summary>Inputs given as arguments: results in input order, bad input also reported on stderr.</summary>
    private static async Task<int> RunArgumentsAsync(IMxResolver resolver, CommandLineOptions options, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var bulk = new MxBulkResolutionOptions { MaxConcurrency = options.Concurrency, PreserveOrder = true };
        int worst = 0;
        try
        {
            await foreach (MxBulkResult item in resolver.ResolveManyAsync(options.Inputs, bulk, cancellationToken).ConfigureAwait(false))
            {
                Print(options, item.Resolution, separate: item.Index > 0, stdout);
                if (item.Resolution.Status == MxResolutionStatus.InvalidInput)
                {
                    // Bad input is a usage error too (exit 64): say so where errors go, in one line.
                    stderr.WriteLine($"mxlookup: {item.Resolution.Error}");
                }

                worst = Math.Max(worst, Severity(item, stderr));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            stderr.WriteLine("mxlookup: interrupted");
            return ExitCodes.Cancelled;
        }

        return ExitCodes.FromSeverity(worst);
    }

    /// <summary>
    /// <c>--file</c>: inputs streamed from a file or standard input, results written as they
    /// complete (or in input order with <c>--ordered</c>), progress on a terminal, a summary at the end.
    /// Memory stays flat whatever the length of the list: a line is read when the window has room,
    /// and a result is written and dropped, only its status counted.
    /// </summary>
    private static async Task<int> RunListAsync(IMxResolver resolver, CommandLineOptions options, string path, CommandConsole console, CancellationToken cancellationToken)
    {
        TextWriter stdout = console.Out;
        TextWriter stderr = console.Error;
        bool stdin = path == "-";
        TextReader reader;
        long? total = null;
        try
        {
            reader = stdin ? console.In : InputFile.Open(path);

            // The total is known only for a file, and counted only when someone will see it.
            if (!stdin && console.ErrorIsTerminal)
            {
                total = await InputFile.CountAsync(path, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"mxlookup: cannot read --file '{path}': {e.Message}");
            return ExitCodes.NoInput;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            stderr.WriteLine("mxlookup: interrupted");
            return ExitCodes.Cancelled;
        }

        var progress = new ListProgress(stderr, console.ErrorIsTerminal, console.OutputIsTerminal, total, console.Time);
        var bulk = new MxBulkResolutionOptions { MaxConcurrency = options.Concurrency, PreserveOrder = options.Ordered };
        int worst = 0;
        try
        {
            IAsyncEnumerable<string> inputs = InputFile.ReadAsync(reader, cancellationToken);
            await foreach (MxBulkResult item in resolver.ResolveManyAsync(inputs, bulk, cancellationToken).ConfigureAwait(false))
            {
                progress.BeforeOutput();
                Print(options, item.Resolution, separate: progress.Done > 0, stdout);
                worst = Math.Max(worst, Severity(item, stderr));
                progress.Add(item.Resolution.Status);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            progress.Finish();
            stderr.WriteLine("mxlookup: interrupted");
            return ExitCodes.Cancelled;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Reading failed part way: the results of what was read have been written.
            progress.Finish();
            stderr.WriteLine($"mxlookup: cannot read --file '{path}': {e.Message}");
            return ExitCodes.NoInput;
        }
        finally
        {
            if (!stdin)
            {
                reader.Dispose();
            }
        }

        progress.Finish();
        return ExitCodes.FromSeverity(worst);
    }

    /// <summary>The severity of one result for the exit code; an exception the resolver threw is a bug, reported in one line.</summary>
    private static int Severity(MxBulkResult item, TextWriter stderr)
    {
        if (item.Exception is { } e)
        {
            // Results are values, so this is a bug; one line, never a stack trace, and the list goes on.
            stderr.WriteLine($"mxlookup: unexpected error: {e.GetType().Name}: {e.Message}");
            return 4;
        }

        return ExitCodes.Severity(item.Resolution);
    }

    private static void Print(CommandLineOptions options, MxResolution result, bool separate, TextWriter stdout)
    {
        if (options.Json)
        {
            ResolutionPrinter.WriteJson(stdout, result);
        }
        else
        {
            if (separate)
            {
                stdout.WriteLine();
            }

            ResolutionPrinter.WriteText(stdout, result);
        }
    }

    private static string WithoutParameterName(ArgumentException e)
        => e.ParamName is { } name ? e.Message.Replace($" (Parameter '{name}')", string.Empty, StringComparison.Ordinal) : e.Message;
}
