using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using SmtpServer;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace MxResolver.Testing;

/// <summary>
/// A real SMTP server (the SmtpServer package) on a loopback address that offers STARTTLS with a given
/// certificate, or no STARTTLS at all when given none. It keeps every message it receives, whether
/// the session was encrypted when it did, and the commands every session sent.
/// </summary>
public sealed class StartTlsSmtpServer : IAsyncDisposable
{
    private readonly SmtpServer.SmtpServer _server;
    private readonly Task _running;
    private readonly CancellationTokenSource _stop = new();
    private readonly RecordingStore _store = new();
    private readonly List<string> _commands = [];
    private readonly string _name;

    private StartTlsSmtpServer(IPEndPoint endPoint, X509Certificate2? certificate)
    {
        EndPoint = endPoint;

        // A name of its own, so the start-up probe knows it reached this server and not another
        // program that holds the port.
        _name = $"smtp-{Convert.ToHexString(RandomNumberGenerator.GetBytes(6)).ToLowerInvariant()}.tls.test";
        ISmtpServerOptions options = new SmtpServerOptionsBuilder()
            .ServerName(_name)
            .Endpoint(builder =>
            {
                builder.Endpoint(endPoint).SessionTimeout(TimeSpan.FromSeconds(30));
                if (certificate is not null)
                {
                    // A certificate on a plain endpoint: EHLO lists STARTTLS (RFC 3207).
                    builder.Certificate(certificate);
                }
            })
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(_store);
        _server = new SmtpServer.SmtpServer(options, services);
        _server.SessionCreated += (_, e) => e.Context.CommandExecuting += (_, command) =>
        {
            lock (_commands)
            {
                _commands.Add(command.Command.Name);
            }
        };
        _running = _server.StartAsync(_stop.Token);
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>Raised for every message received, with its envelope recipients and whether the session was under TLS.</summary>
    public event Action<IReadOnlyList<string>, bool>? MessageReceived
    {
        add => _store.MessageReceived += value;
        remove => _store.MessageReceived -= value;
    }

    /// <summary>The messages received: envelope recipients, text, and whether the session was under TLS.</summary>
    public IReadOnlyList<(IReadOnlyList<string> Recipients, string Text, bool OverTls)> Messages => _store.Messages;

    /// <summary>The commands the server's sessions executed, in order (e.g. <c>EHLO</c>, <c>STARTTLS</c>, <c>MAIL</c>).</summary>
    public IReadOnlyList<string> Commands
    {
        get
        {
            lock (_commands)
            {
                return [.. _commands];
            }
        }
    }

    /// <summary>Starts a server on a free port of 127.0.0.1 and waits (bounded) until it greets.</summary>
    /// <param name="certificate">The certificate for STARTTLS, with its private key; <see langword="null"/> to offer no STARTTLS.</param>
    public static async Task<StartTlsSmtpServer> StartAsync(X509Certificate2? certificate)
    {
        for (int round = 0; ; round++)
        {
            try
            {
                return await StartAsync(certificate, new IPEndPoint(IPAddress.Loopback, FreePort()));
            }
            catch (Exception e) when (round < 5 && e is SocketException or IOException)
            {
                // The port was taken between choosing it and binding it: another one.
            }
        }
    }

    /// <summary>Starts a server on <paramref name="endPoint"/> and waits (bounded: 15 s) until it greets.</summary>
    /// <param name="certificate">The certificate for STARTTLS, with its private key; <see langword="null"/> to offer no STARTTLS.</param>
    /// <param name="endPoint">A loopback address and port.</param>
    /// <exception cref="SocketException">The port could not be bound.</exception>
    /// <exception cref="IOException">Another program answers on the port.</exception>
    public static async Task<StartTlsSmtpServer> StartAsync(X509Certificate2? certificate, IPEndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var server = new StartTlsSmtpServer(endPoint, certificate);
        try
        {
            await server.WaitUntilGreetingAsync(bound.Token);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _server.Shutdown();
        try
        {
            await _running.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (OperationCanceledException)
        {
        }
        catch (SocketException)
        {
            // It never bound the port.
        }

        _stop.Dispose();
    }

    private static int FreePort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    private async Task WaitUntilGreetingAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_running.IsFaulted)
            {
                await _running;
            }

            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await probe.ConnectAsync(EndPoint, cancellationToken);
            }
            catch (SocketException)
            {
                await Task.Delay(20, cancellationToken);
                continue;
            }

            var buffer = new byte[512];
            int read = await probe.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
            string greeting = Encoding.ASCII.GetString(buffer, 0, read);
            if (!greeting.StartsWith("220 " + _name, StringComparison.Ordinal))
            {
                throw new IOException($"Another program answers on {EndPoint}: {greeting.TrimEnd()}");
            }

            return;
        }
    }

    private sealed class RecordingStore : MessageStore
    {
        private readonly List<(IReadOnlyList<string>, string, bool)> _messages = [];

        public event Action<IReadOnlyList<string>, bool>? MessageReceived;

        public IReadOnlyList<(IReadOnlyList<string> Recipients, string Text, bool OverTls)> Messages
        {
            get
            {
                lock (_messages)
                {
                    return [.. _messages];
                }
            }
        }

        public override Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            string[] recipients = transaction.To.Select(mailbox => $"{mailbox.User}@{mailbox.Host}").ToArray();
            lock (_messages)
            {
                _messages.Add((recipients, Encoding.UTF8.GetString(buffer.ToArray()), context.Pipe.IsSecure));
            }

            MessageReceived?.Invoke(recipients, context.Pipe.IsSecure);

            return Task.FromResult(SmtpResponse.Ok);
        }
    }
}
