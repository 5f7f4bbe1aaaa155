using System.Globalization;
using System.Net;
using MxResolver.Input;
using MxResolver.Transport;

namespace MxResolver.Configuration;

/// <summary>
/// The one set of rules every setting of <see cref="MxResolverOptions"/>, <see cref="MxCacheOptions"/>
/// and <see cref="MxFailoverOptions"/> must meet: one row per setting (its configuration key and its
/// check), applied the same way whether the options come from dependency injection
/// (<see cref="MxResolverOptionsValidator"/>, run by <c>ValidateOnStart</c>), from configuration
/// binding, or from a constructor (<see cref="ThrowIfInvalid(MxResolverOptions)"/>).
/// </summary>
/// <remarks>
/// Every message names the setting by its configuration key path and shows the offending value
/// (<c>MxResolver:Cache:FailureTtl '00:10:00' exceeds ...</c>), whatever the source of the options:
/// keys are written as if the options were bound from the section <c>MxResolver</c>, so that the
/// message text under dependency injection and from a constructor is the same. Nothing is clamped
/// anywhere: a value outside its bounds is rejected.
/// </remarks>
internal static class OptionsRules
{
    /// <summary>The key path of <see cref="MxResolverOptions"/>: <c>MxResolver</c>.</summary>
    public const string ResolverSection = ConfigurationKeys.Section;

    /// <summary>The key path of <see cref="MxResolverOptions.Cache"/>: <c>MxResolver:Cache</c>.</summary>
    public const string CacheSection = ResolverSection + ":Cache";

    /// <summary>The key path of <see cref="MxResolverOptions.Failover"/>: <c>MxResolver:Failover</c>.</summary>
    public const string FailoverSection = ResolverSection + ":Failover";

    /// <summary>The key path of <see cref="MxResolverOptions.Security"/>: <c>MxResolver:Security</c>.</summary>
    public const string SecuritySection = ResolverSection + ":Security";

    /// <summary>
    /// The longest a failure may be cached: RFC 2308 §7.1 and RFC 9520 §3.2 forbid holding a
    /// server failure for more than five minutes.
    /// </summary>
    public static readonly TimeSpan MaxFailureTtl = TimeSpan.FromMinutes(5);

    private const AddressCategories AllCategories =
        AddressCategories.Unspecified | AddressCategories.Broadcast | AddressCategories.Multicast
        | AddressCategories.Loopback | AddressCategories.LinkLocal | AddressCategories.Private;

    /// <summary>The rules of the resolver's own settings (not <see cref="MxResolverOptions.Cache"/> or <see cref="MxResolverOptions.Failover"/>).</summary>
    public static IReadOnlyList<OptionRule<MxResolverOptions>> Resolver { get; } =
    [
        ForEach<MxResolverOptions>(ResolverSection, "NameServers", o => o.NameServers, static text => NameServerEndpoint.TryParseEntry(text, out _, out string? problem) ? null : "is not a valid name server entry: " + problem),
        Positive<MxResolverOptions>(ResolverSection, "QueryTimeout", o => o.QueryTimeout, allowInfinite: false),
        Between<MxResolverOptions>(ResolverSection, "QueryAttempts", o => o.QueryAttempts, 1, 10),
        Positive<MxResolverOptions>(ResolverSection, "ResolutionTimeout", o => o.ResolutionTimeout, allowInfinite: true),
        new(ResolverSection + ":AddressFamily", (o, key, failures) =>
        {
            if (!Enum.IsDefined(o.AddressFamily))
            {
                failures.Add(Format("{0} '{1}' is not one of Both, PreferIPv6, PreferIPv4, IPv4Only, IPv6Only.", key, o.AddressFamily));
            }
        }),
        new(ResolverSection + ":BlockedAddresses", (o, key, failures) =>
        {
            if ((o.BlockedAddresses & ~AllCategories) != 0)
            {
                failures.Add(Format("{0} '{1}' has undefined flags.", key, o.BlockedAddresses));
            }
        }),
        ForEach<MxResolverOptions>(ResolverSection, "LocalHostNames", o => o.LocalHostNames, static text =>
        {
            MxInput parsed = MxInputParser.ParseDomain(text ?? string.Empty, text ?? string.Empty);
            return parsed.Kind == MxInputKind.Domain ? null : "is not a valid host name: " + parsed.Error;
        }),
        ForEach<MxResolverOptions>(ResolverSection, "LocalAddresses", o => o.LocalAddresses, static text => text is not null && IPAddress.TryParse(text, out _) ? null : "is not an IP address."),
        ForEach<MxResolverOptions>(ResolverSection, "TrustedAuthenticatedDataServers", o => o.TrustedAuthenticatedDataServers, static text => text is not null && IPAddress.TryParse(text, out _) ? null : "is not an IP address."),
        Between<MxResolverOptions>(ResolverSection, "MaxTargets", o => o.MaxTargets, 1, 1_000),
        Between<MxResolverOptions>(ResolverSection, "MaxAddressesPerTarget", o => o.MaxAddressesPerTarget, 1, 1_000),
        Between<MxResolverOptions>(ResolverSection, "MaxAddresses", o => o.MaxAddresses, 1, 10_000),
    ];

