using System.Net;
using System.Net.Sockets;

namespace MxResolver.Testing;

/// <summary>
/// Minimal test-side DNS exchanges over real sockets, independent of the library: send bytes, get bytes.
/// Every call is bounded by its timeout and throws <see cref="TimeoutException"/> when it runs out.
/// </summary>
public static class RawDnsClient
{
    /// <summary>Sends <paramref name="query"/> over UDP and returns the first datagram whose ID matches.</summary>
    public static async Task<byte[]> QueryUdpAsync(IPEndPoint server, byte[] query, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(query);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        var buffer = new byte[65535];
        try
        {
            await socket.SendToAsync(query, server, cts.Token);
            while (true)
            {
                var received = await socket.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), cts.Token);
                if (received.ReceivedBytes >= 2 && buffer[0] == query[0] && buffer[1] == query[1])
                {
                    return buffer[..received.ReceivedBytes];
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"No UDP reply from {server} within {timeout}.");
        }
    }

    /// <summary>Sends <paramref name="query"/> over a new TCP connection (two-byte length framing) and returns one reply.</summary>
    public static async Task<byte[]> QueryTcpAsync(IPEndPoint server, byte[] query, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(query);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(server, cts.Token);
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            await stream.WriteAsync(DnsMessageBuilder.FrameForTcp(query), cts.Token);
            return await ReadTcpMessageAsync(stream, cts.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"No TCP reply from {server} within {timeout}.");
        }
    }

    /// <summary>Reads one length-prefixed message; throws <see cref="EndOfStreamException"/> if the peer closes first.</summary>
    public static async Task<byte[]> ReadTcpMessageAsync(Stream stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var length = new byte[2];
        await stream.ReadExactlyAsync(length, cancellationToken);
        var message = new byte[(length[0] << 8) | length[1]];
        await stream.ReadExactlyAsync(message, cancellationToken);
        return message;
    }
}
