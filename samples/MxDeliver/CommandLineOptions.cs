using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using MimeKit;
using MxResolver;

namespace MxDeliver;

/// <summary>The parsed command line of <c>mxdeliver</c>.</summary>
internal sealed class CommandLineOptions
{
    public const string HelpText = """
        mxdeliver: deliver one message straight to the recipient domain's mail exchangers,
        failing over from one to the next (MxResolver + MailKit).

        usage: mxdeliver --from <address> --to <address> --subject <text> [options]

          --from <address>          envelope and header sender
          --to <address>            the recipient; its domain's MX hosts are tried in order
          --subject <text>          the subject
          --body <text>             the plain-text body (default: empty)
          --server <ip[:port]>      a DNS server to ask (repeatable; default: the system's)
          --port <n>                the SMTP port of the exchangers (default: 25); TLSA records
                                    are looked up for it (_<n>._tcp.<host>)
          --allow-loopback          accept exchangers on 127.0.0.0/8 and ::1 (for tests)
          --connect-timeout <s>     seconds per connection attempt (default: 30)
          --greeting-timeout <s>    seconds to wait for each server's greeting (default: 30)
          --timeout <s>             seconds for the whole delivery (default: 120)
          --no-policy               ignore DANE and MTA-STS: opportunistic TLS with every exchanger
          --help                    this text

        TLS: each exchanger is held to what its DANE (TLSA) records or the domain's MTA-STS policy
        ask. DANE, or MTA-STS in enforce mode: STARTTLS is mandatory and the certificate verified;
        when either fails the message is not sent there and the next exchanger is tried. TLSA
        records none of which is usable: STARTTLS mandatory, any certificate. Otherwise STARTTLS
        when offered, no certificate check, plaintext when not offered (RFC 7435). An exchanger
        whose TLSA lookup failed is not tried (retry later). DANE needs a validating resolver on
        loopback (e.g. --server 127.0.0.1): answers from other servers count as insecure.

        exit codes: 0 accepted, 64 usage, 68 permanent failure, 75 temporary failure (retry later),
        78 no DNS server configured, 70 unexpected error

        """;

    public MailboxAddress From { get; private set; } = null!;

    public MailboxAddress To { get; private set; } = null!;

    public string Subject { get; private set; } = string.Empty;

    public string Body { get; private set; } = string.Empty;

    public List<string> Servers { get; } = [];

    public int Port { get; private set; } = 25;

    public bool AllowLoopback { get; private set; }

    public TimeSpan ConnectTimeout { get; private set; } = TimeSpan.FromSeconds(30);

    public TimeSpan GreetingTimeout { get; private set; } = TimeSpan.FromSeconds(30);

    public TimeSpan Timeout { get; private set; } = TimeSpan.FromMinutes(2);

    /// <summary>Whether to deliver without looking up DANE or MTA-STS (<c>--no-policy</c>): opportunistic TLS everywhere.</summary>
    public bool NoPolicy { get; private set; }

    public bool ShowHelp { get; private set; }

    /// <summary>The recipient's domain: where the message goes.</summary>
    public string RecipientDomain => To.Domain;

    public static bool TryParse(string[] args, out CommandLineOptions options, [NotNullWhen(false)] out string? error)
    {
        options = new CommandLineOptions();
        bool hasFrom = false, hasTo = false, hasSubject = false;
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            if (name is "--help" or "-h")
            {
                options.ShowHelp = true;
                error = null;
                return true;
            }

            if (name == "--allow-loopback")
            {
                options.AllowLoopback = true;
                continue;
            }

            if (name == "--no-policy")
            {
                options.NoPolicy = true;
                continue;
            }

            if (i + 1 >= args.Length || !name.StartsWith("--", StringComparison.Ordinal))
            {
                error = name.StartsWith("--", StringComparison.Ordinal) ? $"{name} needs a value" : $"unexpected argument '{name}'";
                return false;
            }

            string value = args[++i];
            switch (name)
            {
                case "--from" when TryMailbox(value, out MailboxAddress? from):
                    options.From = from;
                    hasFrom = true;
                    break;
                case "--to" when TryMailbox(value, out MailboxAddress? to):
                    options.To = to;
                    hasTo = true;
                    break;
                case "--from" or "--to":
                    error = $"{name}: '{value}' is not an email address";
                    return false;
                case "--subject":
                    options.Subject = value;
                    hasSubject = true;
                    break;
                case "--body":
                    options.Body = value;
                    break;
                case "--server":
                    options.Servers.Add(value);
                    break;
                case "--port" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port is > 0 and <= 65535:
                    options.Port = port;
                    break;
                case "--connect-timeout" when TrySeconds(value, out TimeSpan seconds):
                    options.ConnectTimeout = seconds;
                    break;
                case "--greeting-timeout" when TrySeconds(value, out TimeSpan seconds):
                    options.GreetingTimeout = seconds;
                    break;
                case "--timeout" when TrySeconds(value, out TimeSpan seconds):
                    options.Timeout = seconds;
                    break;
                case "--port" or "--connect-timeout" or "--greeting-timeout" or "--timeout":
                    error = $"{name}: '{value}' is out of range";
                    return false;
                default:
                    error = $"unknown option '{name}'";
                    return false;
            }
        }

        error = !hasFrom ? "--from is required" : !hasTo ? "--to is required" : !hasSubject ? "--subject is required" : null;
        return error is null;
    }

    public MxResolverOptions ToResolverOptions()
    {
        var options = new MxResolverOptions();
        Configure(options);
        return options;
    }

    /// <summary>Sets what the command line says on <paramref name="options"/> (e.g. from <c>AddMxResolver</c>).</summary>
    public void Configure(MxResolverOptions options)
    {
        options.BlockedAddresses = AllowLoopback ? AddressCategories.Default & ~AddressCategories.Loopback : AddressCategories.Default;
        options.Failover.ConnectTimeout = ConnectTimeout;
        options.Failover.GreetingTimeout = GreetingTimeout;
        options.Failover.OverallTimeout = Timeout;

        // TLSA records belong to the port mail is delivered on (RFC 7672 §2.2: _25._tcp for SMTP).
        options.Security.SmtpPort = Port;
        foreach (string server in Servers)
        {
            options.NameServers.Add(server);
        }
    }

    private static bool TryMailbox(string text, [NotNullWhen(true)] out MailboxAddress? mailbox)
    {
        mailbox = MailboxAddress.TryParse(text, out MailboxAddress? parsed) && parsed.Address.Contains('@', StringComparison.Ordinal) && parsed.Domain.Length > 0 ? parsed : null;
        return mailbox is not null;
    }

    private static bool TrySeconds(string text, out TimeSpan value)
    {
        bool ok = double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double seconds) && seconds > 0 && seconds <= 86_400;
        value = ok ? TimeSpan.FromSeconds(seconds) : default;
        return ok;
    }
}
