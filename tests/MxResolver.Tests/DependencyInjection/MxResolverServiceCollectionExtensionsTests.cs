using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using MxResolver.Resolution;
using MxResolver.Caching;
using MxResolver.Diagnostics;
using MxResolver.Dns;
using MxResolver.Lookup;
using MxResolver.Tests.Infrastructure;
using MxResolver.Configuration;

namespace MxResolver.Tests.DependencyInjection;

public sealed class MxResolverServiceCollectionExtensionsTests(UnboundFixture unbound)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void AddMxResolver_NullArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>("services", () => MxResolverServiceCollectionExtensions.AddMxResolver(null!));
        Assert.Throws<ArgumentNullException>("services", () => MxResolverServiceCollectionExtensions.AddMxResolver(null!, _ => { }));
        Assert.Throws<ArgumentNullException>("services", () => MxResolverServiceCollectionExtensions.AddMxResolver(null!, new ConfigurationBuilder().Build()));
        Assert.Throws<ArgumentNullException>("configure", () => new ServiceCollection().AddMxResolver((Action<MxResolverOptions>)null!));
        Assert.Throws<ArgumentNullException>("configuration", () => new ServiceCollection().AddMxResolver((IConfiguration)null!));
    }

    [Fact]
    public void AddMxResolver_EveryOverload_ReturnsTheSameCollection()
    {
        var services = new ServiceCollection();

        Assert.Same(services, services.AddMxResolver());
        Assert.Same(services, services.AddMxResolver(_ => { }));
        Assert.Same(services, services.AddMxResolver(DiTestServices.Configuration().GetSection("MxResolver")));
    }

    [Fact]
    public void AddMxResolver_CalledThreeTimes_RegistersEachServiceOnce()
    {
        var services = new ServiceCollection();
        services.AddMxResolver();
        services.AddMxResolver(options => options.MaxTargets = 5);
        services.AddMxResolver(DiTestServices.Configuration(("NameServers:0", "127.0.0.1:53")).GetSection("MxResolver"));

        Assert.Single(services, d => d.ServiceType == typeof(IMxResolver));
        Assert.Single(services, d => d.ServiceType == typeof(IMxResolverCache));
        Assert.Single(services, d => d.ServiceType == typeof(MailExchangeResolver));
        Assert.Single(services, d => d.ServiceType == typeof(IDnsLookup));
        Assert.Single(services, d => d.ServiceType == typeof(IMxConnector));
        Assert.Single(services, d => d.ServiceType == typeof(MxResolverTelemetry));
        Assert.Single(services, d => d.ServiceType == typeof(IValidateOptions<MxResolverOptions>)); // the one rule set

        using ServiceProvider provider = services.BuildServiceProvider();
        MxResolverOptions options = provider.GetRequiredService<IOptions<MxResolverOptions>>().Value;
        Assert.Equal(5, options.MaxTargets); // every configuration source still applies
        Assert.Equal(["127.0.0.1:53"], options.NameServers);
    }

    [Fact]
    public void AddMxResolver_Resolved_OneResolverBehindBothInterfacesAndACachedLookup()
    {
        using ServiceProvider provider = DiTestServices.Provider(null, ("NameServers:0", unbound.EndPoint.ToString()));

        var resolver = provider.GetRequiredService<IMxResolver>();
        Assert.IsType<MailExchangeResolver>(resolver);
        Assert.Same(resolver, provider.GetRequiredService<IMxResolverCache>());
        Assert.Same(resolver, provider.GetRequiredService<IMxResolver>());
        Assert.IsType<CachingDnsLookup>(provider.GetRequiredService<IDnsLookup>());
        Assert.IsType<MxConnector>(provider.GetRequiredService<IMxConnector>());
        Assert.Same(provider.GetRequiredService<IMxConnector>(), provider.GetRequiredService<IMxConnector>());
    }

    [Fact]
    public void AddMxResolver_CacheDisabled_LookupIsNotCached()
    {
        using ServiceProvider provider = DiTestServices.Provider(null, ("NameServers:0", unbound.EndPoint.ToString()), ("Cache:Enabled", "false"));

        Assert.IsType<DnsLookup>(provider.GetRequiredService<IDnsLookup>());
    }

    [Fact]
    public void AddMxResolver_Configuration_BindsEverySetting()
    {
        using ServiceProvider provider = DiTestServices.Provider(
            null,
            ("NameServers:0", "192.0.2.53"),
            ("NameServers:1", "[2001:db8::53]:5353"),
            ("QueryTimeout", "00:00:03"),
            ("QueryAttempts", "3"),
            ("UseTcpOnly", "true"),
            ("ResolutionTimeout", "00:00:45"),
            ("AddressFamily", "PreferIPv4"),
            ("BlockedAddresses", "Loopback, LinkLocal"),
            ("AllowIPLiteralExchanges", "true"),
            ("LocalHostNames:0", "mx.example.org"),
            ("LocalAddresses:0", "192.0.2.25"),
            ("MaxTargets", "7"),
            ("MaxAddressesPerTarget", "2"),
            ("MaxAddresses", "6"),
            ("Cache:Enabled", "false"),
            ("Cache:MaxEntries", "500"),
            ("Cache:MinimumTtl", "00:00:10"),
            ("Cache:MaximumTtl", "02:00:00"),
            ("Cache:NegativeMinimumTtl", "00:00:05"),
            ("Cache:NegativeMaximumTtl", "00:30:00"),
            ("Cache:NegativeTtlWithoutSoa", "00:00:15"),
            ("Cache:FailureTtl", "00:01:00"),
            ("Cache:ServeStale", "true"),
            ("Cache:MaxStaleAge", "3.00:00:00"),
            ("Cache:StaleAnswerTtl", "00:00:20"),
            ("Failover:ConnectTimeout", "00:00:07"),
            ("Failover:OverallTimeout", "00:01:00"),
            ("Failover:MaxAttempts", "4"),
            ("Failover:ConnectionAttemptDelay", "00:00:00.100"),
            ("Failover:CheckGreeting", "true"),
            ("Failover:GreetingTimeout", "00:00:09"),
            ("Failover:HealthBackoff", "00:00:10"),
            ("Failover:MaxHealthBackoff", "00:05:00"),
            ("Failover:MaxHealthEntries", "50"));

        MxResolverOptions options = provider.GetRequiredService<IOptions<MxResolverOptions>>().Value;

        Assert.Equal(["192.0.2.53", "[2001:db8::53]:5353"], options.NameServers);
        Assert.Equal(TimeSpan.FromSeconds(3), options.QueryTimeout);
        Assert.Equal(3, options.QueryAttempts);
        Assert.True(options.UseTcpOnly);
        Assert.Equal(TimeSpan.FromSeconds(45), options.ResolutionTimeout);
        Assert.Equal(AddressFamilyPreference.PreferIPv4, options.AddressFamily);
        Assert.Equal(AddressCategories.Loopback | AddressCategories.LinkLocal, options.BlockedAddresses);
        Assert.True(options.AllowIPLiteralExchanges);
        Assert.Equal(["mx.example.org"], options.LocalHostNames);
        Assert.Equal(["192.0.2.25"], options.LocalAddresses);
        Assert.Equal((7, 2, 6), (options.MaxTargets, options.MaxAddressesPerTarget, options.MaxAddresses));

        MxCacheOptions cache = options.Cache;
        Assert.False(cache.Enabled);
        Assert.Equal(500, cache.MaxEntries);
        Assert.Equal(TimeSpan.FromSeconds(10), cache.MinimumTtl);
        Assert.Equal(TimeSpan.FromHours(2), cache.MaximumTtl);
        Assert.Equal(TimeSpan.FromSeconds(5), cache.NegativeMinimumTtl);
        Assert.Equal(TimeSpan.FromMinutes(30), cache.NegativeMaximumTtl);
        Assert.Equal(TimeSpan.FromSeconds(15), cache.NegativeTtlWithoutSoa);
        Assert.Equal(TimeSpan.FromMinutes(1), cache.FailureTtl);
        Assert.True(cache.ServeStale);
        Assert.Equal(TimeSpan.FromDays(3), cache.MaxStaleAge);
        Assert.Equal(TimeSpan.FromSeconds(20), cache.StaleAnswerTtl);

        MxFailoverOptions failover = options.Failover;
        Assert.Equal(TimeSpan.FromSeconds(7), failover.ConnectTimeout);
        Assert.Equal(TimeSpan.FromMinutes(1), failover.OverallTimeout);
        Assert.Equal(4, failover.MaxAttempts);
        Assert.Equal(TimeSpan.FromMilliseconds(100), failover.ConnectionAttemptDelay);
        Assert.True(failover.CheckGreeting);
        Assert.Equal(TimeSpan.FromSeconds(9), failover.GreetingTimeout);
        Assert.Equal(TimeSpan.FromSeconds(10), failover.HealthBackoff);
        Assert.Equal(TimeSpan.FromMinutes(5), failover.MaxHealthBackoff);
        Assert.Equal(50, failover.MaxHealthEntries);
    }

    [Fact]
    public void AddMxResolver_NothingConfigured_CacheKeepsItsDefaults()
    {
        using ServiceProvider provider = DiTestServices.Provider(null);

        MxResolverOptions options = provider.GetRequiredService<IOptions<MxResolverOptions>>().Value;

        Assert.Empty(options.NameServers);
        Assert.Null(options.QueryTimeout);
        Assert.Null(options.QueryAttempts);
        Assert.Equal(AddressCategories.Default, options.BlockedAddresses);
        Assert.True(options.Cache.Enabled);
        var defaults = new MxCacheOptions();
        foreach (System.Reflection.PropertyInfo property in typeof(MxCacheOptions).GetProperties())
        {
            Assert.Equal(property.GetValue(defaults), property.GetValue(options.Cache));
        }
    }

    [Fact]
    public async Task AddMxResolver_SecurityResolverOverUnsignedZone_OpportunisticTargets()
    {
        // The fixture's zone is unsigned: nothing is secure, no MTA-STS or TLS-RPT record exists.
        using ServiceProvider provider = DiTestServices.Provider(null, ("NameServers:0", unbound.EndPoint.ToString()));
        IMxSecurityResolver security = provider.GetRequiredService<IMxSecurityResolver>();

        MxSecureResolution result = await security.ResolveSecureAsync("plain.mx.test", TestContext.Current.CancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Equal(MxResolutionStatus.Success, result.Resolution.Status);
        Assert.False(result.Resolution.IsMxSecure);
        Assert.NotEmpty(result.Targets);
        Assert.All(result.Targets, target =>
        {
            Assert.False(target.Target.IsSecure);
            Assert.Equal(MxTlsRequirement.Opportunistic, target.Requirement);
        });
        Assert.Same(security, provider.GetRequiredService<IMxSecurityResolver>());
    }

    [Fact]
    public async Task AddMxResolver_InvalidOptions_HostStartFails()
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection([new("MxResolver:NameServers:0", "300.1.1.1")]);
        builder.Services.AddMxResolver(builder.Configuration.GetSection("MxResolver"));
        using IHost host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct).WaitAsync(Bound, Ct));

        Assert.Contains("MxResolver:NameServers[0] '300.1.1.1' is not a valid name server entry: '300.1.1.1' is not an IP address (a name server is given by address; a host name may follow '#').", error.Failures);
    }

    [Fact]
    public async Task AddMxResolver_ValidOptions_HostStarts()
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection([new("MxResolver:NameServers:0", unbound.EndPoint.ToString())]);
        builder.Services.AddMxResolver(builder.Configuration.GetSection("MxResolver"));
        using IHost host = builder.Build();

        await host.StartAsync(Ct).WaitAsync(Bound, Ct);
        MxResolution result = await host.Services.GetRequiredService<IMxResolver>().ResolveAsync("plain.mx.test", Ct).AsTask().WaitAsync(Bound, Ct);
        await host.StopAsync(Ct).WaitAsync(Bound, Ct);

        Assert.Equal(MxResolutionStatus.Success, result.Status);
    }

    [Fact]
    public async Task AddMxResolver_AppTimeProvider_DrivesTheResolutionDeadline()
    {
        var time = new FakeTimeProvider();
        var lookup = new NeverAnsweringLookup();
        using ServiceProvider provider = DiTestServices.Provider(
            services =>
            {
                services.AddSingleton<TimeProvider>(time);
                services.AddSingleton(new DnsStack(lookup, AnswerCache: null));
            },
            ("ResolutionTimeout", "00:00:30"));

        ValueTask<MxResolution> pending = provider.GetRequiredService<IMxResolver>().ResolveAsync("example.org", Ct);
        await lookup.Started.WaitAsync(Bound, Ct);
        Assert.False(pending.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(30));
        MxResolution result = await pending.AsTask().WaitAsync(Bound, Ct);

        // Only the fake clock moved 30 s; the real one did not.
        Assert.Equal(MxResolutionStatus.TemporaryFailure, result.Status);
        Assert.Contains("deadline", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddMxResolver_LoggerFactory_LogsTemporaryFailuresFailoversAndFlushes()
    {
        using ServiceProvider provider = DiTestServices.Provider(
            services => services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Debug)).AddFakeLogging(),
            ("NameServers:0", "127.0.0.1:9"), // discard port: nothing answers, so the client fails over
            ("NameServers:1", unbound.EndPoint.ToString()),
            ("QueryTimeout", "00:00:02"));
        var resolver = provider.GetRequiredService<IMxResolver>();

        MxResolution result = await resolver.ResolveAsync("x.broken.mx.test", Ct).AsTask().WaitAsync(Bound, Ct);
        provider.GetRequiredService<IMxResolverCache>().Clear();

        Assert.Equal(MxResolutionStatus.TemporaryFailure, result.Status);
        IReadOnlyList<FakeLogRecord> logs = provider.GetFakeLogCollector().GetSnapshot();
        Assert.Contains(logs, log => log.Id.Id == 1000 && log.Category == typeof(DnsStubClient).FullName); // failover
        Assert.Contains(logs, log => log.Id.Id == 1004 && log.Category == typeof(DnsStubClient).FullName); // no server answered
        Assert.Contains(logs, log => log.Id.Id == 4002 && log.Category == typeof(MailExchangeResolver).FullName); // temporary failure
        Assert.Contains(logs, log => log.Id.Id == 1200 && log.Category == typeof(MailExchangeResolver).FullName); // flush
    }

    [Fact]
    public async Task AddMxResolver_EmailAddressInput_LogsTheDomainNeverTheLocalPart()
    {
        // An email address is personal data: resolution logs name the domain only.
        using ServiceProvider provider = DiTestServices.Provider(
            services => services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Debug)).AddFakeLogging(),
            ("NameServers:0", unbound.EndPoint.ToString()));
        var resolver = provider.GetRequiredService<IMxResolver>();

        MxResolution found = await resolver.ResolveAsync("jane.doe@plain.mx.test", Ct).AsTask().WaitAsync(Bound, Ct);
        MxResolution missing = await resolver.ResolveAsync("jane.doe@nxdomain.mx.test", Ct).AsTask().WaitAsync(Bound, Ct);
        MxResolution invalid = await resolver.ResolveAsync("jane.doe@bad..domain", Ct).AsTask().WaitAsync(Bound, Ct);

        Assert.Equal(MxResolutionStatus.Success, found.Status);
        Assert.Equal(MxResolutionStatus.NoSuchDomain, missing.Status);
        Assert.Equal(MxResolutionStatus.InvalidInput, invalid.Status);
        IReadOnlyList<FakeLogRecord> logs = provider.GetFakeLogCollector().GetSnapshot();
        Assert.Contains(logs, log => log.Id.Id == 4001 && log.Message.Contains("plain.mx.test", StringComparison.Ordinal));
        Assert.Contains(logs, log => log.Id.Id == 4002 && log.Message.Contains("nxdomain.mx.test", StringComparison.Ordinal));
        Assert.Contains(logs, log => log.Id.Id == 4002 && log.Message.Contains("(invalid input)", StringComparison.Ordinal));
        Assert.DoesNotContain(logs, log => log.Message.Contains("jane.doe", StringComparison.Ordinal));
    }

    /// <summary>A lookup that never answers, until cancelled.</summary>
    private sealed class NeverAnsweringLookup : IDnsLookup
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Started => _started.Task;

        public async ValueTask<DnsAnswer> LookupAsync(string name, DnsRecordType type, CancellationToken cancellationToken)
        {
            _started.TrySetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
            throw new InvalidOperationException("unreachable");
        }
    }
}
