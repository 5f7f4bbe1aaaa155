using System.Globalization;
using MxResolver;

namespace MxLookup;

internal static partial class ResolutionPrinter
{
    /// <summary>
    /// Writes one block: a status line, one line per target (preference, host, addresses) in
    /// attempt order, then the warnings and everything that was dropped, with the reason.
    /// </summary>
    /// <example>
    /// <code>
    /// plain.mx.test: success, ttl 300 s
    ///   10  mx1.plain.mx.test  2001:db8::11, 192.0.2.11
    ///   20  mx2.plain.mx.test  2001:db8::12, 192.0.2.12
    /// </code>
    /// </example>
    public static void WriteText(TextWriter writer, MxResolution result)
    {
        writer.WriteLine(StatusLine(result));

        // The domain when the input was an address or an internationalised name: what was queried.
        if (result.Domain is { } domain)
        {
            bool idn = result.AsciiDomain is { } a && a != domain;
            if (idn || !string.Equals(domain, result.Input.TrimEnd('.'), StringComparison.OrdinalIgnoreCase))
            {
                writer.WriteLine(idn ? $"  domain: {domain} ({result.AsciiDomain})" : $"  domain: {domain}");
            }
        }

        if (result.Aliases.Count > 0 && result.CanonicalName is { } canonical)
        {
            writer.WriteLine($"  alias: {string.Join(" -> ", result.Aliases.Append(canonical))}");
        }

        int preferenceWidth = result.Targets.Select(t => Digits(t.Preference)).DefaultIfEmpty(0).Max();
        int hostWidth = result.Targets.Select(t => TargetName(t).Length).DefaultIfEmpty(0).Max();
        foreach (MxTarget target in result.Targets)
        {
            writer.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"  {target.Preference.ToString(CultureInfo.InvariantCulture).PadLeft(preferenceWidth)}  {TargetName(target).PadRight(hostWidth)}  {string.Join(", ", target.Addresses)}"));
        }

        if (result.Error is { } error)
        {
            writer.WriteLine($"  error: {error}");
        }

        foreach (string warning in result.Warnings)
        {
            writer.WriteLine($"  warning: {warning}");
        }

        foreach (DroppedExchange dropped in result.DroppedExchanges)
        {
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  dropped exchange: {dropped.Preference} {dropped.Host}: {Describe(dropped.Reason)}"));
        }

        foreach (DroppedAddress dropped in result.DroppedAddresses)
        {
            writer.WriteLine($"  dropped address: {dropped.Address} of {dropped.Host}: {Describe(dropped)}");
        }
    }

    private static string StatusLine(MxResolution result)
    {
        string line = $"{result.Input}: {StatusName(result.Status)}";
        if (!result.IsSuccess)
        {
            line += $", {(result.IsTemporaryFailure ? "temporary" : "permanent")} failure {result.EnhancedStatusCode}";
        }

        if (TtlSeconds(result) is { } ttl)
        {
            line += string.Create(CultureInfo.InvariantCulture, $", ttl {ttl} s");
        }

        // Only secure answers are marked: most domains are unsigned, and their output stays as it was.
        if (result.IsMxSecure)
        {
            line += ", dnssec secure";
        }

        return line;
    }

    private static string TargetName(MxTarget target)
        => (target.IsImplicit ? $"{target.Host} (implicit)" : target.Host) + (target.IsSecure ? " (dnssec)" : string.Empty);

    private static int Digits(ushort value) => value.ToString(CultureInfo.InvariantCulture).Length;

    private static string Describe(ExchangeDropReason reason) => reason switch
    {
        ExchangeDropReason.NullMx => "null MX next to real exchanges, ignored",
        ExchangeDropReason.InvalidHostName => "not a valid host name",
        ExchangeDropReason.IPAddressExchange => "an IP address, not a host name (--allow-ip-exchange uses it)",
        ExchangeDropReason.Duplicate => "listed again, kept at its best preference",
        ExchangeDropReason.SelfPruned => "this host or a worse preference than it (--local-name)",
        ExchangeDropReason.NoAddress => "no such host or no address",
        ExchangeDropReason.LookupFailed => "address lookup failed",
        ExchangeDropReason.NoUsableAddress => "no usable address",
        ExchangeDropReason.LimitExceeded => "over the limit of targets",
        _ => reason.ToString(),
    };

    private static string Describe(DroppedAddress dropped) => dropped.Reason switch
    {
        AddressDropReason.Blocked when dropped.Category.HasFlag(AddressCategories.Loopback) => "blocked: loopback (--allow-loopback keeps it)",
        AddressDropReason.Blocked => $"blocked: {CategoryName(dropped.Category)}",
        AddressDropReason.Duplicate => "already listed under a better target",
        AddressDropReason.ExcludedFamily => "excluded by --family",
        AddressDropReason.LimitExceeded => "over the limit of addresses",
        _ => dropped.Reason.ToString(),
    };

    private static string CategoryName(AddressCategories category) => category switch
    {
        AddressCategories.Unspecified => "unspecified",
        AddressCategories.Broadcast => "broadcast",
        AddressCategories.Multicast => "multicast",
        AddressCategories.LinkLocal => "link-local",
        AddressCategories.Private => "private",
        _ => category.ToString().ToLowerInvariant(),
    };
}
