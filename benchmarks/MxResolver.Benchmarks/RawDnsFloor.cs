using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MxResolver.Benchmarks;

/// <summary>
/// The least a .NET client can do for the Bulk benchmark's questions: prebuilt queries, no parsing
/// beyond the ID, no retries, no validation. Two shapes: a fresh UDP socket per query (what RFC 5452
/// asks of a stub that has no better transport) and four pipelined TCP connections. They show how
/// much of the gap to dnsperf is the transport on this machine rather than the resolver, and are not
/// clients anyone should use: nothing here checks the source, the question or the payload.
/// </summary>
internal sealed class RawDnsFloor : IAsyncDisposable
{
    private const ushort TypeA = 1;
    private const ushort TypeMx = 15;
    private const ushort TypeAaaa = 28;

    private readonly IPEndPoint _server;
    private readonly byte[][][] _queries; // per domain: MX, then A and AAAA of mx1 and mx2
    private TcpPipe[] _pipes = [];

    public RawDnsFloor(IPEndPoint server, IReadOnlyList<string> domains)
    {
        _server = server;
        _queries = new byte[domains.Count][][];
        ushort id = 1;
        for (int i = 0; i < domains.Count; i++)
        {
            string d = domains[i];
            _queries[i] =
            [
                Query(id++, d, TypeMx),
                Query(id++, "mx1." + d, TypeA),
                Query(id++, "mx1." + d, TypeAaaa),
                Query(id++, "mx2." + d, TypeA),
                Query(id++, "mx2." + d, TypeAaaa),
            ];
            if (id > 60_000)
            {
                id = 1;
            }
        }
    }

    /// <summary>Opens <paramref name="connections"/> TCP connections for <see cref="TcpAsync"/>.</summary>
    public async Task ConnectAsync(int connections)
    {
        _pipes = new TcpPipe[connections];
        for (int i = 0; i < connections; i++)
        {
            _pipes[i] = await TcpPipe.ConnectAsync(_server).ConfigureAwait(false);
        }
    }

    /// <summary>Every domain: the MX question, then its four address questions at once; <paramref name="inFlight"/> domains at a time over fresh UDP sockets.</summary>
    public Task<int> UdpAsync(int inFlight) => RunAsync(inFlight, static (floor, query, buffer) => floor.UdpQueryAsync(query, buffer));

    /// <summary>The same over the pipelined TCP connections, queries spread over them in turn.</summary>
    public Task<int> TcpAsync(int inFlight) => RunAsync(inFlight, static (floor, query, _) => floor.TcpQueryAsync(query));

    public async ValueTask DisposeAsync()
    {
        foreach (TcpPipe pipe in _pipes)
        {
            await pipe.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<int> RunAsync(int inFlight, Func<RawDnsFloor, byte[], byte[], Task<bool>> ask)
    {
        int next = -1;
        int complete = 0;
        var workers = new Task[inFlight];
        for (int w = 0; w < workers.Length; w++)
        {
            workers[w] = Task.Run(async () =>
            {
                byte[][] buffers = [new byte[512], new byte[512], new byte[512], new byte[512], new byte[512]];
                int i;
                while ((i = Interlocked.Increment(ref next)) < _queries.Length)
                {
                    byte[][] q = _queries[i];
                    if (!await ask(this, q[0], buffers[0]).ConfigureAwait(false))
                    {
                        continue;
                    }

                    bool[] answered = await Task.WhenAll(ask(this, q[1], buffers[1]), ask(this, q[2], buffers[2]), ask(this, q[3], buffers[3]), ask(this, q[4], buffers[4])).ConfigureAwait(false);
                    if (answered.All(static a => a))
                    {
                        Interlocked.Increment(ref complete);
                    }
                }
            });
        }

        await Task.WhenAll(workers).ConfigureAwait(false);
        return complete;
    }

    private async Task<bool> UdpQueryAsync(byte[] query, byte[] buffer)
    {
        // A datagram can be lost (a full receive buffer): asked again on a new socket after a second, three times at most.
        for (int attempt = 0; attempt < 3; attempt++)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            socket.Connect(_server); // binds an ephemeral port chosen by the kernel
            await socket.SendAsync(query, SocketFlags.None).ConfigureAwait(false);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            try
            {
                int read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token).ConfigureAwait(false);
                return read >= 12 && buffer[0] == query[0] && buffer[1] == query[1];
            }
            catch (OperationCanceledException)
            {
            }
        }

        return false;
    }

    private Task<bool> TcpQueryAsync(byte[] query)
    {
        ushort id = BinaryPrimitives.ReadUInt16BigEndian(query);
        return _pipes[id % _pipes.Length].AskAsync(query, id);
    }

    private static byte[] Query(ushort id, string name, ushort type)
    {
        var message = new List<byte>(64);
        message.AddRange([(byte)(id >> 8), (byte)id, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
        foreach (string label in name.Split('.'))
        {
            message.Add((byte)label.Length);
            message.AddRange(Encoding.ASCII.GetBytes(label));
        }

        message.AddRange([0, (byte)(type >> 8), (byte)type, 0, 1]);
        return [.. message];
    }

    /// <summary>One TCP connection carrying many queries; answers matched by ID.</summary>
    private sealed class TcpPipe : IAsyncDisposable
    {
        private readonly Socket _socket;
        private readonly NetworkStream _stream;
        private readonly SemaphoreSlim _write = new(1, 1);
        private readonly TaskCompletionSource<bool>?[] _pending = new TaskCompletionSource<bool>?[65_536];
        private readonly Task _reader;

        private TcpPipe(Socket socket)
        {
            _socket = socket;
            _stream = new NetworkStream(socket, ownsSocket: true);
            _reader = Task.Run(ReadAsync);
        }

        public static async Task<TcpPipe> ConnectAsync(IPEndPoint server)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(server).ConfigureAwait(false);
            return new TcpPipe(socket);
        }

        public async Task<bool> AskAsync(byte[] query, ushort id)
        {
            var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _pending[id], done);
            byte[] framed = new byte[query.Length + 2];
            BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)query.Length);
            query.CopyTo(framed, 2);
            await _write.WaitAsync().ConfigureAwait(false);
            try
            {
                await _stream.WriteAsync(framed).ConfigureAwait(false);
            }
            finally
            {
                _write.Release();
            }

            return await done.Task.ConfigureAwait(false);
        }

        public async ValueTask DisposeAsync()
        {
            _socket.Shutdown(SocketShutdown.Both);
            await _stream.DisposeAsync().ConfigureAwait(false);
            try
            {
                await _reader.ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
            {
            }
        }

        private async Task ReadAsync()
        {
            byte[] buffer = new byte[65_538];
            while (true)
            {
                await _stream.ReadExactlyAsync(buffer.AsMemory(0, 2)).ConfigureAwait(false);
                int length = BinaryPrimitives.ReadUInt16BigEndian(buffer);
                await _stream.ReadExactlyAsync(buffer.AsMemory(0, length)).ConfigureAwait(false);
                ushort id = BinaryPrimitives.ReadUInt16BigEndian(buffer);
                Interlocked.Exchange(ref _pending[id], null)?.TrySetResult(true);
            }
        }
    }
}