    /// <summary>The rules of the cache settings (R24–R28).</summary>
    public static IReadOnlyList<OptionRule<MxCacheOptions>> Cache { get; } =
    [
        Between<MxCacheOptions>(CacheSection, "MaxEntries", o => o.MaxEntries, 1, 10_000_000),
        NotNegative<MxCacheOptions>(CacheSection, "MinimumTtl", o => o.MinimumTtl),
        Ordered<MxCacheOptions>(CacheSection, "MinimumTtl", o => o.MinimumTtl, "MaximumTtl", o => o.MaximumTtl),
        NotNegative<MxCacheOptions>(CacheSection, "MaximumTtl", o => o.MaximumTtl),
        NotNegative<MxCacheOptions>(CacheSection, "NegativeMinimumTtl", o => o.NegativeMinimumTtl),
        Ordered<MxCacheOptions>(CacheSection, "NegativeMinimumTtl", o => o.NegativeMinimumTtl, "NegativeMaximumTtl", o => o.NegativeMaximumTtl),
        NotNegative<MxCacheOptions>(CacheSection, "NegativeMaximumTtl", o => o.NegativeMaximumTtl),
        NotNegative<MxCacheOptions>(CacheSection, "NegativeTtlWithoutSoa", o => o.NegativeTtlWithoutSoa),
        Ordered<MxCacheOptions>(CacheSection, "NegativeTtlWithoutSoa", o => o.NegativeTtlWithoutSoa, "NegativeMaximumTtl", o => o.NegativeMaximumTtl),
        NotNegative<MxCacheOptions>(CacheSection, "FailureTtl", o => o.FailureTtl),
        new(CacheSection + ":FailureTtl", (o, key, failures) =>
        {
            // R26: RFC 2308 §7.1 and RFC 9520 §3.2.
            if (o.FailureTtl > MaxFailureTtl)
            {
                failures.Add(Format("{0} '{1}' exceeds the five minutes RFC 2308 §7.1 allows for caching a failure.", key, o.FailureTtl));
            }
        }),
        Positive<MxCacheOptions>(CacheSection, "MaxStaleAge", o => o.MaxStaleAge, allowInfinite: false),
        Positive<MxCacheOptions>(CacheSection, "StaleAnswerTtl", o => o.StaleAnswerTtl, allowInfinite: false),
    ];

    /// <summary>The rules of the failover settings (R20–R23).</summary>
    public static IReadOnlyList<OptionRule<MxFailoverOptions>> Failover { get; } =
    [
        Positive<MxFailoverOptions>(FailoverSection, "ConnectTimeout", o => o.ConnectTimeout, allowInfinite: false),
        Positive<MxFailoverOptions>(FailoverSection, "OverallTimeout", o => o.OverallTimeout, allowInfinite: true),
        Between<MxFailoverOptions>(FailoverSection, "MaxAttempts", o => o.MaxAttempts, 1, 1_000),
        NotNegative<MxFailoverOptions>(FailoverSection, "ConnectionAttemptDelay", o => o.ConnectionAttemptDelay),
        Positive<MxFailoverOptions>(FailoverSection, "GreetingTimeout", o => o.GreetingTimeout, allowInfinite: false),
        Positive<MxFailoverOptions>(FailoverSection, "HealthBackoff", o => o.HealthBackoff, allowInfinite: false),
        Ordered<MxFailoverOptions>(FailoverSection, "HealthBackoff", o => o.HealthBackoff, "MaxHealthBackoff", o => o.MaxHealthBackoff),
        Positive<MxFailoverOptions>(FailoverSection, "MaxHealthBackoff", o => o.MaxHealthBackoff, allowInfinite: false),
        Between<MxFailoverOptions>(FailoverSection, "MaxHealthEntries", o => o.MaxHealthEntries, 0, 10_000_000),
    ];

