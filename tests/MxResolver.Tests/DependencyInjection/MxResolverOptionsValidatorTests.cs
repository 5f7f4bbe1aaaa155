using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MxResolver.Tests.DependencyInjection;

/// <summary>
/// Validation under dependency injection beyond one setting at a time (each setting's bounds, on
/// both paths, are in <c>Configuration/OptionsRulesTests</c>).
/// </summary>
public sealed class MxResolverOptionsValidatorTests
{
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
