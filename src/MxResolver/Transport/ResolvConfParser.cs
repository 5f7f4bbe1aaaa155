using System.Globalization;
using System.Net;

namespace MxResolver.Transport;

/// <summary>
/// Reads the parts of <c>resolv.conf(5)</c> a stub client of absolute names needs: <c>nameserver</c>
/// lines (IPv4, IPv6, IPv6 with a <c>%scope</c>) and the <c>options</c> <c>timeout:</c>,
/// <c>attempts:</c>, <c>rotate</c>, <c>use-vc</c> and <c>edns0</c>.
/// </summary>
/// <remarks>
/// <c>search</c>, <c>domain</c> and <c>ndots:</c> are ignored: every query is absolute (RFC 5321
/// §5.1, R1). Unknown keywords and options, and malformed lines, are ignored as glibc ignores them.
/// Lines starting with <c>#</c> or <c>;</c> are comments, and so is anything after those
/// characters on a line. Like glibc, <c>timeout:</c> is capped at 30 seconds and <c>attempts:</c> at 5.
/// </remarks>
internal static class ResolvConfParser
{
    /// <summary>The usual location of the file.</summary>
    public const string DefaultPath = "/etc/resolv.conf";

    private const int MaxTimeoutSeconds = 30; // glibc RES_MAXRETRANS
    private const int MaxAttempts = 5; // glibc RES_MAXRETRY

    /// <summary>Parses the text of a resolv.conf file. The result may list no servers.</summary>
    public static NameServerConfiguration Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);

        var servers = new List<IPEndPoint>();
        TimeSpan? timeout = null;
        int? attempts = null;
        bool rotate = false, useTcp = false, edns0 = false;

        foreach (ReadOnlySpan<char> rawLine in text.AsSpan().EnumerateLines())
        {
            ReadOnlySpan<char> line = rawLine;
            int comment = line.IndexOfAny('#', ';');
            if (comment >= 0)
            {
                line = line[..comment];
            }

            line = line.Trim();
            if (line.IsEmpty)
            {
                continue;
            }

            ReadOnlySpan<char> keyword = NextToken(ref line);
            if (keyword.SequenceEqual("nameserver"))
            {
                ReadOnlySpan<char> address = NextToken(ref line);
                if (IPAddress.TryParse(address, out IPAddress? ip))
                {
                    servers.Add(new IPEndPoint(ip, NameServerConfiguration.DnsPort));
                }
            }
            else if (keyword.SequenceEqual("options"))
            {
                while (!line.IsEmpty)
                {
                    ReadOnlySpan<char> option = NextToken(ref line);
                    if (option.SequenceEqual("rotate"))
                    {
                        rotate = true;
                    }
                    else if (option.SequenceEqual("use-vc") || option.SequenceEqual("usevc"))
                    {
                        useTcp = true;
                    }
                    else if (option.SequenceEqual("edns0"))
                    {
                        edns0 = true;
                    }
                    else if (TryReadNumber(option, "timeout:", out int seconds) && seconds > 0)
                    {
                        timeout = TimeSpan.FromSeconds(Math.Min(seconds, MaxTimeoutSeconds));
                    }
                    else if (TryReadNumber(option, "attempts:", out int count) && count > 0)
                    {
                        attempts = Math.Min(count, MaxAttempts);
                    }
                }
            }
        }

        return new NameServerConfiguration(servers)
        {
            AttemptTimeout = timeout,
            Attempts = attempts,
            Rotate = rotate,
            UseTcpOnly = useTcp,
            Edns0 = edns0,
        };
    }

    private static ReadOnlySpan<char> NextToken(ref ReadOnlySpan<char> line)
    {
        line = line.TrimStart();
        int end = line.IndexOfAny(' ', '\t');
        ReadOnlySpan<char> token = end < 0 ? line : line[..end];
        line = end < 0 ? default : line[end..].TrimStart();
        return token;
    }

    private static bool TryReadNumber(ReadOnlySpan<char> option, string prefix, out int value)
    {
        value = 0;
        return option.StartsWith(prefix, StringComparison.Ordinal)
            && int.TryParse(option[prefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }
}
