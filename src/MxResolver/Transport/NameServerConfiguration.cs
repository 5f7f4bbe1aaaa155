using System.Net;

namespace MxResolver.Transport;

/// <summary>The name servers and options found in the system's configuration (<c>/etc/resolv.conf</c> or the network interfaces).</summary>
internal sealed class NameServerConfiguration
{
    /// <summary>The port name servers listen on unless configured otherwise (RFC 1035 §4.2).</summary>
    public const int DnsPort = 53;

    public NameServerConfiguration(IReadOnlyList<IPEndPoint> servers)
    {
        Servers = servers;
    }

    /// <summary>The servers, in the order configured.</summary>
    public IReadOnlyList<IPEndPoint> Servers { get; }

    /// <summary>The <c>timeout:</c> option, when present.</summary>
    public TimeSpan? AttemptTimeout { get; init; }

    /// <summary>The <c>attempts:</c> option, when present.</summary>
    public int? Attempts { get; init; }

    /// <summary>The <c>rotate</c> option.</summary>
    public bool Rotate { get; init; }

    /// <summary>The <c>use-vc</c> option: TCP only.</summary>
    public bool UseTcpOnly { get; init; }

    /// <summary>The <c>edns0</c> option. Informational: the client always offers EDNS(0) and falls back without it.</summary>
    public bool Edns0 { get; init; }
}
