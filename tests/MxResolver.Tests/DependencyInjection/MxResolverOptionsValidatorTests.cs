using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MxResolver.Tests.DependencyInjection;

/// <summary>Each validation failure, with its message naming the configuration key and the value.</summary>
public sealed class MxResolverOptionsValidatorTests
{
    public static TheoryData<string, string, string> InvalidSettings => new()
    {
        { "NameServers:1", "300.1.1.1", "MxResolver:NameServers[1] '300.1.1.1' is not an IP address with an optional port." },
        { "NameServers:1", "ns.example.org", "MxResolver:NameServers[1] 'ns.example.org' is not an IP address with an optional port." },
        { "QueryTimeout", "00:00:00", "MxResolver:QueryTimeout '00:00:00' must be positive (and under 24 days)." },
        { "QueryTimeout", "-00:00:01", "MxResolver:QueryTimeout '-00:00:01' must be positive (and under 24 days)." },
        { "ResolutionTimeout", "-00:00:05", "MxResolver:ResolutionTimeout '-00:00:05' must be positive (and under 24 days), or -00:00:00.001 for none." },
        { "ResolutionTimeout", "30.00:00:00", "MxResolver:ResolutionTimeout '30.00:00:00' must be positive (and under 24 days), or -00:00:00.001 for none." },
        { "QueryAttempts", "0", "MxResolver:QueryAttempts '0' must be between 1 and 10." },
        { "QueryAttempts", "11", "MxResolver:QueryAttempts '11' must be between 1 and 10." },
        { "MaxTargets", "0", "MxResolver:MaxTargets '0' must be between 1 and 1000." },
        { "MaxAddressesPerTarget", "1001", "MxResolver:MaxAddressesPerTarget '1001' must be between 1 and 1000." },
        { "MaxAddresses", "0", "MxResolver:MaxAddresses '0' must be between 1 and 10000." },
        { "LocalAddresses:0", "192.0.2.300", "MxResolver:LocalAddresses[0] '192.0.2.300' is not an IP address." },
        { "LocalHostNames:0", "bad..host", "MxResolver:LocalHostNames[0] 'bad..host' is not a valid host name: " },
        { "Cache:MaxEntries", "0", "MxResolver:Cache:MaxEntries '0' must be between 1 and 10000000." },
        { "Cache:MinimumTtl", "2.00:00:00", "MxResolver:Cache:MinimumTtl '2.00:00:00' is greater than MxResolver:Cache:MaximumTtl '1.00:00:00'." },
        { "Cache:MinimumTtl", "-00:00:01", "MxResolver:Cache:MinimumTtl '-00:00:01' must not be negative." },
        { "Cache:NegativeMinimumTtl", "02:00:00", "MxResolver:Cache:NegativeMinimumTtl '02:00:00' is greater than MxResolver:Cache:NegativeMaximumTtl '01:00:00'." },
        { "Cache:NegativeTtlWithoutSoa", "02:00:00", "MxResolver:Cache:NegativeTtlWithoutSoa '02:00:00' is greater than MxResolver:Cache:NegativeMaximumTtl '01:00:00'." },
        { "Cache:FailureTtl", "00:05:01", "MxResolver:Cache:FailureTtl '00:05:01' exceeds the five minutes RFC 2308 §7.1 allows for caching a failure." },
        { "Cache:FailureTtl", "-00:00:01", "MxResolver:Cache:FailureTtl '-00:00:01' must not be negative." },
        { "Cache:MaxStaleAge", "00:00:00", "MxResolver:Cache:MaxStaleAge '00:00:00' must be positive (and under 24 days)." },
        { "Cache:StaleAnswerTtl", "00:00:00", "MxResolver:Cache:StaleAnswerTtl '00:00:00' must be positive (and under 24 days)." },
        { "Failover:ConnectTimeout", "00:00:00", "MxResolver:Failover:ConnectTimeout '00:00:00' must be positive (and under 24 days)." },
        { "Failover:OverallTimeout", "-00:00:02", "MxResolver:Failover:OverallTimeout '-00:00:02' must be positive (and under 24 days), or -00:00:00.001 for none." },
        { "Failover:GreetingTimeout", "00:00:00", "MxResolver:Failover:GreetingTimeout '00:00:00' must be positive (and under 24 days)." },
        { "Failover:ConnectionAttemptDelay", "-00:00:00.250", "MxResolver:Failover:ConnectionAttemptDelay '-00:00:00.2500000' must not be negative." },
        { "Failover:HealthBackoff", "00:20:00", "MxResolver:Failover:HealthBackoff '00:20:00' is greater than MxResolver:Failover:MaxHealthBackoff '00:10:00'." },
        { "Failover:MaxAttempts", "0", "MxResolver:Failover:MaxAttempts '0' must be between 1 and 1000." },
        { "Failover:MaxHealthEntries", "-1", "MxResolver:Failover:MaxHealthEntries '-1' must be between 0 and 10000000." },
    };

