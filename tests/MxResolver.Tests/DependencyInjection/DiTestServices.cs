using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace MxResolver.Tests.DependencyInjection;

/// <summary>Builds service providers from in-memory configuration for the DI tests.</summary>
internal static class DiTestServices
{
    /// <summary>A configuration with <paramref name="settings"/> (keys relative to the <c>MxResolver</c> section).</summary>
    public static IConfiguration Configuration(params (string Key, string? Value)[] settings)
        => new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(setting => new KeyValuePair<string, string?>("MxResolver:" + setting.Key, setting.Value)))
            .Build();

    /// <summary>A provider with the resolver bound from <paramref name="settings"/>.</summary>
    public static ServiceProvider Provider(Action<IServiceCollection>? extra, params (string Key, string? Value)[] settings)
    {
        var services = new ServiceCollection();
        extra?.Invoke(services);
        services.AddMxResolver(Configuration(settings).GetSection("MxResolver"));
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }
}
