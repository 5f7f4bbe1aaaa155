using System.Globalization;
using System.Net;
using Microsoft.Extensions.Options;
using MxResolver.Resolution;
using MxResolver.Input;

namespace MxResolver.Configuration;

/// <summary>
/// Checks what attributes cannot express: that name servers and local names and addresses parse,
/// that durations are positive and clamps are ordered, and that failures are never cached longer
/// than five minutes. Every message names the configuration key and the offending value.
/// </summary>
/// <remarks>
/// Keys are written as if the options were bound from the section
/// <c>MxResolver</c>, whatever their source.
/// </remarks>
internal sealed class MxResolverOptionsConsistencyValidator : IValidateOptions<MxResolverOptions>
{
    private const string Prefix = ConfigurationKeys.Section + ":";

    public ValidateOptionsResult Validate(string? name, MxResolverOptions options)
    {
        if (name is not null && name != Options.DefaultName)
        {
            return ValidateOptionsResult.Skip; // the library registers and reads only the default options
        }

        List<string> failures = Check(options);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Every inconsistency of <paramref name="options"/>, as messages naming key and value.</summary>
    public static List<string> Check(MxResolverOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();

        if (options.NameServers is null)
        {
            failures.Add(Prefix + "NameServers must not be null.");
        }
        else
        {
            for (int i = 0; i < options.NameServers.Count; i++)
            {
                string? server = options.NameServers[i];
                if (server is null || !IPEndPoint.TryParse(server.Trim(), out _))
                {
                    failures.Add(Format("{0}NameServers[{1}] '{2}' is not an IP address with an optional port.", Prefix, i, server));
                }
            }
        }

        if (options.QueryTimeout is TimeSpan queryTimeout)
        {
            RequirePositive(failures, "QueryTimeout", queryTimeout, allowInfinite: false);
        }

        RequirePositive(failures, "ResolutionTimeout", options.ResolutionTimeout, allowInfinite: true);
        if (!Enum.IsDefined(options.AddressFamily))
        {
            failures.Add(Format("{0}AddressFamily '{1}' is not one of Both, PreferIPv6, PreferIPv4, IPv4Only, IPv6Only.", Prefix, options.AddressFamily));
        }

        if ((options.BlockedAddresses & ~AllCategories) != 0)
        {
            failures.Add(Format("{0}BlockedAddresses '{1}' has undefined flags.", Prefix, options.BlockedAddresses));
        }

        if (options.LocalHostNames is null)
        {
            failures.Add(Prefix + "LocalHostNames must not be null.");
        }
        else
        {
            for (int i = 0; i < options.LocalHostNames.Count; i++)
            {
                string? host = options.LocalHostNames[i];
                MxInput parsed = MxInputParser.ParseDomain(host ?? string.Empty, host ?? string.Empty);
                if (parsed.Kind != MxInputKind.Domain)
                {
                    failures.Add(Format("{0}LocalHostNames[{1}] '{2}' is not a valid host name: {3}", Prefix, i, host, parsed.Error));
                }
            }
        }

        if (options.LocalAddresses is null)
        {
            failures.Add(Prefix + "LocalAddresses must not be null.");
        }
        else
        {
            for (int i = 0; i < options.LocalAddresses.Count; i++)
            {
                string? address = options.LocalAddresses[i];
                if (address is null || !IPAddress.TryParse(address, out _))
                {
                    failures.Add(Format("{0}LocalAddresses[{1}] '{2}' is not an IP address.", Prefix, i, address));
                }
            }
        }

        if (options.Failover is null)
        {
            failures.Add(Prefix + "Failover must not be null.");
        }
        else
        {
            CheckFailover(failures, options.Failover);
        }

        if (options.Cache is null)
        {
            failures.Add(Prefix + "Cache must not be null.");
        }
        else
        {
            CheckCache(failures, options.Cache);
        }

        return failures;
    }

    private static void CheckCache(List<string> failures, MxCacheOptions cache)
    {
        const string Cache = "Cache:";
        RequireNotNegative(failures, Cache + "MinimumTtl", cache.MinimumTtl);
        RequireNotNegative(failures, Cache + "MaximumTtl", cache.MaximumTtl);
        RequireNotNegative(failures, Cache + "NegativeMinimumTtl", cache.NegativeMinimumTtl);
        RequireNotNegative(failures, Cache + "NegativeMaximumTtl", cache.NegativeMaximumTtl);
        RequireNotNegative(failures, Cache + "NegativeTtlWithoutSoa", cache.NegativeTtlWithoutSoa);
        RequireNotNegative(failures, Cache + "FailureTtl", cache.FailureTtl);
        RequirePositive(failures, Cache + "MaxStaleAge", cache.MaxStaleAge, allowInfinite: false);
        RequirePositive(failures, Cache + "StaleAnswerTtl", cache.StaleAnswerTtl, allowInfinite: false);

        RequireOrdered(failures, Cache + "MinimumTtl", cache.MinimumTtl, Cache + "MaximumTtl", cache.MaximumTtl);
        RequireOrdered(failures, Cache + "NegativeMinimumTtl", cache.NegativeMinimumTtl, Cache + "NegativeMaximumTtl", cache.NegativeMaximumTtl);
        RequireOrdered(failures, Cache + "NegativeTtlWithoutSoa", cache.NegativeTtlWithoutSoa, Cache + "NegativeMaximumTtl", cache.NegativeMaximumTtl);

        // RFC 2308 §7.1 and RFC 9520 §3.2: a failure must not be cached for more than five minutes.
        if (cache.FailureTtl > MxCacheOptions.MaxFailureTtl)
        {
            failures.Add(Format("{0}Cache:FailureTtl '{1}' exceeds the five minutes RFC 2308 §7.1 allows for caching a failure.", Prefix, cache.FailureTtl));
        }
    }

    private static void CheckFailover(List<string> failures, MxFailoverOptions failover)
    {
        const string Failover = "Failover:";
        RequirePositive(failures, Failover + "ConnectTimeout", failover.ConnectTimeout, allowInfinite: false);
        RequirePositive(failures, Failover + "OverallTimeout", failover.OverallTimeout, allowInfinite: true);
        RequirePositive(failures, Failover + "GreetingTimeout", failover.GreetingTimeout, allowInfinite: false);
        RequirePositive(failures, Failover + "HealthBackoff", failover.HealthBackoff, allowInfinite: false);
        RequirePositive(failures, Failover + "MaxHealthBackoff", failover.MaxHealthBackoff, allowInfinite: false);
        RequireNotNegative(failures, Failover + "ConnectionAttemptDelay", failover.ConnectionAttemptDelay);
        RequireOrdered(failures, Failover + "HealthBackoff", failover.HealthBackoff, Failover + "MaxHealthBackoff", failover.MaxHealthBackoff);
        RequireBetween(failures, Failover + "MaxAttempts", failover.MaxAttempts, 1, 1_000);
        RequireBetween(failures, Failover + "MaxHealthEntries", failover.MaxHealthEntries, 0, 10_000_000);
    }

    private static void RequireBetween(List<string> failures, string key, int value, int minimum, int maximum)
    {
        if (value < minimum || value > maximum)
        {
            failures.Add(Format("{0}{1} '{2}' must be between {3} and {4}.", Prefix, key, value, minimum, maximum));
        }
    }

    private static void RequirePositive(List<string> failures, string key, TimeSpan value, bool allowInfinite)
    {
        if (allowInfinite && value == Timeout.InfiniteTimeSpan)
        {
            return;
        }

        if (value <= TimeSpan.Zero || value.TotalMilliseconds > int.MaxValue)
        {
            failures.Add(Format(
                allowInfinite
                    ? "{0}{1} '{2}' must be positive (and under 24 days), or -00:00:00.001 for none."
                    : "{0}{1} '{2}' must be positive (and under 24 days).",
                Prefix,
                key,
                value));
        }
    }

    private static void RequireNotNegative(List<string> failures, string key, TimeSpan value)
    {
        if (value < TimeSpan.Zero)
        {
            failures.Add(Format("{0}{1} '{2}' must not be negative.", Prefix, key, value));
        }
    }

    private static void RequireOrdered(List<string> failures, string lowerKey, TimeSpan lower, string upperKey, TimeSpan upper)
    {
        if (lower > upper)
        {
            failures.Add(Format("{0}{1} '{2}' is greater than {0}{3} '{4}'.", Prefix, lowerKey, lower, upperKey, upper));
        }
    }

    private const AddressCategories AllCategories =
        AddressCategories.Unspecified | AddressCategories.Broadcast | AddressCategories.Multicast
        | AddressCategories.Loopback | AddressCategories.LinkLocal | AddressCategories.Private;

    private static string Format(string format, params object?[] args) => string.Format(CultureInfo.InvariantCulture, format, args);
}
