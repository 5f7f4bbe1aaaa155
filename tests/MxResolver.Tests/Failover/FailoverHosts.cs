using System.Net;
using System.Net.Sockets;

namespace MxResolver.Tests.Failover;

/// <summary>
/// The four hosts of <c>failover.mx.test</c> on one port: nothing at 127.0.0.2 (refused), a silent
/// server at 127.0.0.3, a 421 greeting at 127.0.0.4 and a real SMTP server at 127.0.0.5 (R20, R21).
/// </summary>
public sealed class FailoverHosts : IAsyncDisposable
{
    public static readonly IPAddress Refused = IPAddress.Parse("127.0.0.2");
    public static readonly IPAddress Silent = IPAddress.Parse("127.0.0.3");
    public static readonly IPAddress Busy = IPAddress.Parse("127.0.0.4");
    public static readonly IPAddress Smtp = IPAddress.Parse("127.0.0.5");

    private readonly List<IAsyncDisposable> _servers;

    private FailoverHosts(int port, List<IAsyncDisposable> servers, InProcessSmtpServer? smtp)
    {
        Port = port;
        _servers = servers;
        SmtpServer = smtp;
    }

    public int Port { get; }

    /// <summary>The real server, or <see langword="null"/> when started without it.</summary>
    public InProcessSmtpServer? SmtpServer { get; }

    /// <summary>Starts the hosts on a port free on every one of these addresses (bounded retries).</summary>
    public static async Task<FailoverHosts> StartAsync(bool withSmtpServer = true)
    {
        for (int round = 0; ; round++)
        {
            var servers = new List<IAsyncDisposable>();
            try
            {
                TcpTestServer silent = TcpTestServer.Silent(new IPEndPoint(Silent, 0));
                servers.Add(silent);
                int port = silent.EndPoint.Port;
                servers.Add(TcpTestServer.Greeting(new IPEndPoint(Busy, port), "421 busy.failover.mx.test Service not available, try later\r\n"));
                InProcessSmtpServer? smtp = null;
                if (withSmtpServer)
                {
                    smtp = await InProcessSmtpServer.StartAsync(new IPEndPoint(Smtp, port));
                    servers.Add(smtp);
                }

                return new FailoverHosts(port, servers, smtp);
            }
            catch (SocketException) when (round < 10)
            {
                foreach (IAsyncDisposable server in servers)
                {
                    await server.DisposeAsync();
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (IAsyncDisposable server in _servers)
        {
            await server.DisposeAsync();
        }
    }
}
