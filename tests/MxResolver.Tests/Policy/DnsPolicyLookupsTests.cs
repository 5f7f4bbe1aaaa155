using System.Net;
using MxResolver.Dns;
using MxResolver.Lookup;
using MxResolver.Policy;
using MxResolver.Tests.Infrastructure;

namespace MxResolver.Tests.Policy;

// Behaviour rules R31, R32 (docs/behaviour.md, "Secure delivery").

/// <summary>The policy lookups over the real lookup, against a scripted server on loopback (whose AD bit is trusted).</summary>
public sealed class DnsPolicyLookupsTests
{
    private const ushort Tlsa = 52;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private static readonly byte[] DaneEe = [3, 1, 1, 0xAB, 0xCD, 0xEF];

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static DnsPolicyLookups Lookups(ScriptedDnsServer server) =>
        new(new DnsLookup(new DnsStubClient(new DnsStubClientOptions { NameServers = [server.EndPoint], AttemptTimeout = TimeSpan.FromSeconds(5), AttemptsPerServer = 1 })));

    private static ScriptedResponse Reply(ScriptedQuery q, bool secure, Action<DnsMessageBuilder>? records = null, int rcode = DnsRcodeCode.NoError)
        => ScriptedResponse.Reply(q.Reply(rcode, b =>
        {
            b.AuthenticData = secure;
            records?.Invoke(b);
            if (rcode == DnsRcodeCode.NxDomain)
            {
                b.AddSoa(RecordSection.Authority, "test.", "ns.test.", "hostmaster.test.");
            }
        }));

    [Fact]
    public async Task LookupTxtAsync_Records_EachAsItsStrings()
    {
        await using var server = new ScriptedDnsServer(q => Reply(q, secure: false, b => b
            .AddTxt(RecordSection.Answer, "_mta-sts.example.test.", 300, "v=STSv1; ", "id=1;")
            .AddTxt(RecordSection.Answer, "_mta-sts.example.test.", 300, "other")));

        TxtLookup txt = await Lookups(server).LookupTxtAsync("_mta-sts.example.test", Token).AsTask().WaitAsync(Bound, Token);

        Assert.Equal(TxtLookupKind.Records, txt.Kind);
        Assert.Equal([["v=STSv1; ", "id=1;"], ["other"]], txt.Records.Select(r => r.ToArray()));
    }

    [Theory]
    [InlineData(DnsRcodeCode.NxDomain, (int)TxtLookupKind.None)]
    [InlineData(DnsRcodeCode.NoError, (int)TxtLookupKind.None)]
    [InlineData(DnsRcodeCode.ServFail, (int)TxtLookupKind.Failed)]
    public async Task LookupTxtAsync_NoRecordsOrFailure_Kind(int rcode, int expected)
    {
        await using var server = new ScriptedDnsServer(q => Reply(q, secure: false, rcode: rcode));

        TxtLookup txt = await Lookups(server).LookupTxtAsync("_smtp._tls.example.test", Token).AsTask().WaitAsync(Bound, Token);

        Assert.Equal((TxtLookupKind)expected, txt.Kind);
        Assert.Empty(txt.Records);
    }

    [Fact]
    public async Task LookupTlsaAsync_SecureRecords_ReadAtTheHost()
    {
        await using var server = new ScriptedDnsServer(q => q.Info!.QuestionType == Tlsa
            ? Reply(q, secure: true, b => b.AddRaw(RecordSection.Answer, "_25._tcp.mx.example.test.", Tlsa, 1, 300, DaneEe))
            : Reply(q, secure: true, b => b.AddA(RecordSection.Answer, "mx.example.test.", "192.0.2.1")));

        TlsaLookup tlsa = await Lookups(server).LookupTlsaAsync("mx.example.test", 25, Token).AsTask().WaitAsync(Bound, Token);

        Assert.Equal(TlsaLookupKind.SecureRecords, tlsa.Kind);
        Assert.Equal("_25._tcp.mx.example.test", tlsa.Name);
        TlsaAssociation record = Assert.Single(tlsa.Records);
        Assert.Equal(TlsaCertificateUsage.DaneEe, record.Usage);
    }

    [Fact]
    public async Task LookupTlsaAsync_RecordsWithoutAd_Insecure()
    {
        await using var server = new ScriptedDnsServer(q => q.Info!.QuestionType == Tlsa
            ? Reply(q, secure: false, b => b.AddRaw(RecordSection.Answer, "_25._tcp.mx.example.test.", Tlsa, 1, 300, DaneEe))
            : Reply(q, secure: true, b => b.AddA(RecordSection.Answer, "mx.example.test.", "192.0.2.1")));

        TlsaLookup tlsa = await Lookups(server).LookupTlsaAsync("mx.example.test", 25, Token).AsTask().WaitAsync(Bound, Token);

        Assert.Equal(TlsaLookupKind.Insecure, tlsa.Kind);
        Assert.Empty(tlsa.Records);
    }

