using System.Net;
using MxResolver.Dns;
using MxResolver.Tests.Infrastructure;

namespace MxResolver.Tests.Transport;

/// <summary>The stub client against a real Unbound on loopback serving the shared zone mx.test.</summary>
public sealed class DnsStubClientUnboundTests(UnboundFixture unbound)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private DnsStubClient Client(bool tcpOnly = false) => new(new DnsStubClientOptions { NameServers = [unbound.EndPoint], UseTcpOnly = tcpOnly });

    private Task<DnsResponse> QueryAsync(string name, DnsRecordType type, bool tcpOnly = false) =>
        Client(tcpOnly).QueryAsync(name, type, Token).WaitAsync(Bound, Token);

    [Fact]
    public async Task QueryAsync_Mx_AllRecordsWithServerAndRoundTrip()
    {
        DnsResponse response = await QueryAsync("plain.mx.test.", DnsRecordType.MX);

        Assert.Equal(DnsResponseCode.NoError, response.ResponseCode);
        Assert.Equal(
            ["10 mx1.plain.mx.test.", "20 mx2.plain.mx.test.", "30 mx3.plain.mx.test."],
            response.Answers.OfType<MxRecord>().Select(r => $"{r.Preference} {r.Exchange}").Order(StringComparer.Ordinal));
        Assert.Equal(unbound.EndPoint, response.Server);
        Assert.False(response.ReceivedOverTcp);
        Assert.True(response.RoundTripTime > TimeSpan.Zero);
        Assert.Equal("plain.mx.test.", response.Question!.Name);
        Assert.Equal((ushort)1232, response.EdnsUdpPayloadSize);
    }

    [Theory]
    [InlineData(DnsRecordType.A, "192.0.2.11")]
    [InlineData(DnsRecordType.AAAA, "2001:db8::11")]
    public async Task QueryAsync_Address_ReturnsTheAddress(DnsRecordType type, string expected)
    {
        DnsResponse response = await QueryAsync("MX1.Plain.MX.Test", type);

        AddressRecord record = Assert.IsType<AddressRecord>(Assert.Single(response.Answers));
        Assert.Equal(IPAddress.Parse(expected), record.Address);
    }

    [Fact]
    public async Task QueryAsync_CnameChain_ChainAndTargetRecords()
    {
        DnsResponse response = await QueryAsync("chain-8.mx.test.", DnsRecordType.MX);

        Assert.Equal(8, response.Answers.OfType<CnameRecord>().Count());
        Assert.Equal("mx.canonical.mx.test.", Assert.Single(response.Answers.OfType<MxRecord>()).Exchange);
    }

    [Fact]
    public async Task QueryAsync_MissingName_NxDomainWithSoaInAuthority()
    {
        DnsResponse response = await QueryAsync("no-such-name.mx.test.", DnsRecordType.MX);

        Assert.Equal(DnsResponseCode.NameError, response.ResponseCode);
        Assert.Empty(response.Answers);
        Assert.Equal("mx.test.", Assert.IsType<SoaRecord>(Assert.Single(response.Authorities)).Name);
    }

    [Fact]
    public async Task QueryAsync_NameWithoutType_NoDataWithSoaInAuthority()
    {
        DnsResponse response = await QueryAsync("txt-only.mx.test.", DnsRecordType.MX);

        Assert.Equal(DnsResponseCode.NoError, response.ResponseCode);
        Assert.Empty(response.Answers);
        Assert.IsType<SoaRecord>(Assert.Single(response.Authorities));
    }

    [Fact]
    public async Task QueryAsync_AnswerTooBigForUdp_TruncatedThenWholeOverTcp()
    {
        DnsResponse response = await QueryAsync("big.mx.test.", DnsRecordType.MX);

        Assert.True(response.ReceivedOverTcp);
        Assert.False(response.IsTruncated);
        Assert.Equal(60, response.Answers.OfType<MxRecord>().Count());
        Assert.True(response.MessageSize > 1232, $"the answer is only {response.MessageSize} bytes");
    }

    [Fact]
    public async Task QueryAsync_TcpOnly_AnswerOverTcp()
    {
        DnsResponse response = await QueryAsync("plain.mx.test.", DnsRecordType.MX, tcpOnly: true);

        Assert.True(response.ReceivedOverTcp);
        Assert.Equal(3, response.Answers.OfType<MxRecord>().Count());
    }
}
