using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using SmtpServer;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace MxResolver.Tests.Failover;

/// <summary>A real SMTP server (the SmtpServer package) on a loopback endpoint, keeping every message it receives.</summary>
public sealed class InProcessSmtpServer : IAsyncDisposable
{
    private readonly SmtpServer.SmtpServer _server;
    private readonly Task _running;
    private readonly CancellationTokenSource _stop = new();
    private readonly RecordingStore _store = new();

    private InProcessSmtpServer(IPEndPoint endPoint)
    {
        EndPoint = endPoint;
        ISmtpServerOptions options = new SmtpServerOptionsBuilder()
            .ServerName("smtp.failover.mx.test")
            .Endpoint(builder => builder.Endpoint(endPoint))
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(_store);
        _server = new SmtpServer.SmtpServer(options, services);
        _running = _server.StartAsync(_stop.Token);
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>The messages received, as text, with their envelope recipients.</summary>
    public IReadOnlyList<(IReadOnlyList<string> Recipients, string Text)> Messages => _store.Messages;

    /// <summary>Starts the server and waits (bounded) until it accepts connections.</summary>
    public static async Task<InProcessSmtpServer> StartAsync(IPEndPoint endPoint)
    {
        var server = new InProcessSmtpServer(endPoint);
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (true)
        {
            if (server._running.IsFaulted)
            {
                await server._running;
            }

            using var probe = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await probe.ConnectAsync(endPoint, bound.Token);
                return server;
            }
            catch (SocketException)
            {
                await Task.Delay(20, bound.Token);
            }
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

        _stop.Dispose();
    }

    private sealed class RecordingStore : MessageStore
    {
        private readonly List<(IReadOnlyList<string>, string)> _messages = [];

        public IReadOnlyList<(IReadOnlyList<string> Recipients, string Text)> Messages
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
                _messages.Add((recipients, Encoding.UTF8.GetString(buffer.ToArray())));
            }

            return Task.FromResult(SmtpResponse.Ok);
        }
    }
}
