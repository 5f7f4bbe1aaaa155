namespace MxResolver.Policy;

/// <summary>
/// Parses the MTA-STS policy body (RFC 8461 §3.2).
/// </summary>
/// <remarks>
/// Rules as implemented, where the RFC leaves room:
/// <list type="bullet">
/// <item>Lines end with LF or CRLF (the ABNF's <c>sts-policy-term</c>; erratum 6253 on the prose).</item>
/// <item>Fields may come in any order: the ABNF does not put <c>version</c> first.</item>
/// <item>Field names and the <c>version</c> and <c>mode</c> values are case-sensitive (<c>%s</c> in the ABNF, RFC 7405).</item>
/// <item>Blank lines are skipped, though the ABNF has none: they carry nothing and are common at the end.</item>
/// <item>A repeated field other than <c>mx</c>: the first occurrence counts and the rest are ignored, as §3.2 says.</item>
/// <item>Unknown fields are ignored (§3.2) but must still be <c>name: value</c> with a valid name and a non-empty value without control characters.</item>
/// <item><c>max_age</c> is 1–10 digits and at most 31557600; a larger value makes the policy invalid.</item>
/// <item><c>mx</c> values are <c>["*."] Domain</c> (RFC 5321 LDH labels); internationalised names are converted to A-labels; a trailing dot is accepted and dropped.</item>
/// <item><c>mx</c> is required at least once unless the mode is <c>none</c>.</item>
/// </list>
/// </remarks>
internal static class MtaStsPolicyParser
{
    private const string VersionKey = "version";
    private const string ModeKey = "mode";
    private const string MaxAgeKey = "max_age";
    private const string MxKey = "mx";

    private static readonly System.Buffers.SearchValues<char> ControlCharacters = System.Buffers.SearchValues.Create(
        "\0\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000B\f\r\u000E\u000F\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F\u007F");

    public static bool TryParse(string text, out MtaStsPolicy? policy, out string? error)
    {
        policy = null;
        string? version = null;
        MtaStsMode? mode = null;
        int? maxAge = null;
        var patterns = new List<string>();
        var lines = new List<string>();

        int lineNumber = 0;
        int start = 0;
        while (start <= text.Length)
        {
            int end = text.IndexOf('\n', start);
            if (end < 0)
            {
                end = text.Length;
            }

            lineNumber++;
            ReadOnlySpan<char> line = text.AsSpan(start, end - start);
            start = end + 1;
            if (line.Length > 0 && line[^1] == '\r')
            {
                line = line[..^1];
            }

            line = line.TrimEnd(" \t");
            if (line.IsWhiteSpace())
            {
                continue;
            }

            int colon = line.IndexOf(':');
            if (colon < 0)
            {
                error = $"line {lineNumber} is not a 'key: value' field: {PolicyText.Quote(line)}";
                return false;
            }

            ReadOnlySpan<char> key = line[..colon];
            ReadOnlySpan<char> value = line[(colon + 1)..].TrimStart(" \t");
            if (!PolicyText.IsFieldName(key))
            {
                error = $"line {lineNumber} has an invalid field name {PolicyText.Quote(key)}";
                return false;
            }

            lines.Add(line.ToString());
            if (key.SequenceEqual(VersionKey))
            {
                if (version is null)
                {
                    if (!value.SequenceEqual("STSv1"))
                    {
                        error = $"line {lineNumber}: version {PolicyText.Quote(value)} is not 'STSv1'";
                        return false;
                    }

                    version = "STSv1";
                }
            }
            else if (key.SequenceEqual(ModeKey))
            {
                if (mode is null)
                {
                    mode = ParseMode(value);
                    if (mode is null)
                    {
                        error = $"line {lineNumber}: mode {PolicyText.Quote(value)} is not 'enforce', 'testing' or 'none'";
                        return false;
                    }
                }
            }
            else if (key.SequenceEqual(MaxAgeKey))
            {
                if (maxAge is null)
                {
                    if (!TryParseMaxAge(value, out int seconds, out string? reason))
                    {
                        error = $"line {lineNumber}: max_age {PolicyText.Quote(value)} {reason}";
                        return false;
                    }

                    maxAge = seconds;
                }
            }
            else if (key.SequenceEqual(MxKey))
            {
                if (!TryParsePattern(value, out string? pattern))
                {
                    error = $"line {lineNumber}: mx {PolicyText.Quote(value)} is not a host name or '*.' followed by one";
                    return false;
                }

                patterns.Add(pattern);
            }
            else if (value.IsEmpty || value.ContainsAny(ControlCharacters))
            {
                error = $"line {lineNumber}: field {PolicyText.Quote(key)} has an empty value or control characters";
                return false;
            }
        }

        if (version is null)
        {
            error = "the version field is missing";
            return false;
        }

        if (mode is null)
        {
            error = "the mode field is missing";
            return false;
        }

        if (maxAge is null)
        {
            error = "the max_age field is missing";
            return false;
        }

        if (patterns.Count == 0 && mode != MtaStsMode.None)
        {
            error = $"mode {mode.Value.ToString().ToLowerInvariant()} needs at least one mx field";
            return false;
        }

        policy = new MtaStsPolicy(mode.Value, TimeSpan.FromSeconds(maxAge.Value), patterns.AsReadOnly(), lines.AsReadOnly());
        error = null;
        return true;
    }

    private static MtaStsMode? ParseMode(ReadOnlySpan<char> value) => value switch
    {
        "enforce" => MtaStsMode.Enforce,
        "testing" => MtaStsMode.Testing,
        "none" => MtaStsMode.None,
        _ => null,
    };

    /// <summary><c>1*10DIGIT</c>, at most <see cref="MtaStsPolicy.MaxAgeLimitSeconds"/> (RFC 8461 §3.2).</summary>
    private static bool TryParseMaxAge(ReadOnlySpan<char> value, out int seconds, out string? reason)
    {
        seconds = 0;
        if (value.Length is 0 or > 10)
        {
            reason = "is not 1 to 10 digits";
            return false;
        }

        long total = 0;
        foreach (char c in value)
        {
            if (c is < '0' or > '9')
            {
                reason = "is not a non-negative decimal integer";
                return false;
            }

            total = (total * 10) + (c - '0');
        }

        if (total > MtaStsPolicy.MaxAgeLimitSeconds)
        {
            reason = $"exceeds the maximum of {MtaStsPolicy.MaxAgeLimitSeconds} seconds";
            return false;
        }

        seconds = (int)total;
        reason = null;
        return true;
    }

    /// <summary>
    /// An <c>mx</c> value: <c>["*."] Domain</c>, normalized to lower-case A-labels without a
    /// trailing dot (RFC 8461 §3.2, §4.1).
    /// </summary>
    internal static bool TryParsePattern(ReadOnlySpan<char> value, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? pattern)
    {
        pattern = null;
        bool wildcard = value.StartsWith("*.");
        ReadOnlySpan<char> domain = wildcard ? value[2..] : value;
        if (domain.IsEmpty || domain[0] == '.' || !PolicyNames.TryNormalize(domain.ToString(), out string normalized))
        {
            return false;
        }

        if (!PolicyNames.IsLdhName(normalized) || (wildcard && normalized.Length > PolicyNames.MaxNameLength - 2))
        {
            return false;
        }

        pattern = wildcard ? "*." + normalized : normalized;
        return true;
    }
}
