using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MxResolver.Configuration;
using MxResolver.Tests.Failover;

namespace MxResolver.Tests.Configuration;

/// <summary>
/// The one rule set: every setting, fed out of range through dependency injection (configuration
/// binding, <c>ValidateOnStart</c>) and through the constructors, is rejected on both paths with
/// the same message naming its configuration key; the boundary values are accepted on both.
/// </summary>
public sealed class OptionsRulesTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Key (relative to <c>MxResolver</c>), configuration value, the message expected among the failures.</summary>
    public static TheoryData<string, string, string[]> OutOfRange => new()
    {
        { "NameServers:1", "300.1.1.1", ["MxResolver:NameServers[1] '300.1.1.1' is not a valid name server entry: '300.1.1.1' is not an IP address (a name server is given by address; a host name may follow '#')."] },
        { "NameServers:1", "tls://192.0.2.53", ["MxResolver:NameServers[1] 'tls://192.0.2.53' is not a valid name server entry: DNS over TLS needs an authentication name (#dns.example) or a pin (?pin=sha256/...): an unauthenticated server is never used (RFC 8310 strict profile)."] },
        { "NameServers:1", "quic://192.0.2.53", ["MxResolver:NameServers[1] 'quic://192.0.2.53' is not a valid name server entry: unknown scheme 'quic' (expected udp://, tcp:// or tls://)."] },
        { "NameServers:1", "tcp://192.0.2.53#dns.example", ["MxResolver:NameServers[1] 'tcp://192.0.2.53#dns.example' is not a valid name server entry: an authentication name or pin only applies to tls://, not tcp://."] },
        { "NameServers:1", "tls://192.0.2.53?pin=sha256/AAAA", ["MxResolver:NameServers[1] 'tls://192.0.2.53?pin=sha256/AAAA' is not a valid name server entry: the pin 'sha256/AAAA' is not the base64 of a 32-byte SHA-256 digest."] },
        { "NameServers:1", "192.0.2.53:70000", ["MxResolver:NameServers[1] '192.0.2.53:70000' is not a valid name server entry: the port '70000' is not a number from 1 to 65535."] },
        { "QueryTimeout", "00:00:00", ["MxResolver:QueryTimeout '00:00:00' must be positive (and under 24 days)."] },
        { "QueryTimeout", "25.00:00:00", ["MxResolver:QueryTimeout '25.00:00:00' must be positive (and under 24 days)."] },
        { "QueryAttempts", "0", ["MxResolver:QueryAttempts '0' must be between 1 and 10."] },
        { "QueryAttempts", "11", ["MxResolver:QueryAttempts '11' must be between 1 and 10."] },
        { "ResolutionTimeout", "-00:00:05", ["MxResolver:ResolutionTimeout '-00:00:05' must be positive (and under 24 days), or -00:00:00.001 for none."] },
        { "AddressFamily", "7", ["MxResolver:AddressFamily '7' is not one of Both, PreferIPv6, PreferIPv4, IPv4Only, IPv6Only."] },
        { "BlockedAddresses", "128", ["MxResolver:BlockedAddresses '128' has undefined flags."] },
        { "LocalHostNames:0", "bad..host", ["MxResolver:LocalHostNames[0] 'bad..host' is not a valid host name: The domain 'bad..host' has an empty label."] },
        { "LocalAddresses:0", "192.0.2.300", ["MxResolver:LocalAddresses[0] '192.0.2.300' is not an IP address."] },
        { "TrustedAuthenticatedDataServers:0", "192.0.2.300", ["MxResolver:TrustedAuthenticatedDataServers[0] '192.0.2.300' is not an IP address."] },
        { "MaxTargets", "0", ["MxResolver:MaxTargets '0' must be between 1 and 1000."] },
        { "MaxTargets", "1001", ["MxResolver:MaxTargets '1001' must be between 1 and 1000."] },
        { "MaxAddressesPerTarget", "0", ["MxResolver:MaxAddressesPerTarget '0' must be between 1 and 1000."] },
        { "MaxAddressesPerTarget", "1001", ["MxResolver:MaxAddressesPerTarget '1001' must be between 1 and 1000."] },
        { "MaxAddresses", "0", ["MxResolver:MaxAddresses '0' must be between 1 and 10000."] },
        { "MaxAddresses", "10001", ["MxResolver:MaxAddresses '10001' must be between 1 and 10000."] },
        { "Security:SmtpPort", "0", ["MxResolver:Security:SmtpPort '0' must be between 1 and 65535."] },
        { "Security:SmtpPort", "65536", ["MxResolver:Security:SmtpPort '65536' must be between 1 and 65535."] },
        { "Security:MtaStsFetchTimeout", "00:00:00", ["MxResolver:Security:MtaStsFetchTimeout '00:00:00' must be positive (and under 24 days)."] },
        { "Security:MtaStsMaxPolicyBytes", "1023", ["MxResolver:Security:MtaStsMaxPolicyBytes '1023' must be between 1024 and 16777216."] },
        { "Security:MtaStsMaxPolicyBytes", "16777217", ["MxResolver:Security:MtaStsMaxPolicyBytes '16777217' must be between 1024 and 16777216."] },
        { "Security:MtaStsPolicyDirectory", " ", ["MxResolver:Security:MtaStsPolicyDirectory ' ' is not a directory path."] },
        { "Cache:MaxEntries", "0", ["MxResolver:Cache:MaxEntries '0' must be between 1 and 10000000."] },
        { "Cache:MaxEntries", "10000001", ["MxResolver:Cache:MaxEntries '10000001' must be between 1 and 10000000."] },
        { "Cache:MinimumTtl", "-00:00:01", ["MxResolver:Cache:MinimumTtl '-00:00:01' must not be negative."] },
        { "Cache:MinimumTtl", "1.00:00:01", ["MxResolver:Cache:MinimumTtl '1.00:00:01' is greater than MxResolver:Cache:MaximumTtl '1.00:00:00'."] },
        {
            "Cache:MaximumTtl", "-00:00:01",
            ["MxResolver:Cache:MinimumTtl '00:00:00' is greater than MxResolver:Cache:MaximumTtl '-00:00:01'.", "MxResolver:Cache:MaximumTtl '-00:00:01' must not be negative."]
        },
        { "Cache:NegativeMinimumTtl", "-00:00:01", ["MxResolver:Cache:NegativeMinimumTtl '-00:00:01' must not be negative."] },
        { "Cache:NegativeMinimumTtl", "01:00:01", ["MxResolver:Cache:NegativeMinimumTtl '01:00:01' is greater than MxResolver:Cache:NegativeMaximumTtl '01:00:00'."] },
        {
            "Cache:NegativeMaximumTtl", "-00:00:01",
            [
                "MxResolver:Cache:NegativeMinimumTtl '00:00:00' is greater than MxResolver:Cache:NegativeMaximumTtl '-00:00:01'.",
                "MxResolver:Cache:NegativeMaximumTtl '-00:00:01' must not be negative.",
                "MxResolver:Cache:NegativeTtlWithoutSoa '00:00:00' is greater than MxResolver:Cache:NegativeMaximumTtl '-00:00:01'.",
            ]
        },
        { "Cache:NegativeTtlWithoutSoa", "-00:00:01", ["MxResolver:Cache:NegativeTtlWithoutSoa '-00:00:01' must not be negative."] },
        { "Cache:NegativeTtlWithoutSoa", "01:00:01", ["MxResolver:Cache:NegativeTtlWithoutSoa '01:00:01' is greater than MxResolver:Cache:NegativeMaximumTtl '01:00:00'."] },
        { "Cache:FailureTtl", "-00:00:01", ["MxResolver:Cache:FailureTtl '-00:00:01' must not be negative."] },
        { "Cache:FailureTtl", "00:05:01", ["MxResolver:Cache:FailureTtl '00:05:01' exceeds the five minutes RFC 2308 §7.1 allows for caching a failure."] },
        { "Cache:MaxStaleAge", "00:00:00", ["MxResolver:Cache:MaxStaleAge '00:00:00' must be positive (and under 24 days)."] },
        { "Cache:StaleAnswerTtl", "00:00:00", ["MxResolver:Cache:StaleAnswerTtl '00:00:00' must be positive (and under 24 days)."] },
        { "Failover:ConnectTimeout", "00:00:00", ["MxResolver:Failover:ConnectTimeout '00:00:00' must be positive (and under 24 days)."] },
        { "Failover:ConnectTimeout", "25.00:00:00", ["MxResolver:Failover:ConnectTimeout '25.00:00:00' must be positive (and under 24 days)."] },
        { "Failover:OverallTimeout", "-00:00:02", ["MxResolver:Failover:OverallTimeout '-00:00:02' must be positive (and under 24 days), or -00:00:00.001 for none."] },
        { "Failover:MaxAttempts", "0", ["MxResolver:Failover:MaxAttempts '0' must be between 1 and 1000."] },
        { "Failover:MaxAttempts", "1001", ["MxResolver:Failover:MaxAttempts '1001' must be between 1 and 1000."] },
        { "Failover:ConnectionAttemptDelay", "-00:00:00.250", ["MxResolver:Failover:ConnectionAttemptDelay '-00:00:00.2500000' must not be negative."] },
        { "Failover:GreetingTimeout", "00:00:00", ["MxResolver:Failover:GreetingTimeout '00:00:00' must be positive (and under 24 days)."] },
        { "Failover:HealthBackoff", "00:00:00", ["MxResolver:Failover:HealthBackoff '00:00:00' must be positive (and under 24 days)."] },
        { "Failover:HealthBackoff", "00:10:01", ["MxResolver:Failover:HealthBackoff '00:10:01' is greater than MxResolver:Failover:MaxHealthBackoff '00:10:00'."] },
        { "Failover:MaxHealthBackoff", "25.00:00:00", ["MxResolver:Failover:MaxHealthBackoff '25.00:00:00' must be positive (and under 24 days)."] },
        { "Failover:MaxHealthEntries", "-1", ["MxResolver:Failover:MaxHealthEntries '-1' must be between 0 and 10000000."] },
        { "Failover:MaxHealthEntries", "10000001", ["MxResolver:Failover:MaxHealthEntries '10000001' must be between 0 and 10000000."] },
        { "NameServers:1", "ns.example.org", ["MxResolver:NameServers[1] 'ns.example.org' is not a valid name server entry: 'ns.example.org' is not an IP address (a name server is given by address; a host name may follow '#')."] },
        { "QueryTimeout", "-00:00:01", ["MxResolver:QueryTimeout '-00:00:01' must be positive (and under 24 days)."] },
        { "ResolutionTimeout", "30.00:00:00", ["MxResolver:ResolutionTimeout '30.00:00:00' must be positive (and under 24 days), or -00:00:00.001 for none."] },
        { "Cache:MinimumTtl", "2.00:00:00", ["MxResolver:Cache:MinimumTtl '2.00:00:00' is greater than MxResolver:Cache:MaximumTtl '1.00:00:00'."] },
        { "Cache:NegativeMinimumTtl", "02:00:00", ["MxResolver:Cache:NegativeMinimumTtl '02:00:00' is greater than MxResolver:Cache:NegativeMaximumTtl '01:00:00'."] },
        { "Cache:NegativeTtlWithoutSoa", "02:00:00", ["MxResolver:Cache:NegativeTtlWithoutSoa '02:00:00' is greater than MxResolver:Cache:NegativeMaximumTtl '01:00:00'."] },
        { "Failover:HealthBackoff", "00:20:00", ["MxResolver:Failover:HealthBackoff '00:20:00' is greater than MxResolver:Failover:MaxHealthBackoff '00:10:00'."] },
    };

    /// <summary>Key and value at the edge of what each rule allows.</summary>
    public static TheoryData<string, string> Boundary => new()
    {
        { "NameServers:1", "[2001:db8::53]:5353" },
        { "NameServers:1", "tcp://192.0.2.53" },
        { "NameServers:1", "tls://192.0.2.53:8853#dns.example" },
        { "NameServers:1", "192.0.2.53@853#dns.example" },
        { "NameServers:1", "tls://[2001:db8::53]#dns.example?pin=sha256/47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=" },
        { "QueryTimeout", "00:00:00.001" },
        { "QueryTimeout", "24.00:00:00" },
        { "QueryAttempts", "1" },
        { "QueryAttempts", "10" },
        { "ResolutionTimeout", "-00:00:00.001" },
        { "ResolutionTimeout", "24.00:00:00" },
        { "AddressFamily", "IPv6Only" },
        { "BlockedAddresses", "None" },
        { "BlockedAddresses", "Unspecified, Broadcast, Multicast, Loopback, LinkLocal, Private" },
        { "LocalHostNames:0", "bücher.example." },
        { "LocalAddresses:0", "::ffff:192.0.2.25" },
        { "TrustedAuthenticatedDataServers:0", "::1" },
        { "Security:SmtpPort", "1" },
        { "Security:SmtpPort", "65535" },
        { "Security:MtaStsFetchTimeout", "24.00:00:00" },
        { "Security:MtaStsMaxPolicyBytes", "1024" },
        { "Security:MtaStsMaxPolicyBytes", "16777216" },
        { "Security:MtaStsPolicyDirectory", "/var/lib/mta-sts" },
        { "MaxTargets", "1" },
        { "MaxTargets", "1000" },
        { "MaxAddressesPerTarget", "1" },
        { "MaxAddressesPerTarget", "1000" },
        { "MaxAddresses", "1" },
        { "MaxAddresses", "10000" },
        { "Cache:MaxEntries", "1" },
        { "Cache:MaxEntries", "10000000" },
        { "Cache:MinimumTtl", "1.00:00:00" },
        { "Cache:MaximumTtl", "00:00:00" },
        { "Cache:NegativeMinimumTtl", "01:00:00" },
        { "Cache:NegativeMaximumTtl", "00:00:00" },
        { "Cache:NegativeTtlWithoutSoa", "01:00:00" },
        { "Cache:FailureTtl", "00:00:00" },
        { "Cache:FailureTtl", "00:05:00" },
        { "Cache:MaxStaleAge", "24.00:00:00" },
        { "Cache:StaleAnswerTtl", "00:00:00.001" },
        { "Failover:ConnectTimeout", "24.00:00:00" },
        { "Failover:OverallTimeout", "-00:00:00.001" },
        { "Failover:MaxAttempts", "1" },
        { "Failover:MaxAttempts", "1000" },
        { "Failover:ConnectionAttemptDelay", "00:00:00" },
        { "Failover:GreetingTimeout", "00:00:00.001" },
        { "Failover:HealthBackoff", "00:10:00" },
        { "Failover:MaxHealthBackoff", "00:00:30" },
        { "Failover:MaxHealthEntries", "0" },
        { "Failover:MaxHealthEntries", "10000000" },
    };

    [Theory]
    [MemberData(nameof(OutOfRange))]
    public async Task OutOfRange_BothPaths_RejectWithTheSameMessage(string key, string value, string[] expected)
    {
        IConfiguration configuration = Configuration(key, value);

        string[] diFailures = await StartHostAsync(configuration);
        var constructorError = Assert.ThrowsAny<ArgumentException>(() => Construct(key, configuration));

        Assert.Equal(expected, diFailures);
        Assert.IsType<ArgumentException>(constructorError);
        Assert.Null(constructorError.ParamName);
        Assert.Equal(string.Join(" ", diFailures), constructorError.Message);
    }

    [Theory]
    [MemberData(nameof(Boundary))]
    public async Task Boundary_BothPaths_Accept(string key, string value)
    {
        IConfiguration configuration = Configuration(key, value);

        Assert.Empty(await StartHostAsync(configuration));
        Assert.NotNull(Construct(key, configuration));
    }

    [Fact]
    public void Rules_EverySettingHasAnOutOfRangeCaseAndABoundaryCase()
    {
        string[] keys =
        [
            .. OptionsRules.Resolver.Select(rule => rule.Key),
            .. OptionsRules.Cache.Select(rule => rule.Key),
            .. OptionsRules.Failover.Select(rule => rule.Key),
            .. OptionsRules.Security.Select(rule => rule.Key),
        ];
        var outOfRange = OutOfRange.Select(row => "MxResolver:" + IndexFree(row.Data.Item1)).ToHashSet();
        var boundary = Boundary.Select(row => "MxResolver:" + IndexFree(row.Data.Item1)).ToHashSet();

        Assert.All(keys.Distinct(), key => Assert.Contains(key, outOfRange));
        Assert.All(keys.Distinct(), key => Assert.Contains(key, boundary));
    }

    [Fact]
    public async Task NullLists_BothPaths_RejectWithTheSameMessage()
    {
        static void Nulls(MxResolverOptions options)
        {
            options.NameServers = null!;
            options.LocalHostNames = null!;
            options.LocalAddresses = null!;
            options.Cache = null!;
        }

        var services = new ServiceCollection();
        services.AddMxResolver(Nulls);
        await using ServiceProvider provider = services.BuildServiceProvider();
        var diError = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<MxResolverOptions>>().Value);
        var options = new MxResolverOptions();
        Nulls(options);
        var constructorError = Assert.Throws<ArgumentException>(() => new MailExchangeResolver(options));

        Assert.Equal(
            ["MxResolver:NameServers must not be null.", "MxResolver:LocalHostNames must not be null.", "MxResolver:LocalAddresses must not be null.", "MxResolver:Cache must not be null."],
            diError.Failures);
        Assert.Equal(string.Join(" ", diError.Failures), constructorError.Message);
    }

    [Fact]
    public void Constructor_FailoverOptionsBelongToTheConnector_NotCheckedByTheResolver()
    {
        var options = new MxResolverOptions { NameServers = { "127.0.0.1" }, Failover = { MaxAttempts = 0 } };

        Assert.NotNull(new MailExchangeResolver(options));
        Assert.Throws<ArgumentException>(() => new MxConnector(FakeMxResolver.Targets(), options.Failover));
    }

    private static string IndexFree(string key) => key.EndsWith(":0", StringComparison.Ordinal) || key.EndsWith(":1", StringComparison.Ordinal) ? key[..^2] : key;

    /// <summary>The setting, and a loopback name server so that nothing reads the machine's resolver configuration.</summary>
    private static IConfiguration Configuration(string key, string value)
        => new ConfigurationBuilder()
            .AddInMemoryCollection([new("MxResolver:NameServers:0", "127.0.0.1"), new("MxResolver:" + key, value)])
            .Build();

    /// <summary>The DI path: configuration binding, validation when the host starts.</summary>
    private static async Task<string[]> StartHostAsync(IConfiguration configuration)
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddConfiguration(configuration);
        builder.Services.AddMxResolver(builder.Configuration.GetSection("MxResolver"));
        using IHost host = builder.Build();
        try
        {
            await host.StartAsync(Ct).WaitAsync(Bound, Ct);
            await host.StopAsync(Ct).WaitAsync(Bound, Ct);
            return [];
        }
        catch (OptionsValidationException error)
        {
            Assert.Equal(typeof(MxResolverOptions), error.OptionsType);
            return [.. error.Failures];
        }
    }

    /// <summary>The constructor path: the same configuration bound to an options object handed to the public constructor that reads it.</summary>
    private static object Construct(string key, IConfiguration configuration)
    {
        var options = new MxResolverOptions();
        configuration.GetSection("MxResolver").Bind(options);
        return key.StartsWith("Failover:", StringComparison.Ordinal)
            ? new MxConnector(FakeMxResolver.Targets(), options.Failover)
            : new MailExchangeResolver(options);
    }
}
