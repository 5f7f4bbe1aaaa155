using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace MxResolver.Dns;

public sealed partial class DnsStubClient
{
    /// <summary>One UDP exchange with one server (RFC 1035 §4.2.1), on a fresh socket.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ExchangeOutcome<TResult>> ExchangeUdpAsync<TState, TResult>(
        IPEndPoint server,
        string name,
        DnsRecordType type,
        bool withOpt,
        ReplyHandler<TState, TResult> handler,
        TState state,
        byte[] buffer,
        TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        ushort id = NewId();
        int length = DnsQueryWriter.Write(buffer.AsSpan(2, QueryAreaLength - 2), id, name, type, udpPayloadSize: withOpt ? _udpPayloadSize : null);
        Memory<byte> receive = buffer.AsMemory(QueryAreaLength, _udpPayloadSize);

        using CancellationTokenSource timeoutSource = StartTimeout(timeout, cancellationToken, out CancellationTokenRegistration link);
        using (link)
        using (var socket = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp))
        {
            CancellationToken token = timeoutSource.Token;
            try
            {
                // A fresh socket per exchange: the operating system picks a random source port
                // (RFC 5452 §9.2). Connecting a datagram socket only records the peer (nothing goes
                // on the wire, so it does not block) and makes the kernel drop datagrams from any
                // other address or port: the source check of RFC 5452 §9.1.
                socket.Blocking = false; // the synchronous calls below return at once, they never wait
                socket.Connect(server);
                long sent = _time.GetTimestamp();

                // A fresh socket's send buffer is empty, so the datagram goes out at once; sending
                // without the asynchronous machinery saves its per-socket allocations.
                socket.Send(buffer.AsSpan(2, length), SocketFlags.None, out SocketError sendError);
                if (sendError == SocketError.WouldBlock)
                {
                    await socket.SendAsync(buffer.AsMemory(2, length), SocketFlags.None, token).ConfigureAwait(false);
                }
                else if (sendError != SocketError.Success)
                {
                    throw new SocketException((int)sendError);
                }

                while (true)
                {
                    int received = await socket.ReceiveAsync(receive, SocketFlags.None, token).ConfigureAwait(false);
                    ExchangeOutcome<TResult> outcome = Complete(server, name, type, withOpt, id, receive.Span[..received], overTcp: false, _time.GetElapsedTime(sent), handler, state);
                    if (outcome.Status != ExchangeStatus.Discarded)
                    {
                        return outcome;
                    }
                }
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException && cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return ExchangeOutcome<TResult>.Failed(DnsQueryError.Timeout, "no reply over UDP within " + FormatTimeout(timeout));
            }
            catch (SocketException e)
            {
                // ICMP port unreachable arrives as ConnectionRefused on a connected socket.
                return ExchangeOutcome<TResult>.Failed(DnsQueryError.NetworkError, "UDP: " + e.SocketErrorCode.ToString());
            }
        }
    }

    private static string FormatTimeout(TimeSpan timeout)
        => ((int)timeout.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture) + " ms";
}
