using BenchmarkDotNet.Attributes;
using MxResolver.Dns;
using MxResolver.Lookup;
using MxResolver.Testing;

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
    /// A recursive resolver's answer to "gmail.com. IN MX" with EDNS (payload 1232): ID 0x4D58, QR RD RA,
    /// five MX records with TTL 3600, every name compressed against the question and the first
    /// exchange (gmail-smtp-in.l.google.com.), by the shared test-side builder.
    /// </summary>
    internal static readonly byte[] GmailMxResponse = BuildGmailMxResponse();

    private Func<ArraySegment<byte>, object> _dnsClientParse = null!;
    private ArraySegment<byte> _segment;
    private int _lastExchangeOffset;

    [GlobalSetup]
    public void Setup()
    {
        _segment = new ArraySegment<byte>(GmailMxResponse);

        _dnsClientParse = DnsClientParser.Create();

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

    private static byte[] BuildGmailMxResponse()
    {
        var builder = new DnsMessageBuilder { Id = 0x4D58, IsResponse = true, RecursionDesired = true, RecursionAvailable = true }
            .AddQuestion("gmail.com.", DnsTypeCode.MX)
            .AddMx(RecordSection.Answer, "gmail.com.", 5, "gmail-smtp-in.l.google.com.", 3600);
        for (int i = 1; i <= 4; i++)
        {
            builder.AddMx(RecordSection.Answer, "gmail.com.", (ushort)(i * 10), $"alt{i}.gmail-smtp-in.l.google.com.", 3600);
        }

        return builder.AddOpt(1232).Build();
    }
}
