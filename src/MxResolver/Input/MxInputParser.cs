using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MxResolver.Dns;

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
    /// <summary>Parses a domain, <c>local@domain</c>, <c>local@[literal]</c> or a bare <c>[literal]</c> (R2).</summary>
    public static MxInput Parse(string input)
    {
        if (input.Length == 0)
        {
            return MxInput.Invalid("The input is empty.");
        }

        int at = DomainStart(input);
        if (at == 0)
        {
            return MxInput.Invalid($"The address '{input}' has an empty local part.");
        }

        string domainPart = at < 0 ? input : input[at..];
        if (domainPart.Length == 0)
        {
            return MxInput.Invalid($"The address '{input}' has no domain after '@'.");
        }

        return domainPart[0] == '['
            ? ParseLiteral(domainPart)
            : ParseDomain(domainPart, input);
    }

    /// <summary>
    /// The domain that <see cref="Parse"/> would look up for <paramref name="input"/>, up to case,
    /// when it is a plain ASCII domain or an address at one, found without parsing or allocating
    /// (for the resolution cache's hit path). <see langword="false"/> for anything that needs the
    /// full parse: Unicode, literals, an empty local part or domain. A returned name may still be
    /// invalid; it then matches no parsed name.
    /// </summary>
    /// <param name="input">The caller's input.</param>
    /// <param name="domain">The domain part without its trailing dot.</param>
    public static bool TryGetPlainDomain(ReadOnlySpan<char> input, out ReadOnlySpan<char> domain)
    {
        int at = DomainStart(input);
        domain = TrimRootDot(at < 0 ? input : input[at..]);

        // at == 0: an empty local part is invalid input (R2), whatever the domain.
        return at != 0 && !domain.IsEmpty && Ascii.IsValid(domain);
    }

    /// <summary>
    /// Where the domain of an address starts: after the last '@' (the local part may itself
    /// contain '@' when quoted, RFC 5321 §4.1.2); -1 for input without '@'; 0 when the local part
    /// is empty.
    /// </summary>
    private static int DomainStart(ReadOnlySpan<char> input)
    {
        int at = input.LastIndexOf('@');
        return at < 0 ? -1 : at == 0 ? 0 : at + 1;
    }

    /// <summary>R1: a name is absolute with or without its trailing dot; drops one.</summary>
    private static ReadOnlySpan<char> TrimRootDot(ReadOnlySpan<char> name)
        => !name.IsEmpty && name[^1] == '.' ? name[..^1] : name;

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
        ReadOnlySpan<char> trimmed = TrimRootDot(text);
        string name = trimmed.Length == text.Length ? text : trimmed.ToString();
        if (name.Length == 0)
        {
            return MxInput.Invalid($"'{input}' names no domain.");
        }

        // Checked on the input as written, for a clearer message than the IDNA error (which
        // rejects these too). Lengths of non-ASCII labels are only known after conversion, so
        // for those only an empty label is reported here.
        bool ascii7 = Ascii.IsValid(name);
        DnsNameLengthError asWritten = DnsName.CheckLengths(name, out int offending);
        if (asWritten == DnsNameLengthError.EmptyLabel || (ascii7 && asWritten != DnsNameLengthError.None))
        {
            return LengthError(asWritten, text, offending, string.Empty);
        }

        if (ascii7 && !name.Contains("xn--", StringComparison.OrdinalIgnoreCase))
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

        DnsNameLengthError converted = DnsName.CheckLengths(ascii, out offending);
        if (converted != DnsNameLengthError.None)
        {
            return LengthError(converted, text, offending, " in A-label form");
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

    private static MxInput LengthError(DnsNameLengthError error, string text, int offending, string form) => error switch
    {
        DnsNameLengthError.LabelTooLong => MxInput.Invalid($"The domain '{text}' has a label of {offending} octets; at most {DnsName.MaxLabelLength} are allowed."),
        DnsNameLengthError.NameTooLong => MxInput.Invalid($"The domain '{text}' is {offending} characters long{form}; at most {DnsName.MaxTextLength} are allowed."),
        _ => MxInput.Invalid($"The domain '{text}' has an empty label."),
    };

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
