using Microsoft.Extensions.Logging;
using MxResolver.Lookup;

namespace MxResolver.Resolution;

/// <summary>Builds the network <see cref="IDnsLookup"/> of the public constructors from the settings.</summary>
internal static class NetworkLookup
{
    public static IDnsLookup Create(ResolverSettings settings, ILogger? logger)
    {
        _ = settings;
        _ = logger;

        // Interim, until DnsStubClient/DnsLookup (branch `stub`) are merged.
        throw new PlatformNotSupportedException("The network lookup (DnsStubClient) is not merged yet.");
    }
}
