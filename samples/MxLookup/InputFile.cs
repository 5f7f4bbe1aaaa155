using System.Runtime.CompilerServices;
using System.Text;

namespace MxLookup;

/// <summary>
/// The inputs of <c>--file</c>: one per line, surrounding white space ignored, blank lines and lines
/// starting with <c>#</c> skipped. Read line by line, never whole, so a list of any length runs in
/// the same memory.
/// </summary>
internal static class InputFile
{
    /// <summary>Opens a file for sequential reading (UTF-8 unless it starts with another encoding's byte order mark).</summary>
    /// <exception cref="IOException">The file cannot be opened.</exception>
    /// <exception cref="UnauthorizedAccessException">The file may not be read.</exception>
    public static StreamReader Open(string path)
        => new(
            new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.Asynchronous | FileOptions.SequentialScan),
            Encoding.UTF8,
            detectEncodingFromByteOrderMarks: true);

    /// <summary>The input a line holds, or <see langword="null"/> for a blank line or a comment.</summary>
    public static string? InputOf(string line)
    {
        string input = line.Trim();
        return input.Length == 0 || input[0] == '#' ? null : input;
    }

    /// <summary>The inputs of <paramref name="reader"/>, one line at a time.</summary>
    /// <remarks>
    /// A read that has to wait (standard input, a pipe) is abandoned when <paramref name="cancellationToken"/>
    /// fires, even if the reader cannot cancel it itself (a console stream cannot): Ctrl+C must not
    /// wait for the next line to be typed. The abandoned read is the process's last; it is exiting.
    /// </remarks>
    public static async IAsyncEnumerable<string> ReadAsync(TextReader reader, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (true)
        {
            ValueTask<string?> pending = reader.ReadLineAsync(cancellationToken);
            string? line = pending.IsCompleted
                ? await pending.ConfigureAwait(false)
                : await pending.AsTask().WaitAsync(cancellationToken).ConfigureAwait(false);
            if (line is null)
            {
                yield break;
            }

            if (InputOf(line) is { } input)
            {
                yield return input;
            }
        }
    }

    /// <summary>Counts the inputs of a file (for the progress total), reading it once, line by line.</summary>
    public static async Task<long> CountAsync(string path, CancellationToken cancellationToken)
    {
        using StreamReader reader = Open(path);
        long count = 0;
        await foreach (string input in ReadAsync(reader, cancellationToken).ConfigureAwait(false))
        {
            count++;
        }

        return count;
    }
}