    /// <summary>The rules of the security settings.</summary>
    public static IReadOnlyList<OptionRule<MxSecurityOptions>> Security { get; } =
    [
        Between<MxSecurityOptions>(SecuritySection, "SmtpPort", o => o.SmtpPort, 1, 65_535),
        Positive<MxSecurityOptions>(SecuritySection, "MtaStsFetchTimeout", o => o.MtaStsFetchTimeout, allowInfinite: false),
        Between<MxSecurityOptions>(SecuritySection, "MtaStsMaxPolicyBytes", o => o.MtaStsMaxPolicyBytes, 1_024, 16_777_216),
        new(SecuritySection + ":MtaStsPolicyDirectory", (o, key, failures) =>
        {
            if (o.MtaStsPolicyDirectory is { } directory && (string.IsNullOrWhiteSpace(directory) || directory.IndexOfAny(Path.GetInvalidPathChars()) >= 0))
            {
                failures.Add(Format("{0} '{1}' is not a directory path.", key, directory));
            }
        }),
    ];

    /// <summary>
    /// Every failure of <paramref name="options"/> and its nested options: the resolver's settings,
    /// the cache and, when <paramref name="includeFailover"/>, the failover settings.
    /// </summary>
    public static List<string> Check(MxResolverOptions options, bool includeFailover)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        Apply(Resolver, options, failures);
        if (includeFailover)
        {
            CheckNested(options.Failover, FailoverSection, Failover, failures);
        }

