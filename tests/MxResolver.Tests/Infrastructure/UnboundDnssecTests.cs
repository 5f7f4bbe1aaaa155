using System.Security.Cryptography;

namespace MxResolver.Tests.Infrastructure;

/// <summary>
/// The validating Unbound the DANE and MTA-STS tests will rely on: AD=1 for every kind of record in the
/// signed zone, AD=0 for the unsigned one, SERVFAIL for broken signatures (RFC 4035 §3.2.3, §5.5).
/// </summary>
public sealed class UnboundDnssecTests(DnssecUnboundFixture dnssec) : IClassFixture<DnssecUnboundFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    /// <summary>AD set in the query asks for the AD bit in the answer without DO (RFC 6840 §5.7), as <c>dig +adflag</c> does.</summary>
    private async Task<DnsQueryInfo> QueryAsync(string name, ushort type, bool checkingDisabled = false)
    {
        var id = (ushort)RandomNumberGenerator.GetInt32(ushort.MaxValue + 1);
        var query = DnsMessageBuilder.Query(id, name, type);
        query.AuthenticData = true;
        query.CheckingDisabled = checkingDisabled;
        var reply = DnsQueryInfo.Parse(await RawDnsClient.QueryUdpAsync(
            dnssec.Server.EndPoint, query.AddOpt(1232).Build(), Timeout, TestContext.Current.CancellationToken));
        Assert.Equal(id, reply.Id);
        return reply;
    }

    [Theory]
    [InlineData("signed.test.", DnsTypeCode.MX, "10 mx.signed.test.")]
    [InlineData("mx.signed.test.", DnsTypeCode.A, "192.0.2.201")]
    [InlineData("mx.signed.test.", DnsTypeCode.AAAA, "2001:db8::201")]
    [InlineData("_25._tcp.mx.signed.test.", DnsTypeCode.TLSA, "0301018BD1DA95272F7FA4FFB24137FC0ED03AAE67E5C4D8B3C50734E1050A7920B922")]
    [InlineData("_mta-sts.signed.test.", DnsTypeCode.TXT, "\"v=STSv1; id=20260101T000000Z\"")]
    [InlineData("_smtp._tls.signed.test.", DnsTypeCode.TXT, "\"v=TLSRPTv1; rua=mailto:tlsrpt@signed.test\"")]
    [InlineData("to-unsigned.signed.test.", DnsTypeCode.MX, "10 mx.unsigned.test.")]
    public async Task Query_SignedZone_ValidatedWithAdSet(string name, ushort type, string data)
    {
        var reply = await QueryAsync(name, type);

        Assert.Equal(DnsRcodeCode.NoError, reply.Rcode);
        Assert.True(reply.AuthenticData);
        Assert.False(reply.AuthoritativeAnswer);
        Assert.Equal(data, Assert.Single(reply.Answers, r => r.Type == type).Data);
    }

    [Fact]
    public async Task Query_SignedCnameToAddress_ChainValidatedWithAdSet()
    {
        var reply = await QueryAsync("alias.signed.test.", DnsTypeCode.A);

        Assert.Equal(DnsRcodeCode.NoError, reply.Rcode);
        Assert.True(reply.AuthenticData);
        Assert.Equal("mx.signed.test.", Assert.Single(reply.Answers, r => r.Type == DnsTypeCode.CNAME).Data);
        Assert.Equal("192.0.2.201", Assert.Single(reply.Answers, r => r.Type == DnsTypeCode.A).Data);
    }

    [Fact]
    public async Task Query_SignedZoneMissingName_ProvenNxDomainWithAdSet()
    {
        var reply = await QueryAsync("absent.signed.test.", DnsTypeCode.MX);

        Assert.Equal(DnsRcodeCode.NxDomain, reply.Rcode);
        Assert.True(reply.AuthenticData);
    }

    [Theory]
    [InlineData("unsigned.test.", DnsTypeCode.MX, "10 mx.unsigned.test.")]
    [InlineData("_25._tcp.mx.unsigned.test.", DnsTypeCode.TLSA, "0301018BD1DA95272F7FA4FFB24137FC0ED03AAE67E5C4D8B3C50734E1050A7920B922")]
    [InlineData("mx.unsigned.test.", DnsTypeCode.A, "192.0.2.211")]
    public async Task Query_UnsignedZone_InsecureAnswerWithAdClear(string name, ushort type, string data)
    {
        var reply = await QueryAsync(name, type);

        Assert.Equal(DnsRcodeCode.NoError, reply.Rcode);
        Assert.False(reply.AuthenticData);
        Assert.Equal(data, Assert.Single(reply.Answers, r => r.Type == type).Data);
    }

    [Theory]
    [InlineData("bogus.test.", DnsTypeCode.MX)]
    [InlineData("mx.bogus.test.", DnsTypeCode.A)]
    [InlineData("_25._tcp.mx.bogus.test.", DnsTypeCode.TLSA)]
    public async Task Query_BogusSignature_ServFail(string name, ushort type)
    {
        var reply = await QueryAsync(name, type);

        Assert.Equal(DnsRcodeCode.ServFail, reply.Rcode);
        Assert.Empty(reply.Answers);
    }

    [Fact]
    public async Task Query_BogusZoneWithCheckingDisabled_DataServedWithoutAd()
    {
        // CD=1 (RFC 4035 §3.2.2): the resolver hands out the data it could not validate, which shows the
        // SERVFAIL above comes from the broken signature and not from missing data.
        var reply = await QueryAsync("mx.bogus.test.", DnsTypeCode.A, checkingDisabled: true);

        Assert.Equal(DnsRcodeCode.NoError, reply.Rcode);
        Assert.False(reply.AuthenticData);
        Assert.Equal("192.0.2.221", Assert.Single(reply.Answers, r => r.Type == DnsTypeCode.A).Data);
    }

    [Fact]
    public async Task Query_BogusZoneSoa_StillValidates()
    {
        // Only data signatures are broken: the key and the SOA validate (the readiness probe asks for it).
        var reply = await QueryAsync("bogus.test.", DnsTypeCode.SOA);

        Assert.Equal(DnsRcodeCode.NoError, reply.Rcode);
        Assert.True(reply.AuthenticData);
    }
}
