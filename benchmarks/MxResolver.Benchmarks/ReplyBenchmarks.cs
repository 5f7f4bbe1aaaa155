using System.Net;
using System.Reflection;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using MxResolver.Transport;
using MxResolver.Dns;
using MxResolver.Lookup;
using ArSoftDns = ARSoft.Tools.Net.Dns;
using DnsClientProtocol = DnsClient.Protocol;

namespace MxResolver.Benchmarks;

/// <summary>
/// A received reply all the way to the answer resolution uses, as the stub client and
/// <see cref="DnsLookup"/> run it on every final reply: <see cref="DnsReplyInspector.Inspect"/>
/// (QR, ID, question, TC, every record read to the end, RCODE), then the handler
/// <see cref="DnsLookup"/> passes to the client — <see cref="DnsAnswerReader.Read"/> and, when the
/// answer followed aliases, the smallest CNAME TTL. Two replies: the five MX records of gmail.com
/// (<see cref="ParseBenchmarks.GmailMxResponse"/>) and an A reply whose answer is a CNAME then two
/// A records. Peers: the full <see cref="DnsResponse"/> of the same bytes, DnsClient.NET 1.8.0's
/// message decoder and ARSoft.Tools.Net 3.6.1's <c>DnsMessage.Parse</c>.
/// </summary>
/// <remarks>
/// The "reply → ..." and "... DnsResponse.Parse" row names are meant to outlive a rewrite of the
/// reply path: keep the names, swap what the bodies call. The "validation only" rows split out
/// what today's inspector pass costs on its own; they have no meaning once validation and
/// extraction are one pass.
/// </remarks>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class ReplyBenchmarks
{
    private const string MxCategory = "MX reply (5 MX, 161 B)";
    private const string AddressCategory = "A reply (CNAME + 2 A, 94 B)";

    private const string MxQuestion = "gmail.com.";
    private const ushort MxId = 0x4D58;

    private const string AddressQuestion = "www.example.com.";
    private const string AddressCanonical = "web.example.com.";
    private const ushort AddressId = 0x4D59;

    /// <summary>
    /// A recursive resolver's answer to "www.example.com. IN A" with EDNS, where www is an alias:
    /// a CNAME to web.example.com., then web's two A records, then OPT. Offsets in the comments are
    /// from the start of the message.
    /// </summary>
    internal static readonly byte[] CnameAResponse =
    [
        // Header: ID 0x4D59, flags 0x8180 (QR, RD, RA, NOERROR), QD 1, AN 3, NS 0, AR 1.
        0x4D, 0x59, 0x81, 0x80, 0x00, 0x01, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01,
        // @12 question: www.example.com. ("example" label at @16, "com" at @24), A, IN
        0x03, (byte)'w', (byte)'w', (byte)'w',
        0x07, (byte)'e', (byte)'x', (byte)'a', (byte)'m', (byte)'p', (byte)'l', (byte)'e',
        0x03, (byte)'c', (byte)'o', (byte)'m', 0x00,
        0x00, 0x01, 0x00, 0x01,
        // @33 answer 1: owner -> @12, CNAME, IN, TTL 300, RDLENGTH 6,
        // @45 canonical name web.example.com. as "web" + pointer -> @16
        0xC0, 0x0C, 0x00, 0x05, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2C, 0x00, 0x06,
        0x03, (byte)'w', (byte)'e', (byte)'b', 0xC0, 0x10,
        // @51 answer 2: owner -> @45 (web.example.com.), A, IN, TTL 60, RDLENGTH 4, 192.0.2.10
        0xC0, 0x2D, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3C, 0x00, 0x04, 192, 0, 2, 10,
        // @67 answer 3: owner -> @45, A, IN, TTL 60, RDLENGTH 4, 192.0.2.11
        0xC0, 0x2D, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3C, 0x00, 0x04, 192, 0, 2, 11,
        // @83 additional: OPT (RFC 6891 §6.1.2): root owner, TYPE 41, payload 1232, TTL 0, RDLENGTH 0
        0x00, 0x00, 0x29, 0x04, 0xD0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    ];

    private Func<ArraySegment<byte>, object> _dnsClientParse = null!;
    private ArraySegment<byte> _mxSegment;
    private ArraySegment<byte> _addressSegment;
    private uint _cnameTimeToLive;

    [GlobalSetup]
    public void Setup()
    {
        _mxSegment = new ArraySegment<byte>(ParseBenchmarks.GmailMxResponse);
        _addressSegment = new ArraySegment<byte>(CnameAResponse);

        _dnsClientParse = DnsClientParser.Create();

        VerifyMx();
        VerifyAddresses();
    }

    // ---- MX reply ----

    /// <summary>What the client and DnsLookup run on a final MX reply: inspection, then the answer.</summary>
    [Benchmark(Description = "reply → MX answer (5 MX)")]
    [BenchmarkCategory(MxCategory)]
    public object ReplyToMxAnswer() => ReplyToAnswer(ParseBenchmarks.GmailMxResponse, MxId, MxQuestion, DnsRecordType.MX);

    /// <summary>Today's first pass on its own: the inspector's verdict.</summary>
    [Benchmark(Description = "MX reply: validation only (DnsReplyInspector)")]
    [BenchmarkCategory(MxCategory)]
    public int MxInspectOnly() => (int)DnsReplyInspector.Inspect(ParseBenchmarks.GmailMxResponse, MxId, MxQuestion, DnsRecordType.MX, withOpt: true, out _, out _, out _);

    [Benchmark(Description = "MX reply: MxResolver DnsResponse.Parse")]
    [BenchmarkCategory(MxCategory)]
    public DnsResponse MxDnsResponseParse() => DnsResponse.Parse(ParseBenchmarks.GmailMxResponse);

    [Benchmark(Description = "MX reply: DnsClient.NET 1.8.0", Baseline = true)]
    [BenchmarkCategory(MxCategory)]
    public object MxDnsClientParse() => _dnsClientParse(_mxSegment);

    [Benchmark(Description = "MX reply: ARSoft.Tools.Net 3.6.1")]
    [BenchmarkCategory(MxCategory)]
    public ArSoftDns.DnsMessage MxArSoftParse() => ArSoftDns.DnsMessage.Parse(_mxSegment);

    // ---- A reply with a CNAME ----

    /// <summary>What the client and DnsLookup run on a final A reply: inspection, then the answer and the CNAME TTL.</summary>
    [Benchmark(Description = "reply → addresses (A with CNAME)")]
    [BenchmarkCategory(AddressCategory)]
    public object ReplyToAddresses() => ReplyToAnswer(CnameAResponse, AddressId, AddressQuestion, DnsRecordType.A);

    /// <summary>Today's first pass on its own: the inspector's verdict.</summary>
    [Benchmark(Description = "A reply: validation only (DnsReplyInspector)")]
    [BenchmarkCategory(AddressCategory)]
    public int AddressInspectOnly() => (int)DnsReplyInspector.Inspect(CnameAResponse, AddressId, AddressQuestion, DnsRecordType.A, withOpt: true, out _, out _, out _);

    [Benchmark(Description = "A reply: MxResolver DnsResponse.Parse")]
    [BenchmarkCategory(AddressCategory)]
    public DnsResponse AddressDnsResponseParse() => DnsResponse.Parse(CnameAResponse);

    [Benchmark(Description = "A reply: DnsClient.NET 1.8.0", Baseline = true)]
    [BenchmarkCategory(AddressCategory)]
    public object AddressDnsClientParse() => _dnsClientParse(_addressSegment);

    [Benchmark(Description = "A reply: ARSoft.Tools.Net 3.6.1")]
    [BenchmarkCategory(AddressCategory)]
    public ArSoftDns.DnsMessage AddressArSoftParse() => ArSoftDns.DnsMessage.Parse(_addressSegment);

    /// <summary>
    /// DnsStubClient.Complete for a UDP reply to a query with OPT, with DnsLookup's handler: the
    /// inspector's one validating walk fills the scan, and DnsAnswerReader reduces the answer
    /// (CNAME chain and its smallest TTL included) from what the scan kept, without reading the
    /// message again. Returns the DnsAnswer (internal, hence object).
    /// </summary>
    private object ReplyToAnswer(ReadOnlySpan<byte> reply, ushort id, string name, DnsRecordType type)
    {
        var scan = new DnsReplyScan(stackalloc DnsRecordView[16]);
        try
        {
            ReplyVerdict verdict = DnsReplyInspector.Inspect(reply, id, name, type, withOpt: true, cut: false, ref scan, out _, out string reason, out _);
            if (verdict != ReplyVerdict.Final)
            {
                throw new InvalidOperationException($"The reply was not final: {verdict} {reason}");
            }

            DnsAnswer answer = DnsAnswerReader.Read(reply, scan, name, type, out uint aliasTimeToLive);
            _cnameTimeToLive = answer.Aliases.IsEmpty ? uint.MaxValue : aliasTimeToLive;
            return answer;
        }
        finally
        {
            scan.Dispose();
        }
    }

    private void VerifyMx()
    {
        (ushort, string)[] expected =
        [
            (5, "gmail-smtp-in.l.google.com."), (10, "alt1.gmail-smtp-in.l.google.com."), (20, "alt2.gmail-smtp-in.l.google.com."),
            (30, "alt3.gmail-smtp-in.l.google.com."), (40, "alt4.gmail-smtp-in.l.google.com."),
        ];

        var answer = (DnsAnswer)ReplyToMxAnswer();
        Require(
            answer.Kind == DnsAnswerKind.Success && answer.Aliases.IsEmpty && answer.TimeToLive == 3600 && _cnameTimeToLive == uint.MaxValue
                && answer.MxRecords.Select(m => (m.Preference, m.Exchange)).SequenceEqual(expected),
            "reply → MX answer");
        Require(MxInspectOnly() == (int)ReplyVerdict.Final, "MX inspector");

        Require(
            MxDnsResponseParse().Answers.Select(r => r is MxRecord m ? (m.Preference, m.Exchange) : default).SequenceEqual(expected),
            "MX DnsResponse.Parse");
        Require(
            DnsClientAnswers(MxDnsClientParse()).Select(r => r is DnsClientProtocol.MxRecord m ? (m.Preference, m.Exchange.Value) : default).SequenceEqual(expected),
            "MX DnsClient.NET");
        Require(
            MxArSoftParse().AnswerRecords.Select(r => r is ArSoftDns.MxRecord m ? (m.Preference, m.ExchangeDomainName.ToString()) : default).SequenceEqual(expected),
            "MX ARSoft.Tools.Net");
    }

    private void VerifyAddresses()
    {
        IPAddress[] addresses = [IPAddress.Parse("192.0.2.10"), IPAddress.Parse("192.0.2.11")];

        var answer = (DnsAnswer)ReplyToAddresses();
        Require(
            answer.Kind == DnsAnswerKind.Success && answer.CanonicalName == AddressCanonical
                && answer.Aliases.SequenceEqual([AddressQuestion]) && answer.Addresses.SequenceEqual(addresses)
                && answer.TimeToLive == 60 && _cnameTimeToLive == 300,
            "reply → addresses");
        Require(AddressInspectOnly() == (int)ReplyVerdict.Final, "A inspector");

        IReadOnlyList<DnsRecord> ours = AddressDnsResponseParse().Answers;
        Require(
            ours.Count == 3 && ours[0] is CnameRecord { CanonicalName: AddressCanonical }
                && ours.Skip(1).Select(r => r is AddressRecord a && r.Name == AddressCanonical ? a.Address : null).SequenceEqual(addresses),
            "A DnsResponse.Parse");

        List<DnsClientProtocol.DnsResourceRecord> theirs = DnsClientAnswers(AddressDnsClientParse());
        Require(
            theirs.Count == 3 && theirs[0] is DnsClientProtocol.CNameRecord c && c.CanonicalName.Value == AddressCanonical
                && theirs.Skip(1).Select(r => r is DnsClientProtocol.ARecord a && r.DomainName.Value == AddressCanonical ? a.Address : null).SequenceEqual(addresses),
            "A DnsClient.NET");

        List<ArSoftDns.DnsRecordBase> arsoft = AddressArSoftParse().AnswerRecords;
        Require(
            arsoft.Count == 3 && arsoft[0] is ArSoftDns.CNameRecord ac && ac.CanonicalName.ToString() == AddressCanonical
                && arsoft.Skip(1).Select(r => r is ArSoftDns.ARecord a && r.Name.ToString() == AddressCanonical ? a.Address : null).SequenceEqual(addresses),
            "A ARSoft.Tools.Net");
    }

    /// <summary>The answer section of DnsClient.NET's internal DnsResponseMessage.</summary>
    private static List<DnsClientProtocol.DnsResourceRecord> DnsClientAnswers(object message)
    {
        object? answers = message.GetType().GetProperty("Answers", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)?.GetValue(message);
        return answers is IEnumerable<DnsClientProtocol.DnsResourceRecord> records
            ? records.ToList()
            : throw new InvalidOperationException($"DnsClient.NET's {message.GetType()} has no Answers list.");
    }

    private static void Require(bool condition, string path)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"{path} does not decode the expected records.");
        }
    }
}
