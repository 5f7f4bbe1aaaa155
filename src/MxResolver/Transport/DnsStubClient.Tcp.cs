using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using MxResolver.Dns;

namespace MxResolver;

public sealed partial class DnsStubClient
{
    /// <summary>
    /// One TCP exchange with one server (RFC 1035 §4.2.2, RFC 7766 §8): a two-byte length before
    /// each message, partial reads and writes continued, replies up to 65,535 bytes. The whole
    /// exchange, connect included, is bounded by <paramref name="timeout"/>.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ExchangeOutcome<TResult>> ExchangeTcpAsync<TState, TResult>(
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
        int length = WriteQuery(buffer, id, name, type, withOpt);
        BinaryPrimitives.WriteUInt16BigEndian(buffer, (ushort)length);

        byte[]? message = null;
        using CancellationTokenSource timeoutSource = StartTimeout(timeout, cancellationToken, out CancellationTokenRegistration link);
        using (link)
        using (var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp))
        {
            CancellationToken token = timeoutSource.Token;
            try
            {
                socket.NoDelay = true;
                await socket.ConnectAsync(server, token).ConfigureAwait(false);
                long sent = _time.GetTimestamp();
                await SendAllAsync(socket, buffer.AsMemory(0, length + 2), token).ConfigureAwait(false);
                while (true)
                {
                    // The query area is free once sent: reuse it for the length prefix.
                    if (!await ReceiveExactlyAsync(socket, buffer.AsMemory(0, 2), token).ConfigureAwait(false))
                    {
                        return ExchangeOutcome<TResult>.Failed(DnsQueryError.NetworkError, "TCP: the server closed the connection without a reply");
                    }

                    int messageLength = BinaryPrimitives.ReadUInt16BigEndian(buffer);
                    if (message is null || message.Length < messageLength)
                    {
                        if (message is not null)
                        {
                            ArrayPool<byte>.Shared.Return(message);
                        }

                        message = ArrayPool<byte>.Shared.Rent(Math.Max(messageLength, 512));
                    }

                    if (!await ReceiveExactlyAsync(socket, message.AsMemory(0, messageLength), token).ConfigureAwait(false))
                    {
                        return ExchangeOutcome<TResult>.Failed(DnsQueryError.NetworkError, "TCP: the server closed the connection in the middle of a reply");
                    }

                    ExchangeOutcome<TResult> outcome = Complete(server, name, type, withOpt, id, message.AsSpan(0, messageLength), cut: false, overTcp: true, _time.GetElapsedTime(sent), handler, state);
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
                return ExchangeOutcome<TResult>.Failed(DnsQueryError.Timeout, "no reply over TCP within " + FormatTimeout(timeout));
            }
            catch (SocketException e)
            {
                return ExchangeOutcome<TResult>.Failed(DnsQueryError.NetworkError, "TCP: " + e.SocketErrorCode.ToString());
            }
            finally
            {
                if (message is not null)
                {
                    ArrayPool<byte>.Shared.Return(message);
                }
            }
        }
    }

    private static async ValueTask SendAllAsync(Socket socket, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        while (!data.IsEmpty)
        {
            int sent = await socket.SendAsync(data, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            data = data[sent..];
        }
    }

    /// <summary>Fills <paramref name="destination"/>; <see langword="false"/> if the peer closed the connection first.</summary>
    private static async ValueTask<bool> ReceiveExactlyAsync(Socket socket, Memory<byte> destination, CancellationToken cancellationToken)
    {
        while (!destination.IsEmpty)
        {
            int received = await socket.ReceiveAsync(destination, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (received == 0)
            {
                return false;
            }

            destination = destination[received..];
        }

        return true;
    }
}