    [Theory]
    [InlineData(DnsRcodeCode.NxDomain, (int)TlsaLookupKind.SecureDenial)]
    [InlineData(DnsRcodeCode.NoError, (int)TlsaLookupKind.SecureDenial)]
    [InlineData(DnsRcodeCode.ServFail, (int)TlsaLookupKind.Failed)]
    public async Task LookupTlsaAsync_NoRecordsOrFailure_Kind(int rcode, int expected)
    {
        await using var server = new ScriptedDnsServer(q => q.Info!.QuestionType == Tlsa
            ? Reply(q, secure: true, rcode: rcode)
            : Reply(q, secure: true, b => b.AddA(RecordSection.Answer, "mx.example.test.", "192.0.2.1")));

        TlsaLookup tlsa = await Lookups(server).LookupTlsaAsync("mx.example.test", 25, Token).AsTask().WaitAsync(Bound, Token);

        Assert.Equal((TlsaLookupKind)expected, tlsa.Kind);
    }

    [Theory]
    [InlineData(true, "_25._tcp.mx.hosting.test")]
    [InlineData(false, "_25._tcp.mx.example.test")]
    public async Task LookupTlsaAsync_SecureAlias_ExpandedNameFirstThenGiven(bool recordsAtExpanded, string expectedName) // RFC 7672 §2.2.2
    {
        await using var server = new ScriptedDnsServer(q => (q.Info!.QuestionType, q.Info.QuestionName) switch
        {
            (Tlsa, "_25._tcp.mx.hosting.test.") => recordsAtExpanded
                ? Reply(q, secure: true, b => b.AddRaw(RecordSection.Answer, "_25._tcp.mx.hosting.test.", Tlsa, 1, 300, DaneEe))
                : Reply(q, secure: true, rcode: DnsRcodeCode.NxDomain),
            (Tlsa, _) => Reply(q, secure: true, b => b.AddRaw(RecordSection.Answer, "_25._tcp.mx.example.test.", Tlsa, 1, 300, DaneEe)),
            _ => Reply(q, secure: true, b => b
                .AddCname(RecordSection.Answer, "mx.example.test.", "mx.hosting.test.")
                .AddA(RecordSection.Answer, "mx.hosting.test.", "192.0.2.1")),
        });

        TlsaLookup tlsa = await Lookups(server).LookupTlsaAsync("mx.example.test", 25, Token).AsTask().WaitAsync(Bound, Token);

        Assert.Equal(TlsaLookupKind.SecureRecords, tlsa.Kind);
        Assert.Equal(expectedName, tlsa.Name);
        string[] asked = server.ReceivedQueries.Where(q => q.Info!.QuestionType == Tlsa).Select(q => q.Info!.QuestionName!).ToArray();
        Assert.Equal(recordsAtExpanded ? ["_25._tcp.mx.hosting.test."] : ["_25._tcp.mx.hosting.test.", "_25._tcp.mx.example.test."], asked);
    }

    [Fact]
    public async Task LookupTlsaAsync_InsecureAlias_OnlyTheGivenName()
    {
        await using var server = new ScriptedDnsServer(q => q.Info!.QuestionType == Tlsa
            ? Reply(q, secure: true, b => b.AddRaw(RecordSection.Answer, q.Info.QuestionName!, Tlsa, 1, 300, DaneEe))
            : Reply(q, secure: false, b => b
                .AddCname(RecordSection.Answer, "mx.example.test.", "mx.hosting.test.")
                .AddA(RecordSection.Answer, "mx.hosting.test.", "192.0.2.1")));

        TlsaLookup tlsa = await Lookups(server).LookupTlsaAsync("mx.example.test", 25, Token).AsTask().WaitAsync(Bound, Token);

        Assert.Equal("_25._tcp.mx.example.test", tlsa.Name);
        Assert.Equal(["_25._tcp.mx.example.test."], server.ReceivedQueries.Where(q => q.Info!.QuestionType == Tlsa).Select(q => q.Info!.QuestionName!));
    }

    [Fact]
    public async Task LookupAddressesAsync_BothFamilies_IPv6First()
    {
        await using var server = new ScriptedDnsServer(q => q.Info!.QuestionType == DnsTypeCode.AAAA
            ? Reply(q, secure: false, b => b.AddAaaa(RecordSection.Answer, "mta-sts.example.test.", "2001:db8::1"))
            : Reply(q, secure: false, b => b.AddA(RecordSection.Answer, "mta-sts.example.test.", "192.0.2.1")));

        IReadOnlyList<IPAddress> addresses = await Lookups(server).LookupAddressesAsync("mta-sts.example.test", Token).AsTask().WaitAsync(Bound, Token);

        Assert.Equal([IPAddress.Parse("2001:db8::1"), IPAddress.Parse("192.0.2.1")], addresses);
    }
}
