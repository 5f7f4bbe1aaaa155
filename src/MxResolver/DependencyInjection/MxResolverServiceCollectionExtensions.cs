using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MxResolver.Caching;
using MxResolver.Diagnostics;
using MxResolver.Lookup;
using MxResolver.Policy;
using MxResolver.Resolution;
using MxResolver.Configuration;

namespace MxResolver;

/// <summary>Registers the MX resolver with a dependency-injection container.</summary>
/// <remarks>
/// <para>
/// Every overload registers the same services, once: calling them again (or several of them) adds
/// the configuration sources but never a second resolver. Registered: one singleton
/// <see cref="MailExchangeResolver"/>, also as <see cref="IMxResolver"/> and as
/// <see cref="IMxResolverCache"/> (to flush its cache), an <see cref="IMxConnector"/> over that
/// resolver (connection failover), <see cref="MxResolverOptions"/> with its
/// validators (run when the host starts, <see cref="OptionsBuilderExtensions.ValidateOnStart{TOptions}"/>),
/// and the internal DNS lookup chain and telemetry.
/// </para>
/// <para>
/// From the container the resolver takes a <see cref="TimeProvider"/> when the app registered one
/// (otherwise <see cref="TimeProvider.System"/>), the <see cref="ILoggerFactory"/> when present, and
/// the <see cref="IMeterFactory"/> when present for its <c>MxResolver</c> meter.
/// </para>
/// </remarks>
public static class MxResolverServiceCollectionExtensions
{
    /// <summary>The configuration section the options are usually bound from: <c>MxResolver</c>.</summary>
    public const string DefaultSectionName = ConfigurationKeys.Section;

