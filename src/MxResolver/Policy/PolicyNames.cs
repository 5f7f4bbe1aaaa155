using System.Globalization;

namespace MxResolver.Policy;

/// <summary>
/// Host name handling shared by MTA-STS pattern matching (RFC 8461 §4.1) and certificate name
/// checks (RFC 7672 §3.2.3): names are compared as A-labels (RFC 5890), case-insensitively, with
/// one trailing dot ignored.
/// </summary>
internal static class PolicyNames
{
    /// <summary>The longest host name in text form (RFC 1035 §2.3.4: 255 octets on the wire).</summary>
    public const int MaxNameLength = 253;

    /// <summary>The longest label (RFC 1035 §2.3.4).</summary>
    public const int MaxLabelLength = 63;

    private static readonly IdnMapping Idn = new() { AllowUnassigned = false, UseStd3AsciiRules = true };

    /// <summary>
    /// Brings <paramref name="name"/> to its comparable form: one trailing dot dropped, U-labels
    /// converted to A-labels, lower case. Fails for an empty name and for non-ASCII text that is
    /// not a valid IDN. Does not check label syntax (see <see cref="IsLdhName"/>).
    /// </summary>
    public static bool TryNormalize(string name, out string normalized)
    {
        normalized = string.Empty;
        ReadOnlySpan<char> span = name.AsSpan();
        if (span.Length > 0 && span[^1] == '.')
        {
            span = span[..^1];
        }

        if (span.Length == 0)
        {
            return false;
        }

        bool ascii = true;
        foreach (char c in span)
        {
            if (c > 0x7F)
            {
                ascii = false;
                break;
            }
        }

        if (ascii)
        {
            normalized = span.ToString().ToLowerInvariant();
            return true;
        }

        try
        {
            normalized = Idn.GetAscii(span.ToString()).ToLowerInvariant();
            return normalized.Length > 0;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>
    /// Whether <paramref name="name"/> (normalized, no trailing dot) is a domain of LDH labels
    /// (RFC 5321 §4.1.2 <c>Domain</c>): labels of 1–63 letters, digits and hyphens that neither
    /// start nor end with a hyphen, at most 253 characters in all.
    /// </summary>
    public static bool IsLdhName(ReadOnlySpan<char> name)
    {
        if (name.Length == 0 || name.Length > MaxNameLength)
        {
            return false;
        }

        int labelLength = 0;
        char previous = '.';
        foreach (char c in name)
        {
            if (c == '.')
            {
                if (labelLength == 0 || previous == '-')
                {
                    return false;
                }

                labelLength = 0;
            }
            else if (c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '-')
            {
                if ((c == '-' && labelLength == 0) || ++labelLength > MaxLabelLength)
                {
                    return false;
                }
            }
            else
            {
                return false;
            }

            previous = c;
        }

        return labelLength > 0 && previous != '-';
    }

    /// <summary>
    /// Whether the normalized <paramref name="host"/> matches the normalized
    /// <paramref name="pattern"/>: equal, or the pattern is <c>*.</c> followed by a suffix and the
    /// host is exactly one non-empty label followed by <c>.</c> and that suffix (RFC 8461 §4.1,
    /// RFC 6125 §6.4.3 restricted to a whole leftmost label). Hosts with empty labels never match.
    /// </summary>
    public static bool MatchesNormalized(string pattern, string host)
    {
        if (host.Length == 0 || host.Contains("..", StringComparison.Ordinal) || host[0] == '.' || host[^1] == '.')
        {
            return false;
        }

        if (pattern.StartsWith("*.", StringComparison.Ordinal))
        {
            ReadOnlySpan<char> suffix = pattern.AsSpan(1); // ".example.com"
            int firstDot = host.IndexOf('.', StringComparison.Ordinal);
            return firstDot > 0 && host.AsSpan(firstDot).Equals(suffix, StringComparison.Ordinal);
        }

        return string.Equals(pattern, host, StringComparison.Ordinal);
    }
}
