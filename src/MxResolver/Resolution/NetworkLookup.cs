using Microsoft.Extensions.Logging;
using MxResolver.Dns;
using MxResolver.Lookup;

namespace MxResolver.Resolution;

/// <summary>Builds the network <see cref="IDnsLookup"/> of the public constructors from the settings.</summary>
internal static class NetworkLookup
{
    /// <exception cref="InvalidOperationException">No name server is configured and the system names none.</exception>
    public static IDnsLookup Create(ResolverSettings settings, TimeProvider timeProvider, ILogger? logger)
    {
        var options = new DnsStubClientOptions
        {
            AttemptTimeout = settings.QueryTimeout,
            AttemptsPerServer = settings.QueryAttempts,
            UseTcpOnly = settings.UseTcpOnly,
            TimeProvider = timeProvider,
            Logger = logger,
        };
        foreach (var server in settings.NameServers)
        {
            options.NameServers.Add(server);
        }

        return new DnsLookup(new DnsStubClient(options));
    }
}
