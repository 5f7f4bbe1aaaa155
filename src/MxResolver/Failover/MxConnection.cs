using System.Net.Sockets;

namespace MxResolver;

/// <summary>
/// A connection made by <see cref="IMxConnector.ConnectAsync"/>. The caller owns it: dispose it (or
/// hand <see cref="Socket"/> or <see cref="Stream"/> to a client that does) when done.
/// </summary>
public sealed class MxConnection : IDisposable, IAsyncDisposable
{
    internal MxConnection(Socket socket, IReadOnlyList<string> greeting)
    {
        Socket = socket;
        Stream = new NetworkStream(socket, ownsSocket: true);
        Greeting = greeting;
    }

    /// <summary>The connected socket.</summary>
    public Socket Socket { get; }

    /// <summary>A stream over <see cref="Socket"/> that owns it: disposing the stream closes the socket.</summary>
    public NetworkStream Stream { get; }

    /// <summary>
    /// The lines of the SMTP greeting without line endings (<c>220-first</c>, …, <c>220 last</c>)
    /// when <see cref="MxFailoverOptions.CheckGreeting"/> is on; empty otherwise. A greeting read
    /// here has been consumed from the stream.
    /// </summary>
    public IReadOnlyList<string> Greeting { get; }

    /// <summary>Closes the connection.</summary>
    public void Dispose() => Stream.Dispose();

    /// <summary>Closes the connection.</summary>
    /// <returns>A task that completes when the connection is closed.</returns>
    public ValueTask DisposeAsync() => Stream.DisposeAsync();
}