    [Theory]
    [MemberData(nameof(InvalidSettings))]
    public void Validate_InvalidSetting_FailsNamingKeyAndValue(string key, string value, string expected)
    {
        using ServiceProvider provider = DiTestServices.Provider(null, ("NameServers:0", "127.0.0.1"), (key, value));

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<MxResolverOptions>>().Value);

        string failure = Assert.Single(error.Failures);
        Assert.StartsWith(expected, failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SeveralInvalidSettings_ReportsEachOne()
    {
        using ServiceProvider provider = DiTestServices.Provider(
            null,
            ("NameServers:0", "192.0.2.1:99999"),
            ("MaxTargets", "-1"),
            ("Cache:FailureTtl", "01:00:00"));

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<MxResolverOptions>>().Value);

        Assert.Equal(3, error.Failures.Count());
        Assert.Contains("MxResolver:NameServers[0] '192.0.2.1:99999'", error.Message, StringComparison.Ordinal);
        Assert.Contains("MxResolver:MaxTargets '-1'", error.Message, StringComparison.Ordinal);
        Assert.Contains("MxResolver:Cache:FailureTtl '01:00:00'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("AddressFamily", "Sideways")]
    [InlineData("BlockedAddresses", "Loopback, Nonsense")]
    [InlineData("QueryTimeout", "soon")]
    public void Bind_UnparsableValue_FailsNamingTheKey(string key, string value)
    {
        using ServiceProvider provider = DiTestServices.Provider(null, (key, value));

        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IOptions<MxResolverOptions>>().Value);

        Assert.Contains("MxResolver:" + key, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("NameServers:0", "192.0.2.53")]
    [InlineData("NameServers:0", "192.0.2.53:5353")]
    [InlineData("NameServers:0", "2001:db8::53")]
    [InlineData("NameServers:0", "[2001:db8::53]:5353")]
    [InlineData("ResolutionTimeout", "-00:00:00.001")]
    [InlineData("Cache:FailureTtl", "00:05:00")]
    [InlineData("Cache:FailureTtl", "00:00:00")]
    [InlineData("BlockedAddresses", "None")]
    [InlineData("BlockedAddresses", "Loopback, LinkLocal, Private")]
    [InlineData("LocalHostNames:0", "bücher.example.")]
    [InlineData("LocalAddresses:0", "2001:db8::25")]
    public void Validate_ValidSetting_Passes(string key, string value)
    {
        using ServiceProvider provider = DiTestServices.Provider(null, (key, value));

        MxResolverOptions options = provider.GetRequiredService<IOptions<MxResolverOptions>>().Value;

        Assert.NotNull(options);
    }

    [Fact]
    public void Validate_ActionOverload_ValidatedLikeConfiguration()
    {
        var services = new ServiceCollection();
        services.AddMxResolver(options => options.Cache.MinimumTtl = TimeSpan.FromDays(2));
        using ServiceProvider provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IMxResolver>());

        Assert.Contains("MxResolver:Cache:MinimumTtl '2.00:00:00' is greater than MxResolver:Cache:MaximumTtl '1.00:00:00'.", error.Failures);
    }
}
