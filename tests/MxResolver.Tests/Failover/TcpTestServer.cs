using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MxResolver.Tests.Failover;

/// <summary>
/// A TCP server on a loopback address that plays a misbehaving mail host: it says nothing
/// (<see cref="Silent"/>), greets with a fixed text (<see cref="Greeting"/>), or never even accepts
/// (<see cref="Blackhole"/>: its accept queue is full, so further connects hang without an answer).
/// Connections are held until disposal.
/// </summary>
public sealed class TcpTestServer : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly List<Socket> _held = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private int _accepted;

    private TcpTestServer(IPEndPoint endPoint, int backlog, string? greeting, bool accept)
    {
        _listener = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(endPoint);
        _listener.Listen(backlog);
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        _acceptLoop = accept ? AcceptLoopAsync(greeting) : Task.CompletedTask;
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>How many connections were accepted.</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>Accepts and never writes a byte.</summary>
    public static TcpTestServer Silent(IPEndPoint endPoint) => new(endPoint, 16, greeting: null, accept: true);

    /// <summary>Accepts and writes <paramref name="text"/> (e.g. <c>"421 busy\r\n"</c>), then keeps the connection open.</summary>
    public static TcpTestServer Greeting(IPEndPoint endPoint, string text) => new(endPoint, 16, text, accept: true);

    /// <summary>
    /// Listens with a backlog of 0 and never accepts; one filler connection fills the queue, so the
    /// kernel drops every further SYN and connects hang until the client gives up, like a host
    /// behind a firewall that drops packets.
    /// </summary>
    public static async Task<TcpTestServer> BlackholeAsync(IPEndPoint endPoint)
    {
        var server = new TcpTestServer(endPoint, 0, greeting: null, accept: false);
        var filler = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        server._held.Add(filler);
        await filler.ConnectAsync(server.EndPoint).WaitAsync(TimeSpan.FromSeconds(10));
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        try
        {
            await _acceptLoop.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        lock (_held)
        {
            foreach (Socket socket in _held)
            {
                socket.Dispose();
            }
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync(string? greeting)
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client = await _listener.AcceptAsync(_stop.Token);
            Interlocked.Increment(ref _accepted);
            lock (_held)
            {
                _held.Add(client);
            }

            if (greeting is not null)
            {
                await client.SendAsync(Encoding.ASCII.GetBytes(greeting), SocketFlags.None, _stop.Token);
            }
        }
    }
}
