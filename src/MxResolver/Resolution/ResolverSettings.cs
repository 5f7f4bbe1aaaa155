using System.Collections.Frozen;
using System.Net;
using MxResolver.Configuration;
using MxResolver.Input;

namespace MxResolver.Resolution;

/// <summary>
/// A validated (<see cref="OptionsRules"/>), immutable copy of <see cref="MxResolverOptions"/>, taken when the resolver is
/// built so that later changes to the options object cannot tear a resolution in progress.
/// </summary>
internal sealed class ResolverSettings
{
    private ResolverSettings()
    {
    }

    /// <summary>The validated name server entries (<c>[udp|tcp|tls://]address...</c>), trimmed.</summary>
    public required IReadOnlyList<string> NameServers { get; init; }

    public required TimeSpan? QueryTimeout { get; init; }

    public required int? QueryAttempts { get; init; }

    public required bool UseTcpOnly { get; init; }

    public required bool TrustLoopbackAuthenticatedData { get; init; }

    public required IReadOnlyList<IPAddress> TrustedAuthenticatedDataServers { get; init; }

    public required TimeSpan ResolutionTimeout { get; init; }

    public required AddressFamilyPreference AddressFamily { get; init; }

    public required AddressCategories BlockedAddresses { get; init; }

    public required bool AllowIPLiteralExchanges { get; init; }

    /// <summary>Local host names in A-label form, lower case, without trailing dot.</summary>
    public required FrozenSet<string> LocalHostNames { get; init; }

    /// <summary>Local addresses, IPv4-mapped ones unwrapped (<see cref="AddressClassifier.Normalize"/>).</summary>
    public required FrozenSet<IPAddress> LocalAddresses { get; init; }

    public required int MaxTargets { get; init; }

    public required int MaxAddressesPerTarget { get; init; }

    public required int MaxAddresses { get; init; }

    /// <summary>Checks <paramref name="options"/> against <see cref="OptionsRules"/> and copies it.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A setting breaks a rule; the message names its configuration key.</exception>
    public static ResolverSettings From(MxResolverOptions options)
    {
        OptionsRules.ThrowIfInvalid(options);

        // The rules have parsed every entry already; the stub client parses them again.
        string[] servers = [.. options.NameServers.Select(static s => s.Trim())];

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (string name in options.LocalHostNames)
        {
            names.Add(MxInputParser.ParseDomain(name, name).AsciiDomain!);
        }

        var addresses = new HashSet<IPAddress>();
        foreach (string text in options.LocalAddresses)
        {
            addresses.Add(AddressClassifier.Normalize(IPAddress.Parse(text)));
        }

        return new ResolverSettings
        {
            NameServers = servers,
            QueryTimeout = options.QueryTimeout,
            QueryAttempts = options.QueryAttempts,
            UseTcpOnly = options.UseTcpOnly,
            TrustLoopbackAuthenticatedData = options.TrustLoopbackAuthenticatedData,
            TrustedAuthenticatedDataServers = [.. options.TrustedAuthenticatedDataServers.Select(IPAddress.Parse)],
            ResolutionTimeout = options.ResolutionTimeout,
            AddressFamily = options.AddressFamily,
            BlockedAddresses = options.BlockedAddresses,
            AllowIPLiteralExchanges = options.AllowIPLiteralExchanges,
            LocalHostNames = names.ToFrozenSet(StringComparer.Ordinal),
            LocalAddresses = addresses.ToFrozenSet(),
            MaxTargets = options.MaxTargets,
            MaxAddressesPerTarget = options.MaxAddressesPerTarget,
            MaxAddresses = options.MaxAddresses,
        };
    }
}
