using Microsoft.Extensions.Logging;
using MxResolver.Dns;
using MxResolver.Lookup;

namespace MxResolver.Resolution;

/// <summary>Builds the network <see cref="IDnsLookup"/> of the public constructors from the settings.</summary>
internal static class NetworkLookup
{
    /// <summary>A <see cref="DnsLookup"/> over a <see cref="DnsStubClient"/> asking the configured (or the system's) name servers.</summary>
    /// <exception cref="InvalidOperationException">No name server is configured and the system names none.</exception>
    public static IDnsLookup Create(ResolverSettings settings, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var client = new DnsStubClient(new DnsStubClientOptions
        {
            // Empty: the system's servers.
            NameServers = [.. settings.NameServers],
            AttemptTimeout = settings.QueryTimeout,
            AttemptsPerServer = settings.QueryAttempts,
            UseTcpOnly = settings.UseTcpOnly,
            Logger = logger,
        });
        return new DnsLookup(client);
    }
}
