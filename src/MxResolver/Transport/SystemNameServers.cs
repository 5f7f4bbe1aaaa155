using System.Net;
using System.Net.NetworkInformation;

namespace MxResolver.Transport;

/// <summary>Finds the name servers the operating system is configured to use.</summary>
internal static class SystemNameServers
{
    /// <summary>
    /// On Linux and the BSDs (macOS included) <c>/etc/resolv.conf</c>; elsewhere (Windows) the DNS
    /// addresses of the network interfaces that are up. Never a public resolver.
    /// </summary>
    /// <exception cref="InvalidOperationException">No name server is configured.</exception>
    public static NameServerConfiguration Load()
    {
        NameServerConfiguration configuration;
        string source;
        if (!OperatingSystem.IsWindows() && File.Exists(ResolvConfParser.DefaultPath))
        {
            source = ResolvConfParser.DefaultPath;
            configuration = ResolvConfParser.Parse(File.ReadAllText(source));
        }
        else
        {
            source = "the network interfaces";
            configuration = new NameServerConfiguration(FromNetworkInterfaces());
        }

        if (configuration.Servers.Count == 0)
        {
            throw new InvalidOperationException(
                $"No DNS name server is configured in {source}. Set DnsStubClientOptions.NameServers explicitly.");
        }

        return configuration;
    }

    private static List<IPEndPoint> FromNetworkInterfaces()
    {
        var servers = new List<IPEndPoint>();
        foreach (NetworkInterface networkInterface in NetworkInterface.GetAllNetworkInterfaces())
        {
            if (networkInterface.OperationalStatus != OperationalStatus.Up)
            {
                continue;
            }

            foreach (IPAddress address in networkInterface.GetIPProperties().DnsAddresses)
            {
                var endpoint = new IPEndPoint(address, NameServerConfiguration.DnsPort);
                if (!servers.Contains(endpoint))
                {
                    servers.Add(endpoint);
                }
            }
        }

        return servers;
    }
}
