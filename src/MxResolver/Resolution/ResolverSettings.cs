using System.Collections.Frozen;
using System.Globalization;
using System.Net;
using MxResolver.Input;

namespace MxResolver.Resolution;

/// <summary>
/// A validated, immutable copy of <see cref="MxResolverOptions"/>, taken when the resolver is
/// built so that later changes to the options object cannot tear a resolution in progress.
/// </summary>
internal sealed class ResolverSettings
{
    private ResolverSettings()
    {
    }

    public required IReadOnlyList<IPEndPoint> NameServers { get; init; }

    public required TimeSpan? QueryTimeout { get; init; }

    public required int? QueryAttempts { get; init; }

    public required bool UseTcpOnly { get; init; }

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

    /// <summary>Validates and copies <paramref name="options"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> or one of its lists is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A setting is out of range or cannot be parsed.</exception>
    public static ResolverSettings From(MxResolverOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.NameServers, nameof(options.NameServers));
        ArgumentNullException.ThrowIfNull(options.LocalHostNames, nameof(options.LocalHostNames));
        ArgumentNullException.ThrowIfNull(options.LocalAddresses, nameof(options.LocalAddresses));

        if (options.QueryTimeout is TimeSpan queryTimeout)
        {
            RequirePositive(queryTimeout, nameof(options.QueryTimeout), allowInfinite: false);
        }

        RequirePositive(options.ResolutionTimeout, nameof(options.ResolutionTimeout), allowInfinite: true);
        if (options.QueryAttempts is int attempts)
        {
            RequireAtLeastOne(attempts, nameof(options.QueryAttempts));
        }

        RequireAtLeastOne(options.MaxTargets, nameof(options.MaxTargets));
        RequireAtLeastOne(options.MaxAddressesPerTarget, nameof(options.MaxAddressesPerTarget));
        RequireAtLeastOne(options.MaxAddresses, nameof(options.MaxAddresses));
        if (!Enum.IsDefined(options.AddressFamily))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.AddressFamily, $"{nameof(options.AddressFamily)} is not a defined value.");
        }

        var servers = new List<IPEndPoint>(options.NameServers.Count);
        foreach (string server in options.NameServers)
        {
            servers.Add(ParseNameServer(server));
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (string name in options.LocalHostNames)
        {
            MxInput parsed = MxInputParser.ParseDomain(name ?? string.Empty, name ?? string.Empty);
            if (parsed.Kind != MxInputKind.Domain)
            {
                throw new ArgumentException($"The local host name '{name}' is invalid: {parsed.Error}", nameof(options));
            }

            names.Add(parsed.AsciiDomain!);
        }

        var addresses = new HashSet<IPAddress>();
        foreach (string text in options.LocalAddresses)
        {
            if (!IPAddress.TryParse(text, out IPAddress? address))
            {
                throw new ArgumentException($"The local address '{text}' is not an IP address.", nameof(options));
            }

            addresses.Add(AddressClassifier.Normalize(address));
        }

        return new ResolverSettings
        {
            NameServers = servers,
            QueryTimeout = options.QueryTimeout,
            QueryAttempts = options.QueryAttempts,
            UseTcpOnly = options.UseTcpOnly,
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

    /// <summary>Parses <c>192.0.2.53</c>, <c>192.0.2.53:5353</c>, <c>2001:db8::53</c> or <c>[2001:db8::53]:5353</c>.</summary>
    /// <exception cref="ArgumentException">The text is not an address with an optional port.</exception>
    internal static IPEndPoint ParseNameServer(string? text)
    {
        if (text is null || !IPEndPoint.TryParse(text.Trim(), out IPEndPoint? endPoint))
        {
            throw new ArgumentException($"The name server '{text}' is not an IP address with an optional port.", nameof(MxResolverOptions.NameServers));
        }

        // IPEndPoint.TryParse leaves the port 0 when the text has none.
        return endPoint.Port == 0 ? new IPEndPoint(endPoint.Address, 53) : endPoint;
    }

    private static void RequirePositive(TimeSpan value, string name, bool allowInfinite)
    {
        if (allowInfinite && value == Timeout.InfiniteTimeSpan)
        {
            return;
        }

        // Timers take at most int.MaxValue milliseconds (about 24.8 days).
        if (value <= TimeSpan.Zero || value.TotalMilliseconds > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(name, value, string.Create(CultureInfo.InvariantCulture, $"{name} must be positive and under 24 days."));
        }
    }

    private static void RequireAtLeastOne(int value, string name)
    {
        if (value < 1)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be at least 1.");
        }
    }
}
