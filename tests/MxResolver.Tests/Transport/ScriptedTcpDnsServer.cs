using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using MxResolver.Tests.Infrastructure;

namespace MxResolver.Tests.Transport;

/// <summary>
/// A scripted DNS-over-TCP server on 127.0.0.1 for pipelining tests: every accepted connection is
/// handed to the script, which reads length-prefixed queries and writes whatever bytes it likes
/// (whole frames, frames split or merged, wrong replies, nothing, a close). TCP_NODELAY is set, so each
/// <see cref="ScriptedTcpConnection.SendAsync"/> leaves as its own segment. Bounded: disposing stops
/// everything within a few seconds.
/// </summary>
public sealed class ScriptedTcpDnsServer : IAsyncDisposable
{
    private readonly Func<ScriptedTcpConnection, Task> _script;
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _handlers = [];
    private readonly List<ScriptedTcpConnection> _connections = [];
    private readonly List<Exception> _errors = [];
    private readonly Task _acceptLoop;

    public ScriptedTcpDnsServer(Func<ScriptedTcpConnection, Task> script)
    {
        _script = script;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(128);
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>Connections accepted so far.</summary>
    public int ConnectionCount
    {
        get
        {
            lock (_connections)
            {
                return _connections.Count;
            }
        }
    }

    public IReadOnlyList<ScriptedTcpConnection> Connections
    {
        get
        {
            lock (_connections)
            {
                return [.. _connections];
            }
        }
    }

    /// <summary>Exceptions the script threw (other than the connection ending); a test asserts this is empty.</summary>
    public IReadOnlyList<Exception> Errors
    {
        get
        {
            lock (_errors)
            {
                return [.. _errors];
            }
        }
    }

    /// <summary>A reply to <paramref name="query"/> (same ID and question) with an A record whose address encodes <paramref name="marker"/>.</summary>
    public static byte[] Reply(byte[] query, int marker, Action<DnsMessageBuilder>? extra = null)
    {
        var info = DnsQueryInfo.Parse(query);
        var builder = DnsMessageBuilder.ReplyTo(info);
        builder.AddA(RecordSection.Answer, info.QuestionName!, MarkerAddress(marker));
        extra?.Invoke(builder);
        return builder.Build();
    }

    public static string MarkerAddress(int marker) => $"10.{(marker >> 16) & 0xFF}.{(marker >> 8) & 0xFF}.{marker & 0xFF}";

    /// <summary>Prefixes each message with its two-byte length (RFC 1035 §4.2.2) and concatenates them.</summary>
    public static byte[] Frame(params byte[][] messages)
    {
        var frame = new byte[messages.Sum(m => m.Length + 2)];
        int position = 0;
        foreach (var message in messages)
        {
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(position), (ushort)message.Length);
            message.CopyTo(frame.AsSpan(position + 2));
            position += message.Length + 2;
        }

        return frame;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        Task[] all;
        lock (_connections)
        {
            foreach (var connection in _connections)
            {
                connection.Close();
            }

            all = [_acceptLoop, .. _handlers];
        }

        try
        {
            await Task.WhenAll(all).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or TimeoutException or IOException)
        {
            // Stopping.
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                Socket socket = await _listener.AcceptAsync(_stop.Token);
                socket.NoDelay = true;
                lock (_connections)
                {
                    var connection = new ScriptedTcpConnection(socket, _connections.Count, _stop.Token);
                    _connections.Add(connection);
                    _handlers.Add(Task.Run(() => RunAsync(connection)));
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
    }

    private async Task RunAsync(ScriptedTcpConnection connection)
    {
        try
        {
            await _script(connection);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or IOException)
        {
            // The connection ended or the server stopped.
        }
        catch (Exception e)
        {
            lock (_errors)
            {
                _errors.Add(e);
            }
        }
    }
}

/// <summary>One accepted connection, as the script sees it.</summary>
public sealed class ScriptedTcpConnection
{
    private readonly Socket _socket;
    private readonly CancellationToken _stopping;
    private int _closed;

    internal ScriptedTcpConnection(Socket socket, int index, CancellationToken stopping)
    {
        _socket = socket;
        Index = index;
        _stopping = stopping;
    }

    /// <summary>0 for the first connection accepted, 1 for the next, ...</summary>
    public int Index { get; }

    /// <summary>Every query read on this connection, in order.</summary>
    public List<byte[]> Received { get; } = [];

    /// <summary>Set when the client closed its side (a read returned end of stream).</summary>
    public TaskCompletionSource ClientClosed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Reads one length-prefixed message; null when the client closed the connection.</summary>
    public async Task<byte[]?> ReadMessageAsync()
    {
        var prefix = new byte[2];
        if (!await ReadExactlyAsync(prefix))
        {
            return null;
        }

        var message = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
        if (!await ReadExactlyAsync(message))
        {
            return null;
        }

        lock (Received)
        {
            Received.Add(message);
        }

        return message;
    }

    /// <summary>Reads <paramref name="count"/> messages.</summary>
    /// <exception cref="IOException">The client closed first.</exception>
    public async Task<List<byte[]>> ReadMessagesAsync(int count)
    {
        var messages = new List<byte[]>(count);
        for (int i = 0; i < count; i++)
        {
            messages.Add(await ReadMessageAsync() ?? throw new IOException("the client closed the connection"));
        }

        return messages;
    }

    /// <summary>Waits until the client closes the connection (reading and discarding anything else).</summary>
    public async Task DrainUntilClosedAsync()
    {
        while (await ReadMessageAsync() is not null)
        {
        }
    }

    public async Task SendAsync(ReadOnlyMemory<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            int sent = await _socket.SendAsync(bytes, SocketFlags.None, _stopping);
            bytes = bytes[sent..];
        }
    }

    /// <summary>Sends <paramref name="bytes"/> in pieces of <paramref name="pieceLength"/>, pausing between them so each arrives on its own.</summary>
    public async Task SendInPiecesAsync(byte[] bytes, int pieceLength, TimeSpan pause)
    {
        for (int offset = 0; offset < bytes.Length; offset += pieceLength)
        {
            await SendAsync(bytes.AsMemory(offset, Math.Min(pieceLength, bytes.Length - offset)));
            await Task.Delay(pause, _stopping);
        }
    }

    /// <summary>Closes the connection (FIN, then the socket is released).</summary>
    public void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // Already reset.
        }

        _socket.Dispose();
    }

    private async Task<bool> ReadExactlyAsync(Memory<byte> destination)
    {
        while (!destination.IsEmpty)
        {
            int read = await _socket.ReceiveAsync(destination, SocketFlags.None, _stopping);
            if (read == 0)
            {
                ClientClosed.TrySetResult();
                return false;
            }

            destination = destination[read..];
        }

        return true;
    }
}
