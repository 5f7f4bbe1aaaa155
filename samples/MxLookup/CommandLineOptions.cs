using System.Globalization;
using System.Net;
using System.Net.Sockets;
using MxResolver;

namespace MxLookup;

/// <summary>What the command line asks for, parsed by hand: every error is one sentence for stderr.</summary>
internal sealed class CommandLineOptions
{
    /// <summary>The usage text printed by <c>--help</c>.</summary>
    public const string HelpText =
        """
        Usage: mxlookup [options] <domain|email>...
               mxlookup [options] --file <path|->

        Shows where mail for each domain or email address goes: the MX targets in the order a
        sender tries them (RFC 5321 §5.1), with their addresses.

        Arguments:
          <domain|email>              a domain (example.com, bücher.example), an email address
                                      (user@example.com) or an address literal (user@[192.0.2.1]);
                                      after "--" every argument is an input, even one starting with "-"

        Options:
          --server <ip>[:<port>]      name server to ask (repeatable, asked in order); IPv6 as
                                      [addr]:port; default: the system's (/etc/resolv.conf);
                                      tcp://<ip>[:<port>] for TCP only, tls://<ip>[:<port>]#<name>
                                      or tls://<ip>?pin=sha256/<base64> for DNS over TLS (port 853)
          --json                      one JSON object per input, one per line
          --security                  also show how safely mail may go: DNSSEC status, TLSA records
                                      and DANE outcome per target, the MTA-STS policy and the
                                      TLS-RPT record (not with --file)
          --file <path>               read the inputs from a file, one per line ("-": standard
                                      input); blank lines and lines starting with # are skipped;
                                      results are written as they complete, a summary by status
                                      goes to stderr, and progress too when stderr is a terminal
          --ordered                   with --file: write results in input order instead
          --concurrency <n>           inputs resolved at once, 1-4096; default: 64
          --timeout <ms>              deadline for each input; default: 30000
          --tcp                       query over TCP only
          --family <order>            address family order within a target: any (default,
                                      interleaved, IPv6 first), prefer-ipv6, prefer-ipv4, ipv4, ipv6
          --allow-loopback            keep loopback addresses (127.0.0.0/8, ::1), dropped by default
          --allow-ip-exchange         use MX exchanges written as IP addresses (dropped by default)
          --local-name <host>         a name of this host: it and worse preferences are pruned
                                      (repeatable)
          -h, --help                  show this help

        Exit codes:
          0   every input has usable targets
          64  bad usage: unknown option, bad value, or an input that is not a domain or address
          66  the --file cannot be read
          68  some input failed permanently (no such domain, null MX, no usable target, ...)
          70  unexpected error (a bug)
          75  some input failed temporarily (and none permanently): retry later
          78  no name server: none configured on this system and no --server given
          130 interrupted (Ctrl+C)

        """;

    private static readonly string[] FamilyNames = ["any", "prefer-ipv6", "prefer-ipv4", "ipv4", "ipv6"];

    private CommandLineOptions()
    {
    }

    /// <summary>The domains, email addresses or literals, in the order given.</summary>
    public List<string> Inputs { get; } = [];

    /// <summary>The name servers, normalised to <c>address:port</c> (<c>[address]:port</c> for IPv6).</summary>
    public List<string> NameServers { get; } = [];

    /// <summary>Whether to write JSON lines instead of text.</summary>
    public bool Json { get; private set; }

    /// <summary>Whether to show each target's security requirement (<c>--security</c>).</summary>
    public bool Security { get; private set; }

    /// <summary>The deadline of each input; <see langword="null"/> for the library's default.</summary>
    public TimeSpan? Timeout { get; private set; }

    /// <summary>Whether to query over TCP only.</summary>
    public bool TcpOnly { get; private set; }

    /// <summary>The address family order (R17).</summary>
    public AddressFamilyPreference Family { get; private set; } = AddressFamilyPreference.Both;

    /// <summary>Whether loopback addresses pass the address filter (R18).</summary>
    public bool AllowLoopback { get; private set; }

    /// <summary>Whether exchanges written as IP addresses are used (R10).</summary>
    public bool AllowIPExchange { get; private set; }

    /// <summary>The names of this host, for self-pruning (R14).</summary>
    public List<string> LocalNames { get; } = [];

