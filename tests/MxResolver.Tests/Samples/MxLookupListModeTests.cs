using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using MxLookup;
using MxResolver.Tests.Infrastructure;

namespace MxResolver.Tests.Samples;

/// <summary>
/// <c>mxlookup --file</c>: inputs streamed from a file or standard input against the shared
/// loopback Unbound, progress only on a terminal, a summary by status, the worst exit code.
/// </summary>
public sealed class MxLookupListModeTests(UnboundFixture unbound) : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    /// <summary>Inputs of every kind and the status each must get.</summary>
    private static readonly (string Input, string Status)[] Mixed =
    [
        ("plain.mx.test", "success"),
        ("implicit.mx.test", "implicit-mx"),
        ("nxdomain.mx.test", "no-such-domain"),
        ("null-mx.mx.test", "null-mx"),
        ("broken.mx.test", "temporary-failure"),
        ("bad..domain", "invalid-input"),
        ("user@bücher.mx.test", "success"),
        ("[192.0.2.1]", "success"),
    ];

    private readonly string _directory = Directory.CreateTempSubdirectory("mxlookup-list-").FullName;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private string Server => unbound.EndPoint.ToString();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task File_MixedStatuses_OneJsonLinePerInputASummaryAndTheWorstExitCode()
    {
        // 20 copies of each kind, shuffled, between comments and blank lines.
        string[] inputs = [.. Enumerable.Range(0, 20).SelectMany(_ => Mixed.Select(m => m.Input)).OrderBy(i => i.GetHashCode(StringComparison.Ordinal))];
        string path = WriteList("# a list\n\n" + string.Join("\n", inputs.Select((input, i) => i % 7 == 0 ? $"  {input}  \n# comment\n" : input)) + "\n");

        Run run = await RunAsync(new CommandConsole(TextReader.Null, new StringWriter(), new StringWriter()), "--server", Server, "--json", "--file", path);

        JsonElement[] results = run.JsonLines();
        Assert.Equal(inputs.Order(), results.Select(r => r.GetProperty("input").GetString()!).Order());
        Dictionary<string, string> expected = Mixed.ToDictionary(m => m.Input, m => m.Status);
        Assert.All(results, r => Assert.Equal(expected[r.GetProperty("input").GetString()!], r.GetProperty("status").GetString()));
        Assert.Equal(ExitCodes.Usage, run.ExitCode); // bad input outranks every other failure

        // No terminal: no progress, only the summary, counts in status order.
        string summary = Assert.Single(run.StderrLines);
        Assert.Matches(@"^mxlookup: 160 inputs in \d+:\d\d:\d\d \(\d+/s\): ", summary);
        Assert.EndsWith(": success 60, implicit-mx 20, null-mx 20, no-such-domain 20, temporary-failure 20, invalid-input 20", summary, StringComparison.Ordinal);
        Assert.DoesNotContain('\r', run.Stderr);
    }

    [Fact]
    public async Task File_Ordered_ResultsInInputOrder()
    {
        string[] inputs = [.. Enumerable.Range(0, 5).SelectMany(_ => Mixed.Select(m => m.Input))];
        string path = WriteList(string.Join("\n", inputs));

        Run run = await RunAsync(NewConsole(), "--server", Server, "--json", "--ordered", "--concurrency", "4", "--file", path);

        Assert.Equal(inputs, run.JsonLines().Select(r => r.GetProperty("input").GetString()));
    }

    [Fact]
    public async Task File_OnlySuccesses_ExitZeroAndTextBlocksWithoutJson()
    {
        string path = WriteList("plain.mx.test\nimplicit.mx.test\n");

        Run run = await RunAsync(NewConsole(), "--server", Server, "--file", path);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        string[] blocks = run.Stdout.ReplaceLineEndings("\n").TrimEnd('\n').Split("\n\n");
        Assert.Equal(2, blocks.Length);
        Assert.Contains(blocks, block => block.StartsWith("plain.mx.test: success", StringComparison.Ordinal));
        Assert.StartsWith("mxlookup: 2 inputs in ", Assert.Single(run.StderrLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stdin_Dash_ReadsTheInputsFromStandardInput()
    {
        var stdin = new StringReader("# from a pipe\nnxdomain.mx.test\n\nbroken.mx.test\r\nplain.mx.test\n");

        Run run = await RunAsync(NewConsole(stdin), "--server", Server, "--json", "--file", "-");

        Assert.Equal(["broken.mx.test", "nxdomain.mx.test", "plain.mx.test"], run.JsonLines().Select(r => r.GetProperty("input").GetString()).Order());
        Assert.Equal(ExitCodes.PermanentFailure, run.ExitCode);
        Assert.EndsWith(": success 1, no-such-domain 1, temporary-failure 1", Assert.Single(run.StderrLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task File_HundredThousandLines_StreamsThroughToTheEnd()
    {
        // Structural, not timed: every line gets its result, written as it comes and never kept
        // (the output only counts lines). The names repeat, so the resolver's cache answers most.
        const int Lines = 100_000;
        string path = Path.Combine(_directory, "large.txt");
        await using (var writer = new StreamWriter(path))
        {
            for (int i = 0; i < Lines; i++)
            {
                await writer.WriteLineAsync(Mixed[i % 4].Input);
            }
        }

        var stdout = new LineCountingWriter();
        var stderr = new StringWriter();
        int exitCode = await Program.RunAsync(["--server", Server, "--json", "--file", path], new CommandConsole(TextReader.Null, stdout, stderr), Token).WaitAsync(TimeSpan.FromMinutes(5), Token);

        Assert.Equal(Lines, stdout.Lines);
        Assert.Equal(ExitCodes.PermanentFailure, exitCode);
        Assert.EndsWith(": success 25000, implicit-mx 25000, null-mx 25000, no-such-domain 25000", stderr.ToString().TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task File_Missing_OneLineErrorExit66()
    {
        Run run = await RunAsync(NewConsole(), "--server", Server, "--file", Path.Combine(_directory, "absent.txt"));

        Assert.Equal(ExitCodes.NoInput, run.ExitCode);
        Assert.Equal(string.Empty, run.Stdout);
        string line = Assert.Single(run.StderrLines);
        Assert.StartsWith("mxlookup: cannot read --file '", line, StringComparison.Ordinal);
        Assert.Contains("absent.txt", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task File_Interrupted_SummaryThenInterruptedExit130()
    {
        await using var silent = new ScriptedDnsServer(_ => ScriptedResponse.Nothing);
        using var interrupt = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var stderr = new StringWriter();
        string path = WriteList("example.test\nother.test\n");

        Task<int> running = Program.RunAsync(["--server", silent.EndPoint.ToString(), "--file", path], new CommandConsole(TextReader.Null, new StringWriter(), stderr), interrupt.Token);
        Assert.True(await silent.WaitForQueriesAsync(1, Bound, Token));
        await interrupt.CancelAsync();

        Assert.Equal(ExitCodes.Cancelled, await running.WaitAsync(Bound, Token));
        Assert.Equal(["mxlookup: 0 inputs in", "mxlookup: interrupted"], stderr.ToString().ReplaceLineEndings("\n").TrimEnd('\n').Split('\n').Select(l => l.StartsWith("mxlookup: 0 inputs in", StringComparison.Ordinal) ? "mxlookup: 0 inputs in" : l));
    }

    // ---- progress ----

    [Fact]
    public async Task Progress_ErrorIsATerminal_RedrawnInPlaceThenErasedBeforeTheSummary()
    {
        string path = WriteList("plain.mx.test\nnxdomain.mx.test\nimplicit.mx.test\n");
        var stderr = new StringWriter();
        var console = new CommandConsole(TextReader.Null, new StringWriter(), stderr, ErrorIsTerminal: true, OutputIsTerminal: false)
        {
            Time = new FakeTimeProvider(),
        };

        int exitCode = await Program.RunAsync(["--server", Server, "--json", "--ordered", "--file", path], console, Token).WaitAsync(Bound, Token);

        // The clock stands still: drawn once (on the first result), erased, then the summary.
        Assert.Equal(ExitCodes.PermanentFailure, exitCode);
        Assert.Equal("\r\u001b[K1/3 33.3%  0/s  elapsed 0:00:00  success 1\r\u001b[Kmxlookup: 3 inputs in 0:00:00 (0/s): success 1, implicit-mx 1, no-such-domain 1", stderr.ToString().TrimEnd());
    }

    [Fact]
    public void ListProgress_RedrawsAtMostEvery200Milliseconds_AndMakesWayForResultsOnTheSameTerminal()
    {
        var time = new FakeTimeProvider();
        var stderr = new StringWriter();
        var progress = new ListProgress(stderr, show: true, stdoutIsTerminal: true, total: null, time);

        progress.Add(MxResolutionStatus.Success);   // first: drawn
        progress.Add(MxResolutionStatus.Success);   // too soon: not drawn
        time.Advance(TimeSpan.FromMilliseconds(200));
        progress.BeforeOutput();                    // a result is about to be printed: erased
        progress.Add(MxResolutionStatus.NullMx);    // drawn again (nothing on screen)
        progress.Finish();

        Assert.Equal(
            "\r\u001b[K1 done  0/s  elapsed 0:00:00  success 1"
            + "\r\u001b[K"
            + "\r\u001b[K3 done  15/s  elapsed 0:00:00  success 2, null-mx 1"
            + "\r\u001b[Kmxlookup: 3 inputs in 0:00:00 (15/s): success 2, null-mx 1" + Environment.NewLine,
            stderr.ToString());
    }

    [Fact]
    public void ListProgress_NotATerminal_OnlyTheSummary()
    {
        var stderr = new StringWriter();
        var progress = new ListProgress(stderr, show: false, stdoutIsTerminal: false, total: 10, new FakeTimeProvider());

        progress.BeforeOutput();
        progress.Add(MxResolutionStatus.TemporaryFailure);
        progress.Finish();

        Assert.Equal("mxlookup: 1 input in 0:00:00 (0/s): temporary-failure 1" + Environment.NewLine, stderr.ToString());
    }

    [Theory]
    [InlineData(1500L, 4000L, 6.0, "1500/4000 37.5%  250/s  elapsed 0:00:06  eta 0:00:10  success 1200, no-such-domain 300")]
    [InlineData(1500L, null, 6.0, "1500 done  250/s  elapsed 0:00:06  success 1200, no-such-domain 300")]
    [InlineData(1500L, 4000L, 0.0, "1500/4000 37.5%  0/s  elapsed 0:00:00  success 1200, no-such-domain 300")] // no rate yet: no estimate
    [InlineData(1500L, 1500L, 3725.0, "1500/1500 100.0%  0/s  elapsed 1:02:05  eta 0:00:00  success 1200, no-such-domain 300")]
    public void Format_DoneTotalRateElapsedEtaAndCountsInStatusOrder(long done, long? total, double seconds, string expected)
    {
        // Given out of order, with a zero count: shown in status order, zeros left out.
        KeyValuePair<MxResolutionStatus, long>[] counts =
        [
            new(MxResolutionStatus.NoSuchDomain, 300),
            new(MxResolutionStatus.TemporaryFailure, 0),
            new(MxResolutionStatus.Success, 1200),
        ];

        Assert.Equal(expected, ListProgress.Format(done, total, TimeSpan.FromSeconds(seconds), counts));
    }

    [Fact]
    public void Format_NothingDoneYet_NoCounts()
    {
        Assert.Equal("0/0  0/s  elapsed 0:00:00", ListProgress.Format(0, 0, TimeSpan.Zero, []));
        Assert.Equal("0 inputs in 0:00:00 (0/s)", ListProgress.Summary(0, TimeSpan.Zero, []));
    }

    [Fact]
    public async Task Progress_UnderAPseudoTerminal_OnlyWhenStandardErrorIsTheTerminal()
    {
        // The built command under util-linux script(1), which gives it a pseudo-terminal; stdout
        // goes to a file either way. Progress must appear on the terminal, and never in a redirected stderr.
        Assert.SkipUnless(File.Exists("/usr/bin/script"), "util-linux script(1) is not installed");
        string mxlookup = Path.Combine(AppContext.BaseDirectory, "mxlookup");
        string path = WriteList(string.Join("\n", Enumerable.Repeat("plain.mx.test", 50)));
        string results = Path.Combine(_directory, "results.jsonl");
        string redirected = Path.Combine(_directory, "stderr.txt");
        string command = $"'{mxlookup}' --server {Server} --json --file '{path}' > '{results}'";

        string onTerminal = await ScriptAsync(command);
        string offTerminal = await ScriptAsync($"{command} 2> '{redirected}'");

        Assert.Contains("\u001b[K1/50 2.0%", onTerminal, StringComparison.Ordinal);
        Assert.Contains("mxlookup: 50 inputs in ", onTerminal, StringComparison.Ordinal);
        string stderr = await File.ReadAllTextAsync(redirected, Token);
        Assert.StartsWith("mxlookup: 50 inputs in ", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain('\r', stderr);
        Assert.DoesNotContain("\u001b[K", offTerminal, StringComparison.Ordinal);
        Assert.Equal(50, (await File.ReadAllLinesAsync(results, Token)).Length);
    }

    private static async Task<string> ScriptAsync(string command)
    {
        var start = new ProcessStartInfo("/usr/bin/script", ["-qec", command, "/dev/null"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync(Token);
        Task<string> errors = process.StandardError.ReadToEndAsync(Token);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Token);
        timeout.CancelAfter(Bound);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        string text = await output;
        Assert.True(process.ExitCode == 0, $"script exited {process.ExitCode}: {text} {await errors}");
        return text;
    }

    // ---- helpers ----

    private static CommandConsole NewConsole(TextReader? stdin = null) => new(stdin ?? TextReader.Null, new StringWriter(), new StringWriter());

    private string WriteList(string text)
    {
        string path = Path.Combine(_directory, $"{Guid.NewGuid():N}.txt");
        File.WriteAllText(path, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        return path;
    }

    private static async Task<Run> RunAsync(CommandConsole console, params string[] args)
    {
        int exitCode = await Program.RunAsync(args, console, Token).WaitAsync(Bound, Token);
        return new Run(exitCode, console.Out.ToString()!, console.Error.ToString()!);
    }

    private sealed record Run(int ExitCode, string Stdout, string Stderr)
    {
        public string[] StderrLines => Stderr.Length == 0 ? [] : Stderr.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');

        public JsonElement[] JsonLines() => Stdout.Length == 0
            ? []
            : [.. Stdout.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n').Select(line => JsonDocument.Parse(line).RootElement)];
    }

    /// <summary>Counts the lines written and keeps none of them.</summary>
    private sealed class LineCountingWriter : TextWriter
    {
        public int Lines { get; private set; }

        public override Encoding Encoding => Encoding.UTF8;

        public override void Write(char value)
        {
            if (value == '\n')
            {
                Lines++;
            }
        }

        public override void Write(string? value)
        {
            foreach (char c in value.AsSpan())
            {
                Write(c);
            }
        }

        public override void WriteLine(string? value)
        {
            Write(value);
            Write(Environment.NewLine);
        }
    }
}
