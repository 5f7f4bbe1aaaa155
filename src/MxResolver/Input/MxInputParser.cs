using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MxResolver.Input;

internal enum MxInputKind
{
    Domain,
    AddressLiteral,
    Invalid,
}

/// <summary>What the input names: a domain (both forms), an address literal, or nothing valid.</summary>
internal sealed record MxInput(MxInputKind Kind)
{
    /// <summary>A-label form, lower case, without trailing dot.</summary>
    public string? AsciiDomain { get; init; }

    /// <summary>U-label form, lower case, without trailing dot.</summary>
    public string? UnicodeDomain { get; init; }

    public IPAddress? Address { get; init; }

    /// <summary>The literal in the form RFC 5321 §4.1.3 writes it: <c>[192.0.2.1]</c>, <c>[IPv6:2001:db8::1]</c>.</summary>
    public string? LiteralText { get; init; }

    public string? Error { get; init; }

    public static MxInput Invalid(string error) => new(MxInputKind.Invalid) { Error = error };
}

/// <summary>
/// Turns the caller's string into a domain or an address literal before any query (R1–R3).
/// </summary>
internal static class MxInputParser
{
    /// <summary>The longest name in presentation form without the trailing dot (RFC 1035 §2.3.4: 255 octets on the wire).</summary>
    public const int MaxDomainLength = 253;

    /// <summary>The longest label (RFC 1035 §2.3.4).</summary>
    public const int MaxLabelLength = 63;

    /// <summary>Parses a domain, <c>local@domain</c>, <c>local@[literal]</c> or a bare <c>[literal]</c> (R2).</summary>
    public static MxInput Parse(string input)
    {
        if (input.Length == 0)
        {
            return MxInput.Invalid("The input is empty.");
        }

        string domainPart = input;

        // The local part may itself contain '@' when quoted (RFC 5321 §4.1.2), so the domain
        // follows the last one.
        int at = input.LastIndexOf('@');
        if (at >= 0)
        {
            if (at == 0)
            {
                return MxInput.Invalid($"The address '{input}' has an empty local part.");
            }

            domainPart = input[(at + 1)..];
            if (domainPart.Length == 0)
            {
                return MxInput.Invalid($"The address '{input}' has no domain after '@'.");
            }
        }

        return domainPart[0] == '['
            ? ParseLiteral(domainPart)
            : ParseDomain(domainPart, input);
    }