    /// <summary>The file of inputs (<c>-</c> for standard input), or <see langword="null"/> when the inputs are arguments.</summary>
    public string? InputFile { get; private set; }

    /// <summary>Whether list-mode results are written in input order instead of as they complete.</summary>
    public bool Ordered { get; private set; }

    /// <summary>How many inputs are resolved at once.</summary>
    public int Concurrency { get; private set; } = MxBulkResolutionOptions.DefaultMaxConcurrency;

    /// <summary>Whether <c>--help</c> was given; nothing else is done then.</summary>
    public bool ShowHelp { get; private set; }

    /// <summary>Parses the arguments.</summary>
    /// <param name="args">The command line, without the program name.</param>
    /// <param name="options">The options when parsing succeeded.</param>
    /// <param name="error">One sentence saying what is wrong when it failed.</param>
    /// <returns>Whether the arguments are valid.</returns>
    public static bool TryParse(IReadOnlyList<string> args, out CommandLineOptions options, out string? error)
    {
        options = new CommandLineOptions();
        error = options.Parse(args);
        return error is null;
    }

    /// <summary>The library settings these options stand for.</summary>
    public MxResolverOptions ToResolverOptions()
    {
        var resolverOptions = new MxResolverOptions
        {
            UseTcpOnly = TcpOnly,
            AddressFamily = Family,
            AllowIPLiteralExchanges = AllowIPExchange,
        };
        foreach (string server in NameServers)
        {
            resolverOptions.NameServers.Add(server);
        }

        foreach (string name in LocalNames)
        {
            resolverOptions.LocalHostNames.Add(name);
        }

        if (Timeout is { } timeout)
        {
            resolverOptions.ResolutionTimeout = timeout;
        }

        if (AllowLoopback)
        {
            resolverOptions.BlockedAddresses &= ~AddressCategories.Loopback;
        }

        return resolverOptions;
    }

    private string? Parse(IReadOnlyList<string> args)
    {
        bool onlyInputs = false;
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (onlyInputs || arg.Length < 2 || arg[0] != '-')
            {
                Inputs.Add(arg);
                continue;
            }

            if (arg == "--")
            {
                onlyInputs = true;
                continue;
            }

            // --name=value is accepted as well as --name value.
            int equals = arg.IndexOf('=', StringComparison.Ordinal);
            string name = equals > 0 ? arg[..equals] : arg;
            string? inlineValue = equals > 0 ? arg[(equals + 1)..] : null;

            string? error = name switch
            {
                "-h" or "--help" => Flag(name, inlineValue, () => ShowHelp = true),
                "--json" => Flag(name, inlineValue, () => Json = true),
                "--security" => Flag(name, inlineValue, () => Security = true),
                "--tcp" => Flag(name, inlineValue, () => TcpOnly = true),
                "--ordered" => Flag(name, inlineValue, () => Ordered = true),
                "--file" => WithValue(name, "<path>", inlineValue, args, ref i, SetFile),
                "--concurrency" => WithValue(name, "<n>", inlineValue, args, ref i, SetConcurrency),
                "--allow-loopback" => Flag(name, inlineValue, () => AllowLoopback = true),
                "--allow-ip-exchange" => Flag(name, inlineValue, () => AllowIPExchange = true),
                "--server" => WithValue(name, "<ip>[:<port>]", inlineValue, args, ref i, AddServer),
                "--timeout" => WithValue(name, "<ms>", inlineValue, args, ref i, SetTimeout),
                "--family" => WithValue(name, "<order>", inlineValue, args, ref i, SetFamily),
                "--local-name" => WithValue(name, "<host>", inlineValue, args, ref i, AddLocalName),
                _ => $"unknown option '{name}'",
            };
            if (error is not null)
            {
                return error;
            }
        }

        if (ShowHelp)
        {
            return null;
        }

        if (InputFile is not null)
        {
            return Inputs.Count > 0 ? "give the inputs as arguments or with --file, not both"
                : Security ? "--security shows one domain at a time: give the inputs as arguments, not with --file"
                : null;
        }

