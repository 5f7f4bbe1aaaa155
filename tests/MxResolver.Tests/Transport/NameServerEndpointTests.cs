using System.Net;
using MxResolver.Transport;

namespace MxResolver.Tests.Transport;

public sealed class NameServerEndpointTests
{
    private const string Pin = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";

    [Theory]
    [InlineData("192.0.2.53", (int)DnsTransport.Udp, "192.0.2.53", 53, null)]
    [InlineData("  192.0.2.53  ", (int)DnsTransport.Udp, "192.0.2.53", 53, null)]
    [InlineData("192.0.2.53:5353", (int)DnsTransport.Udp, "192.0.2.53", 5353, null)]
    [InlineData("[2001:db8::1]:53", (int)DnsTransport.Udp, "2001:db8::1", 53, null)]
    [InlineData("[2001:db8::1]", (int)DnsTransport.Udp, "2001:db8::1", 53, null)]
    [InlineData("2001:db8::1", (int)DnsTransport.Udp, "2001:db8::1", 53, null)]
    [InlineData("2001:db8::1@5300", (int)DnsTransport.Udp, "2001:db8::1", 5300, null)]
    [InlineData("udp://192.0.2.53", (int)DnsTransport.Udp, "192.0.2.53", 53, null)]
    [InlineData("tcp://192.0.2.53", (int)DnsTransport.Tcp, "192.0.2.53", 53, null)]
    [InlineData("TCP://192.0.2.53:54", (int)DnsTransport.Tcp, "192.0.2.53", 54, null)]
    [InlineData("tls://192.0.2.53#dns.example", (int)DnsTransport.Tls, "192.0.2.53", 853, "dns.example")]
    [InlineData("192.0.2.53@853#dns.example", (int)DnsTransport.Tls, "192.0.2.53", 853, "dns.example")]
    [InlineData("192.0.2.53#dns.example", (int)DnsTransport.Tls, "192.0.2.53", 853, "dns.example")]
    [InlineData("tls://192.0.2.53:8853#dns.example", (int)DnsTransport.Tls, "192.0.2.53", 8853, "dns.example")]
    [InlineData("tls://[2001:db8::1]:8853#dns.example.", (int)DnsTransport.Tls, "2001:db8::1", 8853, "dns.example")]
    [InlineData("dot://192.0.2.53#dns.example", (int)DnsTransport.Tls, "192.0.2.53", 853, "dns.example")]
    public void Parses_the_documented_forms(string text, int transport, string address, int port, string? name)
    {
        var entry = NameServerEndpoint.Parse(text);

        Assert.Equal((DnsTransport)transport, entry.Transport);
        Assert.Equal(new IPEndPoint(IPAddress.Parse(address), port), entry.EndPoint);
        Assert.Equal(name, entry.AuthenticationName);
        Assert.False(entry.HasPins);
    }

    [Fact]
    public void Parses_pins_with_and_without_a_name()
    {
        var withName = NameServerEndpoint.Parse($"tls://192.0.2.53#dns.example?pin=sha256/{Pin}");
        var pinOnly = NameServerEndpoint.Parse($"tls://192.0.2.53?pin=sha256/{Pin}&pin=SHA256/{Convert.ToBase64String(new byte[32])}");

        Assert.Equal("dns.example", withName.AuthenticationName);
        Assert.Equal(Convert.FromBase64String(Pin), withName.SpkiPins.Single().ToArray());
        Assert.Null(pinOnly.AuthenticationName);
        Assert.Equal(2, pinOnly.SpkiPins.Length);
        Assert.Equal(DnsTransport.Tls, pinOnly.Transport);
        Assert.Equal(853, pinOnly.EndPoint.Port);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("ftp://192.0.2.53", "unknown scheme 'ftp'")]
    [InlineData("dns.example", "'dns.example' is not an IP address")]
    [InlineData("192.0.2", "'192.0.2' is not an IP address")]
    [InlineData("192.0.2.53:0", "the port '0'")]
    [InlineData("192.0.2.53:65536", "the port '65536'")]
    [InlineData("192.0.2.53:x", "the port 'x'")]
    [InlineData("192.0.2.53:53@54", "the port is given twice")]
    [InlineData("[2001:db8::1", "no ']' closes")]
    [InlineData("[2001:db8::1]x", "unexpected 'x'")]
    [InlineData("tls://192.0.2.53", "needs an authentication name")]
    [InlineData("tcp://192.0.2.53#dns.example", "only applies to tls://")]
    [InlineData("tls://192.0.2.53#bad_name!", "'bad_name!' is not a valid host name")]
    [InlineData("tls://192.0.2.53#dns.example?pin=md5/AAAA", "does not start with 'sha256/'")]
    [InlineData("tls://192.0.2.53#dns.example?pin=sha256/AAAA", "not the base64 of a 32-byte SHA-256 digest")]
    [InlineData("tls://192.0.2.53#dns.example?port=1", "unknown parameter 'port=1'")]
    [InlineData("tls://#dns.example", "the address is missing")]
    public void Rejects_malformed_entries_saying_what_is_wrong(string text, string expected)
    {
        var error = Assert.Throws<FormatException>(() => NameServerEndpoint.Parse(text));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        if (text.Length > 0)
        {
            Assert.Contains(text.Trim(), error.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("192.0.2.53")]
    [InlineData("tcp://[2001:db8::1]:5300")]
    [InlineData("tls://192.0.2.53:8853#dns.example")]
    [InlineData("tls://192.0.2.53#dns.example?pin=sha256/" + Pin)]
    public void The_canonical_text_parses_back_to_an_equal_entry(string text)
    {
        var entry = NameServerEndpoint.Parse(text);
        var again = NameServerEndpoint.Parse(entry.ToString());

        Assert.Equal(entry, again);
        Assert.Equal(entry.GetHashCode(), again.GetHashCode());
    }

    [Fact]
    public void Entries_differing_only_in_pins_are_not_equal()
    {
        var a = NameServerEndpoint.Parse($"tls://192.0.2.53#dns.example?pin=sha256/{Pin}");
        var b = NameServerEndpoint.Parse($"tls://192.0.2.53#dns.example?pin=sha256/{Convert.ToBase64String(new byte[32])}");

        Assert.NotEqual(a, b);
    }
}
