using System.Net;

namespace MxResolver.Testing;

/// <summary>A query the scripted server received.</summary>
/// <param name="Sequence">0-based position among the queries received on the same transport.</param>
/// <param name="Info">The parsed query, or null when it did not parse.</param>
public sealed record ScriptedQuery(ScriptedTransport Transport, int Sequence, byte[] Message, DnsQueryInfo? Info, IPEndPoint Client)
{
    /// <summary>A reply builder with this query's ID and question (see <see cref="DnsMessageBuilder.ReplyTo"/>).</summary>
    public DnsMessageBuilder ReplyBuilder(int rcode = DnsRcodeCode.NoError, bool authoritative = false, bool echoOpt = true) =>
        DnsMessageBuilder.ReplyTo(Info ?? throw new InvalidOperationException("The query did not parse."), rcode, authoritative, echoOpt);

    /// <summary>A finished reply: same ID and question, the RCODE, and records added by <paramref name="configure"/>.</summary>
    public byte[] Reply(int rcode = DnsRcodeCode.NoError, Action<DnsMessageBuilder>? configure = null)
    {
        var builder = ReplyBuilder(rcode);
        configure?.Invoke(builder);
        return builder.Build();
    }
}
