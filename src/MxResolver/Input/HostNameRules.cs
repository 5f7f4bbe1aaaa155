namespace MxResolver.Input;

/// <summary>Host name syntax (RFC 1123 §2.1, RFC 3696 §2) for domains and MX exchanges (R3, R10).</summary>
internal static class HostNameRules
{
    /// <summary>
    /// Whether <paramref name="name"/> (lower case, no trailing dot) is a host name: labels of 1–63
    /// letters, digits and hyphens, not starting or ending with a hyphen, at most 253 characters,
    /// and a top-level label that is not all digits (RFC 3696 §2: it would read as an address).
    /// </summary>
    public static bool IsValidHostName(ReadOnlySpan<char> name)
    {
        if (name.Length == 0 || name.Length > MxInputParser.MaxDomainLength)
        {
            return false;
        }

        bool lastLabelAllDigits = true;
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
                lastLabelAllDigits = true;
            }
            else if (c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '-')
            {
                if (c == '-' && labelLength == 0)
                {
                    return false;
                }

                if (++labelLength > MxInputParser.MaxLabelLength)
                {
                    return false;
                }

                lastLabelAllDigits &= c is >= '0' and <= '9';
            }
            else
            {
                return false;
            }

            previous = c;
        }

        return labelLength > 0 && previous != '-' && !lastLabelAllDigits;
    }
}
