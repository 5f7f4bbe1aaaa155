using System.Net;
using System.Net.Sockets;
using MxResolver.Dns;

namespace MxResolver;

public sealed partial class DnsStubClient
{
    /// <summary>
    /// A fresh UDP socket connected to <paramref name="server"/>: the operating system picks a random
    /// source port for it (RFC 5452 §9.2), and the kernel drops datagrams from any other address or
    /// port — the source check of RFC 5452 §9.1. Connecting a datagram socket only records the peer;
    /// nothing goes on the wire, so it does not wait.
    /// </summary>
    private static Socket OpenUdpSocket(IPEndPoint server)
    {
        var socket = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.Blocking = false; // the synchronous calls made on it return at once, they never wait
            socket.Connect(server);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Sends the query without the asynchronous machinery (and its per-socket allocations): a fresh
    /// socket's send buffer is empty, so the datagram goes out at once. <see langword="false"/> in the
    /// unlikely case the kernel would have to wait; the caller then sends asynchronously.
    /// </summary>
    /// <exception cref="SocketException">The send failed.</exception>
    private static bool TrySendNow(Socket socket, ReadOnlySpan<byte> query)
    {
        socket.Send(query, SocketFlags.None, out SocketError error);
        return error switch
        {
            SocketError.Success => true,
            SocketError.WouldBlock => false,
            _ => throw new SocketException((int)error),
        };
    }

    /// <summary>Writes the query after the two bytes reserved for a TCP length prefix; returns its length.</summary>
    /// <remarks>
    /// AD is set in every query (RFC 6840 §5.7): it asks a validating resolver to report in AD
    /// whether it validated the answer, without the DO bit and so without DNSSEC records in replies.
    /// </remarks>
    private int WriteQuery(byte[] buffer, ushort id, string name, DnsRecordType type, bool withOpt)
        => DnsQueryWriter.Write(buffer.AsSpan(2, QueryAreaLength - 2), id, name, type, udpPayloadSize: withOpt ? _udpPayloadSize : null, authenticData: true);

    private static string FormatTimeout(TimeSpan timeout)
        => ((int)timeout.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture) + " ms";
}
