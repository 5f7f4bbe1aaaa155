using System.Net.Sockets;
using System.Text;

namespace MxResolver.Failover;

/// <summary>The SMTP greeting read by <see cref="SmtpGreetingReader"/>.</summary>
/// <param name="Outcome"><see cref="MxAttemptOutcome.Succeeded"/> for 220, else the failure (or <see cref="MxAttemptOutcome.Cancelled"/> when the token fired).</param>
/// <param name="Lines">The reply lines read, without line endings.</param>
/// <param name="Error">What was wrong; <see langword="null"/> for 220.</param>
internal readonly record struct SmtpGreeting(MxAttemptOutcome Outcome, IReadOnlyList<string> Lines, string? Error);

/// <summary>Reads the server greeting that opens an SMTP session (R21, RFC 5321 §3.1 and §4.2).</summary>
internal static class SmtpGreetingReader
{
    /// <summary>
    /// A bound on the whole greeting. RFC 5321 §4.5.3.1.5 caps a reply line at 512 octets; a
    /// multi-line greeting of a few lines is normal, anything this long is not a mail server.
    /// </summary>
    internal const int MaxGreetingBytes = 8192;

    /// <summary>
    /// Reads reply lines until the last one (<c>220 text</c>, after any <c>220-text</c>
    /// continuation lines, RFC 5321 §4.2.1) or until <paramref name="timeout"/> passes.
    /// </summary>
    /// <returns>The greeting; never throws for what the server does, and reports a fired <paramref name="cancellationToken"/> as <see cref="MxAttemptOutcome.Cancelled"/>.</returns>
    public static async Task<SmtpGreeting> ReadAsync(Socket socket, TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        using var timer = new CancellationTokenSource(timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        var lines = new List<string>();
        var pending = new List<byte>(512);
        byte[] buffer = new byte[1024];
        int total = 0;
        try
        {
            while (true)
            {
                int read = await socket.ReceiveAsync(buffer.AsMemory(), SocketFlags.None, linked.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    return new SmtpGreeting(MxAttemptOutcome.GreetingInvalid, lines, lines.Count == 0
                        ? "The server closed the connection without a greeting."
                        : "The server closed the connection in the middle of its greeting.");
                }

                total += read;
                if (total > MaxGreetingBytes)
                {
                    return new SmtpGreeting(MxAttemptOutcome.GreetingInvalid, lines, $"The greeting is longer than {MaxGreetingBytes} bytes.");
                }

                for (int i = 0; i < read; i++)
                {
                    if (buffer[i] != (byte)'\n')
                    {
                        pending.Add(buffer[i]);
                        continue;
                    }

                    // RFC 5321 §2.3.8 lines end in CRLF; a bare LF is accepted as servers do.
                    int length = pending.Count > 0 && pending[^1] == (byte)'\r' ? pending.Count - 1 : pending.Count;
                    string line = Encoding.Latin1.GetString(pending.ToArray(), 0, length);
                    pending.Clear();
                    lines.Add(line);
                    if (Interpret(lines) is { } greeting)
                    {
                        return greeting;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (timer.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new SmtpGreeting(MxAttemptOutcome.GreetingTimedOut, lines, lines.Count == 0
                ? $"No greeting within {timeout.TotalMilliseconds:0} ms."
                : $"The greeting was not finished within {timeout.TotalMilliseconds:0} ms.");
        }
        catch (OperationCanceledException)
        {
            return new SmtpGreeting(MxAttemptOutcome.Cancelled, lines, "Cancelled while reading the greeting.");
        }
        catch (SocketException e)
        {
            return new SmtpGreeting(MxAttemptOutcome.GreetingInvalid, lines, $"The connection failed while reading the greeting: {e.SocketErrorCode}.");
        }
    }

    /// <summary>
    /// Checks the lines so far. <see langword="null"/> means a continuation line (<c>220-</c>) was
    /// read and more must follow; otherwise the verdict.
    /// </summary>
    internal static SmtpGreeting? Interpret(List<string> lines)
    {
        string line = lines[^1];

        // RFC 5321 §4.2: three digits, then a space (last line), a hyphen (more follow) or nothing.
        bool wellFormed = line.Length >= 3
            && line[0] is >= '1' and <= '5' && char.IsAsciiDigit(line[1]) && char.IsAsciiDigit(line[2])
            && (line.Length == 3 || line[3] is ' ' or '-');
        if (!wellFormed)
        {
            return new SmtpGreeting(MxAttemptOutcome.GreetingInvalid, lines, $"Not an SMTP reply: \"{Shorten(line)}\".");
        }

        // RFC 5321 §4.2.1: every line of a multi-line reply carries the same code.
        if (lines.Count > 1 && string.CompareOrdinal(line, 0, lines[0], 0, 3) != 0)
        {
            return new SmtpGreeting(MxAttemptOutcome.GreetingInvalid, lines, $"The lines of the greeting carry different codes: \"{Shorten(lines[0])}\" and \"{Shorten(line)}\".");
        }

        if (line.Length > 3 && line[3] == '-')
        {
            return null;
        }

        return line[0] switch
        {
            '2' when line.StartsWith("220", StringComparison.Ordinal) => new SmtpGreeting(MxAttemptOutcome.Succeeded, lines, null),

            // RFC 5321 §3.1: 554 (or, in practice, 421 and other 4xx) instead of 220 means "go away".
            '4' or '5' => new SmtpGreeting(MxAttemptOutcome.GreetingRejected, lines, $"Greeting \"{Shorten(line)}\"."),
            _ => new SmtpGreeting(MxAttemptOutcome.GreetingInvalid, lines, $"Unexpected greeting \"{Shorten(line)}\"."),
        };
    }

    private static string Shorten(string line) => line.Length <= 120 ? line : string.Concat(line.AsSpan(0, 120), "…");
}