    /// <summary>
    /// Parses an address literal (RFC 5321 §4.1.3): <c>[192.0.2.1]</c> or <c>[IPv6:2001:db8::1]</c>.
    /// General address literals (<c>[tag:content]</c>) name no address this library can reach.
    /// </summary>
    public static MxInput ParseLiteral(string text)
    {
        if (text.Length < 3 || text[^1] != ']')
        {
            return MxInput.Invalid($"The address literal '{text}' is not closed by ']'.");
        }

        string inner = text[1..^1];
        const string IPv6Tag = "IPv6:";
        if (inner.StartsWith(IPv6Tag, StringComparison.OrdinalIgnoreCase))
        {
            string body = inner[IPv6Tag.Length..];
            if (body.Contains('%') || !IPAddress.TryParse(body, out IPAddress? v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                return MxInput.Invalid($"The address literal '{text}' does not hold a valid IPv6 address.");
            }

            return new MxInput(MxInputKind.AddressLiteral) { Address = v6, LiteralText = $"[IPv6:{v6}]" };
        }

        if (inner.Contains(':'))
        {
            return MxInput.Invalid($"The address literal '{text}' is neither IPv4 nor IPv6 (general address literals are not supported).");
        }

        if (!TryParseDottedQuad(inner, out IPAddress? v4))
        {
            return MxInput.Invalid($"The address literal '{text}' does not hold a valid IPv4 address.");
        }

        return new MxInput(MxInputKind.AddressLiteral) { Address = v4, LiteralText = $"[{v4}]" };
    }

    /// <summary>
    /// Validates a domain and converts it to A-labels (R3). A trailing dot is accepted: the name
    /// is absolute either way (R1).
    /// </summary>
    public static MxInput ParseDomain(string text, string input)
    {
        string name = text.EndsWith('.') ? text[..^1] : text;
        if (name.Length == 0)
        {
            return MxInput.Invalid($"'{input}' names no domain.");
        }

        // Checked on the input as written, for a clearer message than the IDNA error (which
        // rejects these too). Lengths of non-ASCII labels are only known after conversion.
        foreach (string label in name.Split('.'))
        {
            if (label.Length == 0)
            {
                return MxInput.Invalid($"The domain '{text}' has an empty label.");
            }

            if (label.Length > MaxLabelLength && Ascii.IsValid(label))
            {
                return MxInput.Invalid($"The domain '{text}' has a label of {label.Length} octets; at most {MaxLabelLength} are allowed.");
            }
        }

        if (name.Length > MaxDomainLength && Ascii.IsValid(name))
        {
            return MxInput.Invalid($"The domain '{text}' is {name.Length} characters long; at most {MaxDomainLength} are allowed.");
        }

        if (Ascii.IsValid(name) && !name.Contains("xn--", StringComparison.OrdinalIgnoreCase))
        {
            // Plain ASCII without A-labels: IDNA would only lower-case it, so ICU is skipped.
            string lower = name.ToLowerInvariant();
            return HostNameRules.IsValidHostName(lower)
                ? new MxInput(MxInputKind.Domain) { AsciiDomain = lower, UnicodeDomain = lower }
                : MxInput.Invalid($"The domain '{text}' is not a valid host name (letters, digits and hyphens; RFC 1123 §2.1).");
        }

        string ascii;
        try
        {
            // UTS #46 with the STD3 rules: letters, digits and hyphens only (RFC 1123 §2.1).
            var idn = new IdnMapping { UseStd3AsciiRules = true, AllowUnassigned = false };
            ascii = idn.GetAscii(name).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            return MxInput.Invalid($"The domain '{text}' is not a valid host name: it cannot be converted to an A-label (IDNA, UTS #46).");
        }

        if (ascii.EndsWith('.'))
        {
            // IDNA maps ideographic full stops to '.', so a trailing one survives until here.
            ascii = ascii[..^1];
        }

        if (ascii.Length > MaxDomainLength)
        {
            return MxInput.Invalid($"The domain '{text}' is {ascii.Length} characters long in A-label form; at most {MaxDomainLength} are allowed.");
        }

        string[] labels = ascii.Split('.');
        foreach (string label in labels)
        {
            if (label.Length == 0)
            {
                return MxInput.Invalid($"The domain '{text}' has an empty label.");
            }

            if (label.Length > MaxLabelLength)
            {
                return MxInput.Invalid($"The domain '{text}' has a label of {label.Length} octets; at most {MaxLabelLength} are allowed.");
            }
        }

        if (!HostNameRules.IsValidHostName(ascii))
        {
            return MxInput.Invalid($"The domain '{text}' is not a valid host name.");
        }

        string unicode;
        try
        {
            unicode = new IdnMapping { UseStd3AsciiRules = true }.GetUnicode(ascii).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            unicode = ascii;
        }

        return new MxInput(MxInputKind.Domain) { AsciiDomain = ascii, UnicodeDomain = unicode };
    }

    /// <summary>Strict dotted-quad IPv4 (RFC 5321 §4.1.3 <c>IPv4-address-literal</c>: four 1–3 digit numbers up to 255).</summary>
    public static bool TryParseDottedQuad(ReadOnlySpan<char> text, out IPAddress? address)
    {
        address = null;
        Span<byte> bytes = stackalloc byte[4];
        int part = 0;
        int value = 0;
        int digits = 0;
        foreach (char c in text)
        {
            if (c == '.')
            {
                if (digits == 0 || part == 3)
                {
                    return false;
                }

                bytes[part++] = (byte)value;
                value = 0;
                digits = 0;
            }
            else if (c is >= '0' and <= '9' && digits < 3)
            {
                value = (value * 10) + (c - '0');
                digits++;
                if (value > 255)
                {
                    return false;
                }
            }
            else
            {
                return false;
            }
        }

        if (digits == 0 || part != 3)
        {
            return false;
        }

        bytes[3] = (byte)value;
        address = new IPAddress(bytes);
        return true;
    }
}
