namespace MxResolver.Policy;

/// <summary>Character classes and helpers shared by the MTA-STS and TLS-RPT text parsers.</summary>
internal static class PolicyText
{
    /// <summary>The longest value echoed in an error message.</summary>
    private const int MaxQuoted = 64;

    /// <summary>WSP of RFC 5234 Appendix B.1: space or horizontal tab.</summary>
    public static bool IsWsp(char c) => c is ' ' or '\t';

    /// <summary>ALPHA / DIGIT of RFC 5234 Appendix B.1.</summary>
    public static bool IsAlnum(char c) => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9');

    /// <summary>A control character (CTL of RFC 5234, plus the C1 range).</summary>
    public static bool IsControl(char c) => c < 0x20 || c is >= (char)0x7F and <= (char)0x9F;

    /// <summary>
    /// Whether <paramref name="name"/> is an extension field name: <c>(ALPHA / DIGIT)
    /// *31(ALPHA / DIGIT / "_" / "-" / ".")</c> (RFC 8461 §3.1 and §3.2, RFC 8460 §3).
    /// </summary>
    public static bool IsFieldName(ReadOnlySpan<char> name)
    {
        if (name.Length is 0 or > 32 || !IsAlnum(name[0]))
        {
            return false;
        }

        foreach (char c in name[1..])
        {
            if (!IsAlnum(c) && c is not ('_' or '-' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Removes leading and trailing WSP.</summary>
    public static ReadOnlySpan<char> TrimWsp(ReadOnlySpan<char> text) => text.Trim(" \t");

    /// <summary>
    /// <paramref name="text"/> in quotes for an error message, cut to a bounded length, with
    /// control characters shown as <c>?</c> so that a message stays on one line.
    /// </summary>
    public static string Quote(ReadOnlySpan<char> text)
    {
        bool cut = text.Length > MaxQuoted;
        ReadOnlySpan<char> shown = cut ? text[..MaxQuoted] : text;
        Span<char> buffer = stackalloc char[shown.Length];
        for (int i = 0; i < shown.Length; i++)
        {
            buffer[i] = IsControl(shown[i]) ? '?' : shown[i];
        }

        return cut ? $"'{buffer}...'" : $"'{buffer}'";
    }
}
