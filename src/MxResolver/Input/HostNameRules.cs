using MxResolver.Dns;

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
        // The length rules are the wire format's (RFC 1035 §2.3.4); this adds the character rules.
        if (DnsName.CheckLengths(name, out _) != DnsNameLengthError.None)
        {
            return false;
        }

        // Labels are not empty here, so a label starts where the previous character is a dot.
        bool lastLabelAllDigits = true;
        char previous = '.';
        foreach (char c in name)
        {
            if (c == '.')
            {
                if (previous == '-')
                {
                    return false;
                }

                lastLabelAllDigits = true;
            }
            else if (c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '-')
            {
                if (c == '-' && previous == '.')
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

        return previous != '-' && !lastLabelAllDigits;
    }
}
