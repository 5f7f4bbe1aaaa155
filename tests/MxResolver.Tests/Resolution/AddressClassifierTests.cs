using System.Net;
using MxResolver.Resolution;

namespace MxResolver.Tests.Resolution;

public class AddressClassifierTests
{
    [Theory]
    [InlineData("192.0.2.1", AddressCategories.None)]
    [InlineData("2001:db8::1", AddressCategories.None)]
    [InlineData("0.1.2.3", AddressCategories.Unspecified)]
    [InlineData("255.255.255.255", AddressCategories.Broadcast)]
    [InlineData("255.255.255.254", AddressCategories.None)]
    [InlineData("239.255.255.255", AddressCategories.Multicast)]
    [InlineData("127.255.0.1", AddressCategories.Loopback)]
    [InlineData("169.254.169.254", AddressCategories.LinkLocal)]
    [InlineData("169.253.1.1", AddressCategories.None)]
    [InlineData("10.1.2.3", AddressCategories.Private)]
    [InlineData("172.31.255.255", AddressCategories.Private)]
    [InlineData("172.32.0.1", AddressCategories.None)]
    [InlineData("192.168.0.1", AddressCategories.Private)]
    [InlineData("100.127.0.1", AddressCategories.Private)]
    [InlineData("100.128.0.1", AddressCategories.None)]
    [InlineData("::", AddressCategories.Unspecified)]
    [InlineData("::1", AddressCategories.Loopback)]
    [InlineData("febf::1", AddressCategories.LinkLocal)]
    [InlineData("fec0::1", AddressCategories.None)]
    [InlineData("ff05::2", AddressCategories.Multicast)]
    [InlineData("fd12:3456::1", AddressCategories.Private)]
    [InlineData("::ffff:10.0.0.1", AddressCategories.Private)]
    [InlineData("::ffff:192.0.2.1", AddressCategories.None)]
    [InlineData("64:ff9b::192.0.2.1", AddressCategories.None)]
    [InlineData("64:ff9b::127.0.0.1", AddressCategories.Loopback)]
    [InlineData("64:ff9b::0.0.0.0", AddressCategories.Unspecified)]
    [InlineData("64:ff9b:1::127.0.0.1", AddressCategories.None)]
    public void Classify_Address_ReturnsItsCategories(string address, AddressCategories expected)
    {
        // R18
        Assert.Equal(expected, AddressClassifier.Classify(IPAddress.Parse(address)));
    }

    [Fact]
    public void Normalize_IPv4Mapped_BecomesIPv4()
    {
        // R13: the same host under two families is attempted once.
        Assert.Equal(IPAddress.Parse("192.0.2.1"), AddressClassifier.Normalize(IPAddress.Parse("::ffff:192.0.2.1")));
        Assert.Equal(IPAddress.Parse("64:ff9b::c000:201"), AddressClassifier.Normalize(IPAddress.Parse("64:ff9b::192.0.2.1")));
    }
}
