using System.Net;
using System.Net.Sockets;
using MxResolver.Testing;

namespace MxResolver.Benchmarks;

/// <summary>
/// A minimal authoritative server on 127.0.0.1 for benchmarks (no internet, no Unbound): the shared
/// <see cref="ScriptedDnsServer"/> answering MX, A and AAAA questions from a fixed table, replies
/// built by the shared <see cref="DnsMessageBuilder"/> (question echoed, AA set, no EDNS). It counts
/// the queries it receives.
/// </summary>
internal sealed class LoopbackDnsServer : IDisposable
{
    private readonly Dictionary<(string Name, ushort Type), Action<DnsMessageBuilder, string>> _answers = new();
    private readonly ScriptedDnsServer _server;

    public LoopbackDnsServer() => _server = new ScriptedDnsServer(Answer);

    public IPEndPoint EndPoint => _server.EndPoint;

    public int QueryCount => _server.UdpQueryCount + _server.TcpQueryCount;

    public void AddMx(string name, uint ttl, params (ushort Preference, string Exchange)[] records)
    {
        lock (_answers)
        {
            _answers[(name.ToLowerInvariant(), DnsTypeCode.MX)] = (reply, owner) =>
            {
                foreach (var (preference, exchange) in records)
                {
                    reply.AddMx(RecordSection.Answer, owner, preference, exchange, ttl);
                }
            };
        }
    }

    public void AddAddress(string name, uint ttl, IPAddress address)
    {
        bool v6 = address.AddressFamily == AddressFamily.InterNetworkV6;
        lock (_answers)
        {
            _answers[(name.ToLowerInvariant(), v6 ? DnsTypeCode.AAAA : DnsTypeCode.A)] = (reply, owner) =>
                _ = v6 ? reply.AddAaaa(RecordSection.Answer, owner, address.ToString(), ttl) : reply.AddA(RecordSection.Answer, owner, address.ToString(), ttl);
        }
    }

    public void Dispose() => _server.DisposeAsync().AsTask().GetAwaiter().GetResult();

    private ScriptedResponse Answer(ScriptedQuery query)
    {
        if (query.Info?.QuestionName is not { } name)
        {
            return ScriptedResponse.Nothing;
        }

        DnsMessageBuilder reply = query.ReplyBuilder(authoritative: true, echoOpt: false);
        Action<DnsMessageBuilder, string>? add;
        lock (_answers)
        {
            _answers.TryGetValue((name.ToLowerInvariant(), query.Info.QuestionType), out add);
        }

        add?.Invoke(reply, name);
        return ScriptedResponse.Reply(reply.Build());
    }
}
