using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MxResolver.Benchmarks;

/// <summary>
/// A minimal authoritative UDP server on 127.0.0.1 for benchmarks (no internet, no Unbound): it
/// answers MX, A and AAAA questions from a fixed table and counts the queries it receives.
/// Replies carry the question, the answer records (owner compressed to the question) and no EDNS.
/// </summary>
internal sealed class LoopbackDnsServer : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly Dictionary<(string Name, ushort Type), Func<List<byte[]>>> _answers = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _queries;

    public LoopbackDnsServer()
    {
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        EndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        _loop = Task.Run(ServeAsync);
    }

    public IPEndPoint EndPoint { get; }

    public int QueryCount => Volatile.Read(ref _queries);

    public void AddMx(string name, uint ttl, params (ushort Preference, string Exchange)[] records)
        => _answers[(name.ToLowerInvariant(), 15)] = () => records.Select(r => Record(15, ttl, [.. U16(r.Preference), .. EncodeName(r.Exchange)])).ToList();

    public void AddAddress(string name, uint ttl, IPAddress address)
    {
        ushort type = address.AddressFamily == AddressFamily.InterNetworkV6 ? (ushort)28 : (ushort)1;
        _answers[(name.ToLowerInvariant(), type)] = () => [Record(type, ttl, address.GetAddressBytes())];
    }

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }

        _stop.Dispose();
    }

    private async Task ServeAsync()
    {
        var buffer = new byte[4096];
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            Interlocked.Increment(ref _queries);
            byte[]? reply = Reply(buffer.AsSpan(0, received.ReceivedBytes));
            if (reply is not null)
            {
                await _socket.SendToAsync(reply, SocketFlags.None, received.RemoteEndPoint);
            }
        }
    }

    private byte[]? Reply(ReadOnlySpan<byte> query)
    {
        if (query.Length < 17)
        {
            return null;
        }

        // The question: an uncompressed name at offset 12, then QTYPE and QCLASS (RFC 1035 §4.1.2).
        int offset = 12;
        var name = new StringBuilder();
        while (query[offset] != 0)
        {
            int length = query[offset];
            name.Append(Encoding.ASCII.GetString(query.Slice(offset + 1, length))).Append('.');
            offset += length + 1;
        }

        offset++;
        ushort type = BinaryPrimitives.ReadUInt16BigEndian(query[offset..]);
        int questionEnd = offset + 4;
        List<byte[]> records = _answers.TryGetValue((name.ToString().ToLowerInvariant(), type), out var make) ? make() : [];

        var reply = new List<byte>(512);
        reply.AddRange(query[..2].ToArray()); // ID
        reply.AddRange([0x85, 0x80]); // QR, AA, RD, RA; NOERROR
        reply.AddRange(U16(1));
        reply.AddRange(U16((ushort)records.Count));
        reply.AddRange(U16(0));
        reply.AddRange(U16(0));
        reply.AddRange(query[12..questionEnd].ToArray());
        foreach (byte[] record in records)
        {
            reply.AddRange(record);
        }

        return [.. reply];
    }

    private static byte[] Record(ushort type, uint ttl, byte[] data)
    {
        var record = new List<byte> { 0xC0, 0x0C }; // owner: the question name
        record.AddRange(U16(type));
        record.AddRange(U16(1));
        var ttlBytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(ttlBytes, ttl);
        record.AddRange(ttlBytes);
        record.AddRange(U16((ushort)data.Length));
        record.AddRange(data);
        return [.. record];
    }

    private static byte[] U16(ushort value) => [(byte)(value >> 8), (byte)value];

    private static byte[] EncodeName(string name)
    {
        var bytes = new List<byte>();
        foreach (string label in name.TrimEnd('.').Split('.'))
        {
            bytes.Add((byte)label.Length);
            bytes.AddRange(Encoding.ASCII.GetBytes(label));
        }

        bytes.Add(0);
        return [.. bytes];
    }
}