        CheckNested(options.Cache, CacheSection, Cache, failures);
        CheckNested(options.Security, SecuritySection, Security, failures);
        return failures;
    }

    /// <summary>Every failure of the cache settings.</summary>
    public static List<string> Check(MxCacheOptions options)
    {
        var failures = new List<string>();
        CheckNested(options, CacheSection, Cache, failures);
        return failures;
    }

    /// <summary>Every failure of the failover settings.</summary>
    public static List<string> Check(MxFailoverOptions options)
    {
        var failures = new List<string>();
        CheckNested(options, FailoverSection, Failover, failures);
        return failures;
    }

    /// <summary>Every failure of the security settings.</summary>
    public static List<string> Check(MxSecurityOptions options)
    {
        var failures = new List<string>();
        CheckNested(options, SecuritySection, Security, failures);
        return failures;
    }

    /// <summary>
    /// Throws when a setting the resolver uses breaks a rule (its own settings and
    /// <see cref="MxResolverOptions.Cache"/>; <see cref="MxResolverOptions.Failover"/> is the connector's).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A rule is broken; the message is the one dependency injection reports.</exception>
    public static void ThrowIfInvalid(MxResolverOptions options) => ThrowIf(Check(options, includeFailover: false));

    /// <summary>Throws when a cache setting breaks a rule.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A rule is broken; the message is the one dependency injection reports.</exception>
    public static void ThrowIfInvalid(MxCacheOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ThrowIf(Check(options));
    }

    /// <summary>Throws when a failover setting breaks a rule.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A rule is broken; the message is the one dependency injection reports.</exception>
    public static void ThrowIfInvalid(MxFailoverOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ThrowIf(Check(options));
    }

    /// <summary>Throws when a security setting breaks a rule.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A rule is broken; the message is the one dependency injection reports.</exception>
    public static void ThrowIfInvalid(MxSecurityOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ThrowIf(Check(options));
    }

    private static void ThrowIf(List<string> failures)
    {
        if (failures.Count > 0)
        {
            // No parameter name: it would append "(Parameter 'options')" and make the text differ
            // from what dependency injection reports; the key path in the message is more precise.
            throw new ArgumentException(string.Join(" ", failures));
        }
    }

    private static void CheckNested<T>(T? options, string section, IReadOnlyList<OptionRule<T>> rules, List<string> failures)
        where T : class
    {
        if (options is null)
        {
            failures.Add(section + " must not be null.");
            return;
        }

        Apply(rules, options, failures);
    }

    private static void Apply<T>(IReadOnlyList<OptionRule<T>> rules, T options, List<string> failures)
    {
        foreach (OptionRule<T> rule in rules)
        {
            rule.Check(options, failures);
        }
    }

    private static OptionRule<T> Between<T>(string section, string name, Func<T, int?> value, int minimum, int maximum)
        => new(section + ":" + name, (o, key, failures) =>
        {
            // null: an optional setting left unset, which means its default.
            if (value(o) is int number && (number < minimum || number > maximum))
            {
                failures.Add(Format("{0} '{1}' must be between {2} and {3}.", key, number, minimum, maximum));
            }
        });

    private static OptionRule<T> Positive<T>(string section, string name, Func<T, TimeSpan?> value, bool allowInfinite)
        => new(section + ":" + name, (o, key, failures) =>
        {
            if (value(o) is not TimeSpan duration || (allowInfinite && duration == Timeout.InfiniteTimeSpan))
            {
                return;
            }

            // Timers take at most int.MaxValue milliseconds (about 24.8 days).
            if (duration <= TimeSpan.Zero || duration.TotalMilliseconds > int.MaxValue)
            {
                failures.Add(Format(
                    allowInfinite
                        ? "{0} '{1}' must be positive (and under 24 days), or -00:00:00.001 for none."
                        : "{0} '{1}' must be positive (and under 24 days).",
                    key,
                    duration));
            }
        });

    private static OptionRule<T> NotNegative<T>(string section, string name, Func<T, TimeSpan> value)
        => new(section + ":" + name, (o, key, failures) =>
        {
            TimeSpan duration = value(o);
            if (duration < TimeSpan.Zero)
            {
                failures.Add(Format("{0} '{1}' must not be negative.", key, duration));
            }
        });

    private static OptionRule<T> Ordered<T>(string section, string lowerName, Func<T, TimeSpan> lower, string upperName, Func<T, TimeSpan> upper)
        => new(section + ":" + lowerName, (o, key, failures) =>
        {
            TimeSpan low = lower(o);
            TimeSpan high = upper(o);
            if (low > high)
            {
                failures.Add(Format("{0} '{1}' is greater than {2}:{3} '{4}'.", key, low, section, upperName, high));
            }
        });

    private static OptionRule<T> ForEach<T>(string section, string name, Func<T, IList<string>?> list, Func<string?, string?> problemOf)
        => new(section + ":" + name, (o, key, failures) =>
        {
            IList<string>? items = list(o);
            if (items is null)
            {
                failures.Add(key + " must not be null.");
                return;
            }

            for (int i = 0; i < items.Count; i++)
            {
                string? item = items[i];
                if (problemOf(item) is { } problem)
                {
                    failures.Add(Format("{0}[{1}] '{2}' {3}", key, i, item, problem));
                }
            }
        });

    private static string Format(string format, params object?[] args) => string.Format(CultureInfo.InvariantCulture, format, args);
}

/// <summary>One row of <see cref="OptionsRules"/>: a setting's configuration key path and its check.</summary>
/// <typeparam name="T">The options type the setting belongs to.</typeparam>
/// <param name="key">The key path of the setting, e.g. <c>MxResolver:Cache:FailureTtl</c>.</param>
/// <param name="check">Adds a message per broken rule; given the options, the key and the list.</param>
internal sealed class OptionRule<T>(string key, Action<T, string, List<string>> check)
{
    /// <summary>The key path of the setting, e.g. <c>MxResolver:Cache:FailureTtl</c>.</summary>
    public string Key { get; } = key;

    /// <summary>Adds a message to <paramref name="failures"/> for each rule <paramref name="options"/> breaks.</summary>
    public void Check(T options, List<string> failures) => check(options, Key, failures);
}
