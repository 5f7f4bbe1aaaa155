using System.Reflection;
using BenchmarkDotNet.Attributes;
using MxResolver.Dns;
using MxResolver.Lookup;

namespace MxResolver.Benchmarks;

/// <summary>
/// Decoding one realistic MX response (the five MX records of gmail.com, compressed names, an
/// EDNS OPT record) three ways: our span walk, our materialized MX records (plus the full
/// <see cref="DnsResponse"/> parse, alone and with its answers read), and the same bytes through
/// DnsClient.NET and ARSoft.Tools.Net.
/// </summary>
[MemoryDiagnoser]
public class ParseBenchmarks
{
    /// <summary>
    /// A recursive resolver's answer to "gmail.com. IN MX" with EDNS, assembled by hand. Offsets in
    /// the comments are from the start of the message.
    /// </summary>
    internal static readonly byte[] GmailMxResponse =
    [
        // Header: ID 0x4D58, flags 0x8180 (QR, RD, RA, NOERROR), QD 1, AN 5, NS 0, AR 1.
        0x4D, 0x58, 0x81, 0x80, 0x00, 0x01, 0x00, 0x05, 0x00, 0x00, 0x00, 0x01,
        // @12 question: gmail.com. ("com" label at @18), MX, IN
        0x05, (byte)'g', (byte)'m', (byte)'a', (byte)'i', (byte)'l',
        0x03, (byte)'c', (byte)'o', (byte)'m', 0x00,
        0x00, 0x0F, 0x00, 0x01,
        // @27 answer 1: owner -> @12, MX, IN, TTL 3600, RDLENGTH 27, preference 5,
        // @41 exchange gmail-smtp-in.l.google.com. with "com" -> @18
        0xC0, 0x0C, 0x00, 0x0F, 0x00, 0x01, 0x00, 0x00, 0x0E, 0x10, 0x00, 0x1B, 0x00, 0x05,
        0x0D, (byte)'g', (byte)'m', (byte)'a', (byte)'i', (byte)'l', (byte)'-', (byte)'s', (byte)'m', (byte)'t', (byte)'p', (byte)'-', (byte)'i', (byte)'n',
        0x01, (byte)'l',
        0x06, (byte)'g', (byte)'o', (byte)'o', (byte)'g', (byte)'l', (byte)'e',
        0xC0, 0x12,
        // answer 2: owner -> @12, MX, IN, TTL 3600, RDLENGTH 9, preference 10, alt1 + -> @41
        0xC0, 0x0C, 0x00, 0x0F, 0x00, 0x01, 0x00, 0x00, 0x0E, 0x10, 0x00, 0x09, 0x00, 0x0A,
        0x04, (byte)'a', (byte)'l', (byte)'t', (byte)'1', 0xC0, 0x29,
        // answer 3: preference 20, alt2 + -> @41
        0xC0, 0x0C, 0x00, 0x0F, 0x00, 0x01, 0x00, 0x00, 0x0E, 0x10, 0x00, 0x09, 0x00, 0x14,
        0x04, (byte)'a', (byte)'l', (byte)'t', (byte)'2', 0xC0, 0x29,
        // answer 4: preference 30, alt3 + -> @41
        0xC0, 0x0C, 0x00, 0x0F, 0x00, 0x01, 0x00, 0x00, 0x0E, 0x10, 0x00, 0x09, 0x00, 0x1E,
        0x04, (byte)'a', (byte)'l', (byte)'t', (byte)'3', 0xC0, 0x29,
        // answer 5: preference 40, alt4 + -> @41
        0xC0, 0x0C, 0x00, 0x0F, 0x00, 0x01, 0x00, 0x00, 0x0E, 0x10, 0x00, 0x09, 0x00, 0x28,
        0x04, (byte)'a', (byte)'l', (byte)'t', (byte)'4', 0xC0, 0x29,
        // additional: OPT (RFC 6891 §6.1.2): root owner, TYPE 41, payload 1232, TTL 0, RDLENGTH 0
        0x00, 0x00, 0x29, 0x04, 0xD0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    ];

    private Func<ArraySegment<byte>, object> _dnsClientParse = null!;
    private ArraySegment<byte> _segment;
    private int _lastExchangeOffset;

    [GlobalSetup]
    public void Setup()
    {
        _segment = new ArraySegment<byte>(GmailMxResponse);

        // DnsClient.NET exposes no public parser: its UDP handler's GetResponseMessage is the
        // full-message decoder every query goes through. Reach it once, then call a delegate.
        Type handlerType = typeof(DnsClient.LookupClient).Assembly.GetType("DnsClient.DnsUdpMessageHandler", throwOnError: true)!;
        object handler = Activator.CreateInstance(handlerType, nonPublic: true)!;
        MethodInfo parse = handlerType.GetMethod(
            "GetResponseMessage",
            BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic,
            [typeof(ArraySegment<byte>)])
            ?? throw new InvalidOperationException("DnsClient.NET has no GetResponseMessage(ArraySegment<byte>).");
        _dnsClientParse = (Func<ArraySegment<byte>, object>)Delegate.CreateDelegate(typeof(Func<ArraySegment<byte>, object>), handler, parse);

        // Every path must decode the same five records before anything is timed.
        if (SpanWalk() != 5 + 10 + 20 + 30 + 40 || _lastExchangeOffset == 0 || ((MxAnswer[])MaterializedMx()).Length != 5 || DnsResponseParse().Answers.Count != 5
            || DnsResponseParseAndRead() != 5 || ArSoftParse().AnswerRecords.Count != 5 || DnsClientParse() is null)
        {
            throw new InvalidOperationException("The fixture does not decode to five MX records.");
        }
    }

    /// <summary>Walks every record in place and reads each MX preference and exchange offset.</summary>
    [Benchmark(Description = "MxResolver span walk")]
    public int SpanWalk()
    {
        ReadOnlySpan<byte> message = GmailMxResponse;
        var reader = new DnsMessageReader(message);
        int sum = 0;
        while (reader.TryReadRecord(out DnsRecordView record))
        {
            if (record.Type == DnsRecordType.MX)
            {
                int exchange = DnsRecordData.ReadMx(message, record, out ushort preference);
                sum += preference;
                _lastExchangeOffset = exchange;
            }
        }

        return sum;
    }

    /// <summary>The MX fast path used by resolution: preferences and decoded exchange names.</summary>
    [Benchmark(Description = "MxResolver materialized MX")]
    public object MaterializedMx() => DnsAnswerReader.ReadMx(GmailMxResponse, "gmail.com.");

    /// <summary>The full public response object: question and every record of every section.</summary>
    [Benchmark(Description = "MxResolver DnsResponse.Parse")]
    public DnsResponse DnsResponseParse() => DnsResponse.Parse(GmailMxResponse);

    /// <summary>
    /// The full response and then its answers read: the response validates the message when
    /// created and decodes the records on first read, so this is what a caller who looks at the
    /// records pays in all (the peers decode everything eagerly).
    /// </summary>
    [Benchmark(Description = "MxResolver DnsResponse.Parse + Answers")]
    public int DnsResponseParseAndRead() => DnsResponse.Parse(GmailMxResponse).Answers.Count;

    [Benchmark(Description = "DnsClient.NET 1.8.0", Baseline = true)]
    public object DnsClientParse() => _dnsClientParse(_segment);

    [Benchmark(Description = "ARSoft.Tools.Net 3.6.1")]
    public ARSoft.Tools.Net.Dns.DnsMessage ArSoftParse() => ARSoft.Tools.Net.Dns.DnsMessage.Parse(_segment);
}
