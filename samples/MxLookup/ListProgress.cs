using System.Globalization;
using System.Text;
using MxResolver;

namespace MxLookup;

/// <summary>
/// List mode's account of a run: counts by status, a progress line redrawn on standard error while
/// it runs (only when that is a terminal), and one summary line at the end (always).
/// </summary>
/// <remarks>Used from the one loop that takes the results, so it needs no locking.</remarks>
internal sealed class ListProgress
{
    // Often enough to look alive, rarely enough to cost nothing next to the lookups.
    private static readonly TimeSpan RedrawInterval = TimeSpan.FromMilliseconds(200);

    // Carriage return, then the line, then "erase to the end of the line" (ECMA-48 EL): the line is
    // redrawn in place, and a shorter line leaves nothing of a longer one behind.
    private const string EraseLine = "\r\u001b[K";

    private readonly TextWriter _stderr;
    private readonly bool _show;
    private readonly bool _stdoutIsTerminal;
    private readonly long? _total;
    private readonly TimeProvider _time;
    private readonly long _started;
    private readonly SortedDictionary<MxResolutionStatus, long> _counts = [];
    private long _lastDraw;
    private bool _visible;

    /// <param name="stderr">Where the progress and the summary go.</param>
    /// <param name="show">Whether to draw progress: only when standard error is a terminal.</param>
    /// <param name="stdoutIsTerminal">Whether results share the terminal, so the progress line must make way for them.</param>
    /// <param name="total">The number of inputs when known beforehand (a file), else <see langword="null"/> (standard input).</param>
    /// <param name="time">The clock of the rate, the elapsed time and the redraws.</param>
    public ListProgress(TextWriter stderr, bool show, bool stdoutIsTerminal, long? total, TimeProvider time)
    {
        _stderr = stderr;
        _show = show;
        _stdoutIsTerminal = stdoutIsTerminal;
        _total = total;
        _time = time;
        _started = time.GetTimestamp();
        _lastDraw = _started;
    }

    /// <summary>The results counted so far.</summary>
    public long Done { get; private set; }

    /// <summary>Call before writing a result to standard output: takes the progress line away if it shares the terminal.</summary>
    public void BeforeOutput()
    {
        if (_visible && _stdoutIsTerminal)
        {
            _stderr.Write(EraseLine);
            _visible = false;
        }
    }

    /// <summary>Counts one result and redraws the progress line when it is due.</summary>
    public void Add(MxResolutionStatus status)
    {
        Done++;
        _counts[status] = _counts.GetValueOrDefault(status) + 1;
        if (!_show)
        {
            return;
        }

        long now = _time.GetTimestamp();
        if (!_visible || _time.GetElapsedTime(_lastDraw, now) >= RedrawInterval)
        {
            _lastDraw = now;
            _stderr.Write(EraseLine + Format(Done, _total, _time.GetElapsedTime(_started, now), _counts));
            _visible = true;
        }
    }

    /// <summary>Takes the progress line away and writes the summary line.</summary>
    public void Finish()
    {
        if (_visible)
        {
            _stderr.Write(EraseLine);
            _visible = false;
        }

        _stderr.WriteLine($"mxlookup: {Summary(Done, _time.GetElapsedTime(_started), _counts)}");
    }

    /// <summary>
    /// The progress line: done (of total, with percentage), rate, elapsed time, the estimated time
    /// left (with a total and a rate), and the counts by status.
    /// </summary>
    /// <example><c>1500/4000 37.5%  250/s  elapsed 0:00:06  eta 0:00:10  success 1200, no-such-domain 300</c></example>
    public static string Format(long done, long? total, TimeSpan elapsed, IEnumerable<KeyValuePair<MxResolutionStatus, long>> counts)
    {
        var line = new StringBuilder(128);
        if (total is { } all)
        {
            line.Append(CultureInfo.InvariantCulture, $"{done}/{all}");
            if (all > 0)
            {
                line.Append(CultureInfo.InvariantCulture, $" {100.0 * done / all:0.0}%");
            }
        }
        else
        {
            line.Append(CultureInfo.InvariantCulture, $"{done} done");
        }

        double rate = Rate(done, elapsed);
        line.Append(CultureInfo.InvariantCulture, $"  {rate:0}/s  elapsed {Duration(elapsed)}");
        if (total is { } count && rate > 0 && count >= done)
        {
            line.Append(CultureInfo.InvariantCulture, $"  eta {Duration(TimeSpan.FromSeconds((count - done) / rate))}");
        }

        string byStatus = ByStatus(counts);
        if (byStatus.Length > 0)
        {
            line.Append("  ").Append(byStatus);
        }

        return line.ToString();
    }

    /// <summary>The summary line: how many, how long, how fast, and the counts by status.</summary>
    /// <example><c>4000 inputs in 0:00:16 (250/s): success 3200, no-such-domain 800</c></example>
    public static string Summary(long done, TimeSpan elapsed, IEnumerable<KeyValuePair<MxResolutionStatus, long>> counts)
    {
        string byStatus = ByStatus(counts);
        string head = string.Create(CultureInfo.InvariantCulture, $"{done} {(done == 1 ? "input" : "inputs")} in {Duration(elapsed)} ({Rate(done, elapsed):0}/s)");
        return byStatus.Length > 0 ? $"{head}: {byStatus}" : head;
    }

    private static double Rate(long done, TimeSpan elapsed) => elapsed > TimeSpan.Zero ? done / elapsed.TotalSeconds : 0;

    /// <summary><c>h:mm:ss</c>, hours unbounded.</summary>
    private static string Duration(TimeSpan duration)
    {
        long seconds = (long)Math.Max(0, duration.TotalSeconds);
        return string.Create(CultureInfo.InvariantCulture, $"{seconds / 3600}:{seconds / 60 % 60:00}:{seconds % 60:00}");
    }

    private static string ByStatus(IEnumerable<KeyValuePair<MxResolutionStatus, long>> counts)
        => string.Join(", ", counts.Where(c => c.Value > 0).OrderBy(c => c.Key).Select(c => string.Create(CultureInfo.InvariantCulture, $"{ResolutionPrinter.StatusName(c.Key)} {c.Value}")));
}