        return Inputs.Count > 0 ? null : "no domain or email address given";
    }

    private static string? Flag(string name, string? inlineValue, Action set)
    {
        if (inlineValue is not null)
        {
            return $"option {name} takes no value";
        }

        set();
        return null;
    }

    private static string? WithValue(string name, string placeholder, string? inlineValue, IReadOnlyList<string> args, ref int index, Func<string, string?> apply)
    {
        string? value = inlineValue;
        if (value is null && index + 1 < args.Count && !args[index + 1].StartsWith("--", StringComparison.Ordinal))
        {
            value = args[++index];
        }

        return string.IsNullOrEmpty(value) ? $"option {name} needs a value: {name} {placeholder}" : apply(value);
    }

    private string? AddServer(string text)
    {
        if (IsTransportEntry(text))
        {
            // tcp://, tls://, #name or ?pin=: the library's own parser checks the entry.
            try
            {
                using var probe = new DnsStubClient(new DnsStubClientOptions { NameServerEntries = { text } });
            }
            catch (FormatException e)
            {
                return $"--server '{text}': {e.Message}";
            }

            NameServers.Add(text);
            return null;
        }

        if (!TryParseServer(text, out IPEndPoint? server))
        {
            return $"--server '{text}' is not an IP address with an optional port 1-65535 (192.0.2.53, 192.0.2.53:5353, 2001:db8::53, [2001:db8::53]:5353), nor tcp://<ip> or tls://<ip>#<name>";
        }

        NameServers.Add(server.ToString());
        return null;
    }

    private static bool IsTransportEntry(string text)
        => text.Contains("://", StringComparison.Ordinal) || text.Contains('#', StringComparison.Ordinal) || text.Contains('?', StringComparison.Ordinal) || text.Contains('@', StringComparison.Ordinal);

    /// <summary>
    /// Parses <c>ip</c>, <c>ip:port</c>, <c>ipv6</c>, <c>[ipv6]</c> or <c>[ipv6]:port</c>; port 53 when
    /// omitted, an explicit port must be 1–65535.
    /// </summary>
    internal static bool TryParseServer(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IPEndPoint? server)
    {
        server = null;
        if (text.Length == 0 || char.IsWhiteSpace(text[0]) || char.IsWhiteSpace(text[^1]) || !IPEndPoint.TryParse(text, out IPEndPoint? parsed))
        {
            return false;
        }

        // IPEndPoint.TryParse reports a missing port as 0, and an explicit ":0" the same way.
        bool explicitPort = text[0] == '['
            ? text.Contains("]:", StringComparison.Ordinal)
            : parsed.AddressFamily == AddressFamily.InterNetwork && text.Contains(':', StringComparison.Ordinal);
        if (explicitPort && parsed.Port == 0)
        {
            return false;
        }

        server = parsed.Port == 0 ? new IPEndPoint(parsed.Address, 53) : parsed;
        return true;
    }

    private string? SetTimeout(string text)
    {
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int milliseconds) || milliseconds <= 0)
        {
            return $"--timeout '{text}' is not a positive whole number of milliseconds";
        }

        Timeout = TimeSpan.FromMilliseconds(milliseconds);
        return null;
    }

    private string? SetFile(string text)
    {
        InputFile = text;
        return null;
    }

    private string? SetConcurrency(string text)
    {
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int concurrency)
            || concurrency is < 1 or > MxBulkResolutionOptions.MaxConcurrencyLimit)
        {
            return $"--concurrency '{text}' is not a whole number from 1 to {MxBulkResolutionOptions.MaxConcurrencyLimit}";
        }

        Concurrency = concurrency;
        return null;
    }

    private string? SetFamily(string text)
    {
        AddressFamilyPreference? family = text.ToLowerInvariant() switch
        {
            "any" => AddressFamilyPreference.Both,
            "prefer-ipv6" => AddressFamilyPreference.PreferIPv6,
            "prefer-ipv4" => AddressFamilyPreference.PreferIPv4,
            "ipv4" => AddressFamilyPreference.IPv4Only,
            "ipv6" => AddressFamilyPreference.IPv6Only,
            _ => null,
        };
        if (family is null)
        {
            return $"--family '{text}' is not one of {string.Join(", ", FamilyNames)}";
        }

        Family = family.Value;
        return null;
    }

    private string? AddLocalName(string text)
    {
        // The library validates the name when the resolver is built (R3 rules apply).
        LocalNames.Add(text);
        return null;
    }
}
