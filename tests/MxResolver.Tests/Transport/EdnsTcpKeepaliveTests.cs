using MxResolver.Dns;
using MxResolver.Tests.Infrastructure;
using MxResolver.Transport;

namespace MxResolver.Tests.Transport;

public sealed class EdnsTcpKeepaliveTests
{
    [Theory]
    [InlineData(new byte[] { 0, 11, 0, 2, 0, 20 }, 2000)]
    [InlineData(new byte[] { 0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8, 0, 11, 0, 2, 1, 0 }, 25600)] // after a cookie option
    [InlineData(new byte[] { 0, 11, 0, 2, 0, 0 }, 0)]
    public void Reads_the_servers_timeout_in_units_of_100_ms(byte[] options, int milliseconds)
    {
        byte[] reply = DnsMessageBuilder.Query(1, "a.test.", 1).AddOpt(1232, options: options).Build();
        reply[2] |= 0x80;

        Assert.True(EdnsTcpKeepalive.TryReadTimeout(reply, out TimeSpan timeout));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), timeout);
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0, 11, 0, 0 })] // the client's form: no TIMEOUT
    [InlineData(new byte[] { 0, 11, 0, 9, 0 })] // cut off
    public void Finds_no_timeout_where_there_is_none(byte[] options)
    {
        byte[] reply = DnsMessageBuilder.Query(1, "a.test.", 1).AddOpt(1232, options: options).Build();

        Assert.False(EdnsTcpKeepalive.TryReadTimeout(reply, out _));
        Assert.False(EdnsTcpKeepalive.TryReadTimeout(DnsMessageBuilder.Query(1, "a.test.", 1).Build(), out _));
        Assert.False(EdnsTcpKeepalive.TryReadTimeout(new byte[] { 1, 2, 3 }, out _));
    }

    [Fact]
    public void Appends_an_empty_option_to_the_queries_opt_record()
    {
        var query = new byte[DnsQueryWriter.MaxQueryLength];
        int length = DnsQueryWriter.Write(query, 9, "a.test.", DnsRecordType.MX);
        var destination = new byte[length + EdnsTcpKeepalive.RequestLength];

        int written = EdnsTcpKeepalive.TryAppendRequest(query.AsSpan(0, length), destination);

        Assert.Equal(length + 4, written);
        var response = DnsQueryInfo.Parse(destination);
        Assert.True(response.HasOpt);
        Assert.Equal(new byte[] { 0, 4, 0, 11, 0, 0 }, destination[^6..]); // RDLENGTH 4, then code 11, length 0

        // Without OPT, or already asking: nothing written.
        int plain = DnsQueryWriter.Write(query, 9, "a.test.", DnsRecordType.MX, udpPayloadSize: null);
        Assert.Equal(0, EdnsTcpKeepalive.TryAppendRequest(query.AsSpan(0, plain), destination));
        Assert.Equal(0, EdnsTcpKeepalive.TryAppendRequest(destination, new byte[destination.Length + 4]));
    }
}
