using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using MxResolver.Dns;
using MxResolver.Transport;

namespace MxResolver;

public sealed partial class DnsStubClient
{
    /// <summary>
    /// One exchange over a persistent, pipelined connection from the pool: TCP (RFC 7766) or DNS over
    /// TLS (RFC 7858). The pool puts its own ID on the wire and gives the reply back with this query's
    /// ID, so the reply is checked as a UDP one is. A TLS server that does not authenticate fails the
    /// exchange; nothing is sent in plaintext instead.
    /// </summary>
    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    private async ValueTask<ExchangeOutcome<TResult>> ExchangeStreamAsync<TState, TResult>(
        NameServerEndpoint server,
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
        DnsStreamResult result;
        try
        {
            result = await _pool.QueryAsync(server, buffer.AsMemory(2, length), timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        catch (ObjectDisposedException)
        {
            return ExchangeOutcome<TResult>.Failed(DnsQueryError.NetworkError, "the client was disposed");
        }

        if (result.Reply is not PooledDnsMessage reply)
        {
            string transport = server.Transport == DnsTransport.Tls ? "TLS" : "TCP";
            return ExchangeOutcome<TResult>.Failed(result.Error ?? DnsQueryError.NetworkError, result.Detail.StartsWith(transport, StringComparison.Ordinal) ? result.Detail : transport + ": " + result.Detail);
        }

        using (reply)
        {
            ExchangeOutcome<TResult> outcome = Complete(server.EndPoint, name, type, withOpt, id, reply.Span, cut: false, overTcp: true, reply.RoundTripTime, handler, state, authenticatedChannel: server.IsAuthenticated);

            // The pool matched the reply to the query already; a mismatch here is a broken reply.
            return outcome.Status == ExchangeStatus.Discarded
                ? ExchangeOutcome<TResult>.Failed(DnsQueryError.MalformedResponse, "the reply over a stream did not match the query")
                : outcome;
        }
    }
}