    /// <summary>Registers <see cref="IMxResolver"/> with the default options (the system's name servers).</summary>
    /// <param name="services">The service collection.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    public static IServiceCollection AddMxResolver(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        return services.AddMxResolverCore();
    }

    /// <summary>Registers <see cref="IMxResolver"/>, configuring its options in code.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options; runs after any configuration binding registered before it.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="configure"/> is <see langword="null"/>.</exception>
    public static IServiceCollection AddMxResolver(this IServiceCollection services, Action<MxResolverOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.Configure(configure);
        return services.AddMxResolverCore();
    }

    /// <summary>
    /// Registers <see cref="IMxResolver"/>, binding its options from a configuration section,
    /// usually <c>builder.Configuration.GetSection("MxResolver")</c>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The section holding the <see cref="MxResolverOptions"/> keys (<c>NameServers</c>, <c>QueryTimeout</c>, <c>Cache</c>, ...).</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="configuration"/> is <see langword="null"/>.</exception>
    public static IServiceCollection AddMxResolver(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        // Bound by the configuration binding source generator (EnableConfigurationBindingGenerator): no reflection.
        services.Configure<MxResolverOptions>(configuration);
        return services.AddMxResolverCore();
    }

    private static IServiceCollection AddMxResolverCore(this IServiceCollection services)
    {
        services.AddOptions<MxResolverOptions>().ValidateOnStart();
        // The one rule set (OptionsRules), the same the constructors apply.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MxResolverOptions>, MxResolverOptionsValidator>());

        services.TryAddSingleton(static provider => new MxResolverTelemetry(provider.GetService<IMeterFactory>()));
        services.TryAddSingleton(CreateStack);
        services.TryAddSingleton<IDnsLookup>(static provider => provider.GetRequiredService<DnsStack>().Lookup);
        services.TryAddSingleton(CreateResolver);
        services.TryAddSingleton<IMxResolver>(static provider => provider.GetRequiredService<MailExchangeResolver>());
        services.TryAddSingleton<IMxResolverCache>(static provider => provider.GetRequiredService<MailExchangeResolver>());
        services.TryAddSingleton<IMxConnector>(CreateConnector);

        // Secure delivery: the policy questions go through the same (cached) lookup as resolutions.
        services.TryAddSingleton(static provider => new DnsPolicyLookups(provider.GetRequiredService<DnsStack>().Lookup));
        services.TryAddSingleton<IMtaStsPolicyStore>(CreatePolicyStore);
        services.TryAddSingleton(CreateFetcher);
        services.TryAddSingleton(static provider => new MtaStsPolicyCache(
            provider.GetRequiredService<IMtaStsPolicyStore>(),
            provider.GetRequiredService<MtaStsFetcher>().FetchAsync,
            TimeProviderOf(provider),
            logger: LoggerOf<MxSecurityResolver>(provider),
            telemetry: provider.GetRequiredService<MxResolverTelemetry>()));
        services.TryAddSingleton<IMxSecurityResolver>(CreateSecurityResolver);
        services.TryAddSingleton(static provider => new DaneVerifier(
            TimeProviderOf(provider),
            LoggerOf<DaneVerifier>(provider),
            provider.GetRequiredService<MxResolverTelemetry>()));
        return services;
    }

    private static DnsStack CreateStack(IServiceProvider provider)
    {
        MxResolverOptions options = provider.GetRequiredService<IOptions<MxResolverOptions>>().Value;
        return NetworkLookup.Create(
            ResolverSettings.From(options),
            options.Cache,
            TimeProviderOf(provider),
            provider.GetRequiredService<MxResolverTelemetry>(),
            provider.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance);
    }

    private static MailExchangeResolver CreateResolver(IServiceProvider provider)
    {
        MxResolverOptions options = provider.GetRequiredService<IOptions<MxResolverOptions>>().Value;
        ILoggerFactory loggers = provider.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
        return new MailExchangeResolver(
            options,
            provider.GetRequiredService<DnsStack>(),
            TimeProviderOf(provider),
            Random.Shared,
            loggers.CreateLogger<MailExchangeResolver>(),
            provider.GetRequiredService<MxResolverTelemetry>());
    }

    private static MxConnector CreateConnector(IServiceProvider provider)
    {
        MxResolverOptions options = provider.GetRequiredService<IOptions<MxResolverOptions>>().Value;
        ILoggerFactory loggers = provider.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
        return new MxConnector(
            provider.GetRequiredService<IMxResolver>(),
            options.Failover,
            TimeProviderOf(provider),
            loggers.CreateLogger<MxConnector>(),
            provider.GetRequiredService<MxResolverTelemetry>(),
            provider.GetService<IMxSecurityResolver>());
    }

    private static IMtaStsPolicyStore CreatePolicyStore(IServiceProvider provider)
    {
        string? directory = provider.GetRequiredService<IOptions<MxResolverOptions>>().Value.Security.MtaStsPolicyDirectory;
        return directory is null ? new InMemoryMtaStsPolicyStore() : new FileMtaStsPolicyStore(directory);
    }

    private static MtaStsFetcher CreateFetcher(IServiceProvider provider)
    {
        MxSecurityOptions security = provider.GetRequiredService<IOptions<MxResolverOptions>>().Value.Security;
        DnsPolicyLookups lookups = provider.GetRequiredService<DnsPolicyLookups>();
        return new MtaStsFetcher(
            new MtaStsFetchSettings(security.MtaStsFetchTimeout, security.MtaStsMaxPolicyBytes),
            lookups.LookupAddressesAsync,
            security.GetMtaStsHttpHandlerConfiguration(),
            TimeProviderOf(provider),
            provider.GetRequiredService<MxResolverTelemetry>());
    }

    private static MxSecurityResolver CreateSecurityResolver(IServiceProvider provider)
    {
        MxResolverOptions options = provider.GetRequiredService<IOptions<MxResolverOptions>>().Value;
        MxSecurityOptions security = options.Security;
        return new MxSecurityResolver(
            provider.GetRequiredService<IMxResolver>(),
            provider.GetRequiredService<DnsPolicyLookups>(),
            security.MtaSts ? provider.GetRequiredService<MtaStsPolicyCache>() : null,
            SecuritySettings.From(security, options.Cache.Enabled ? options.Cache.MaxEntries : 0),
            TimeProviderOf(provider),
            LoggerOf<MxSecurityResolver>(provider),
            provider.GetRequiredService<MxResolverTelemetry>());
    }

    private static ILogger LoggerOf<T>(IServiceProvider provider) => (provider.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger<T>();

    private static TimeProvider TimeProviderOf(IServiceProvider provider) => provider.GetService<TimeProvider>() ?? TimeProvider.System;
}
