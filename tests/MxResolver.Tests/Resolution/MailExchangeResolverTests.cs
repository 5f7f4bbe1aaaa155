using System.Net;
using Microsoft.Extensions.Time.Testing;
using MxResolver.Dns;

namespace MxResolver.Tests.Resolution;

// Behaviour rules R30 (docs/behaviour.md, "Secure delivery").

public class MailExchangeResolverTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    internal static MailExchangeResolver Create(FakeDnsLookup dns, MxResolverOptions? options = null, Random? random = null, TimeProvider? time = null)
        => new(options ?? new MxResolverOptions(), dns, time ?? TimeProvider.System, random ?? new Random(12345), logger: null);

    private static string[] Hosts(MxResolution result) => result.Targets.Select(t => t.Host).ToArray();

    private static string[] Addresses(MxTarget target) => target.Addresses.Select(a => a.ToString()).ToArray();

    // ---- The task ----------------------------------------------------------------------------

    [Fact]
    public async Task ResolveAsync_ResolutionWaits_TaskMayBeAwaitedTwice()
    {
        // The resolution runs in a pooled box internally; what the caller gets must behave like a Task.
        var dns = new FakeDnsLookup().Mx("example.com", (10, "mx.example.com")).Host("mx.example.com", "192.0.2.1", "2001:db8::1")
            .RequireConcurrentAddressLookups(2);

        ValueTask<MxResolution> resolving = Create(dns).ResolveAsync("example.com", Ct);
        MxResolution first = await resolving.AsTask().WaitAsync(FakeDnsLookup.MaxWait, Ct);
        MxResolution second = await resolving;

        Assert.Same(first, second);
        Assert.Equal(MxResolutionStatus.Success, first.Status);
    }

    // ---- DNSSEC status ----------------------------------------------------------------------

    [Fact]
    public async Task ResolveAsync_EveryAnswerSecure_MxAndTargetSecure()
    {
        var dns = new FakeDnsLookup().Mx("example.com", (10, "mx.example.com")).Host("mx.example.com", "192.0.2.1", "2001:db8::1")
            .Secure("example.com", DnsRecordType.MX).Secure("mx.example.com", DnsRecordType.A, DnsRecordType.AAAA);

        MxResolution result = await Create(dns).ResolveAsync("example.com", Ct);

        Assert.True(result.IsMxSecure);
        Assert.True(Assert.Single(result.Targets).IsSecure);
    }

    [Fact]
    public async Task ResolveAsync_OneAddressAnswerInsecure_TargetInsecure()
    {
        var dns = new FakeDnsLookup().Mx("example.com", (10, "mx.example.com")).Host("mx.example.com", "192.0.2.1", "2001:db8::1")
            .Secure("example.com", DnsRecordType.MX).Secure("mx.example.com", DnsRecordType.A);

        MxResolution result = await Create(dns).ResolveAsync("example.com", Ct);

        Assert.True(result.IsMxSecure);
        Assert.False(Assert.Single(result.Targets).IsSecure);
    }

    [Fact]
    public async Task ResolveAsync_MxInsecure_MxInsecureTargetStillJudgedAlone()
    {
        var dns = new FakeDnsLookup().Mx("example.com", (10, "mx.example.com")).Host("mx.example.com", "192.0.2.1")
            .Secure("mx.example.com", DnsRecordType.A, DnsRecordType.AAAA);

        MxResolution result = await Create(dns).ResolveAsync("example.com", Ct);

        Assert.False(result.IsMxSecure);
        Assert.True(Assert.Single(result.Targets).IsSecure);
    }

    [Fact]
    public async Task ResolveAsync_ImplicitMxSecureNoData_MxSecure()
    {
        var dns = new FakeDnsLookup().Host("example.com", "192.0.2.1").NoData("example.com", DnsRecordType.MX)
            .Secure("example.com", DnsRecordType.MX, DnsRecordType.A, DnsRecordType.AAAA);

        MxResolution result = await Create(dns).ResolveAsync("example.com", Ct);

        Assert.Equal(MxResolutionStatus.ImplicitMx, result.Status);
        Assert.True(result.IsMxSecure);
        Assert.True(Assert.Single(result.Targets).IsSecure);
    }

    [Fact]
    public async Task ResolveAsync_SecureMxButTemporaryFailure_NotMxSecure()
    {
        var dns = new FakeDnsLookup().Mx("example.com", (10, "mx.example.com")).Fail("mx.example.com", DnsRecordType.A).Fail("mx.example.com", DnsRecordType.AAAA)
            .Secure("example.com", DnsRecordType.MX);

        MxResolution result = await Create(dns).ResolveAsync("example.com", Ct);

        Assert.Equal(MxResolutionStatus.TemporaryFailure, result.Status);
        Assert.False(result.IsMxSecure);
    }

    // ---- R1 ----------------------------------------------------------------------------------

    [Fact]
    public async Task ResolveAsync_RelativeName_QueriesOnlyTheAbsoluteName()
    {
        // R1
        var dns = new FakeDnsLookup().Mx("example.com", (10, "mx.example.com")).Host("mx.example.com", "192.0.2.1");

        MxResolution result = await Create(dns).ResolveAsync("example.com", Ct);

        Assert.Equal(MxResolutionStatus.Success, result.Status);
        Assert.Equal(("example.com.", DnsRecordType.MX), dns.Calls[0]);
        Assert.All(dns.Calls, call => Assert.EndsWith(".", call.Name));
        Assert.Equal(["example.com.", "mx.example.com.", "mx.example.com."], dns.Calls.Select(c => c.Name).ToArray());
    }

    [Fact]
    public async Task ResolveAsync_SingleLabelName_IsNotCompletedWithASearchList()
    {
        // R1: "mail" is asked as "mail.", never as "mail.<search domain>".
        var dns = new FakeDnsLookup();

        MxResolution result = await Create(dns).ResolveAsync("mail", Ct);

        Assert.Equal(MxResolutionStatus.NoSuchDomain, result.Status);
        Assert.Equal([("mail.", DnsRecordType.MX)], dns.Calls);
    }

    [Fact]
    public async Task ResolveAsync_TrailingDot_ResolvesLikeWithout()
    {
        // R1
        var dns = new FakeDnsLookup().Mx("example.com", (10, "mx.example.com")).Host("mx.example.com", "192.0.2.1");

        MxResolution result = await Create(dns).ResolveAsync("Example.COM.", Ct);

        Assert.Equal(MxResolutionStatus.Success, result.Status);
        Assert.Equal("example.com", result.AsciiDomain);
        Assert.Equal("example.com", result.Domain);
        Assert.Equal("Example.COM.", result.Input);
        Assert.Equal(("example.com.", DnsRecordType.MX), dns.Calls[0]);
    }

    // ---- R2 ----------------------------------------------------------------------------------

    [Theory]
    [InlineData("user@example.com")]
    [InlineData("\"odd@local\"@example.com")]
    [InlineData("first.last+tag@EXAMPLE.com")]
    public async Task ResolveAsync_EmailAddress_ResolvesItsDomain(string input)
    {
        // R2
        var dns = new FakeDnsLookup().Mx("example.com", (10, "mx.example.com")).Host("mx.example.com", "192.0.2.1");

        MxResolution result = await Create(dns).ResolveAsync(input, Ct);

        Assert.Equal(MxResolutionStatus.Success, result.Status);
        Assert.Equal("example.com", result.AsciiDomain);
        Assert.Equal(input, result.Input);
        Assert.Equal(["mx.example.com"], Hosts(result));
    }

    [Theory]
    [InlineData("user@[192.0.2.1]", "[192.0.2.1]", "192.0.2.1")]
    [InlineData("[198.51.100.7]", "[198.51.100.7]", "198.51.100.7")]
    [InlineData("user@[IPv6:2001:db8::1]", "[IPv6:2001:db8::1]", "2001:db8::1")]
    [InlineData("user@[ipv6:2001:DB8:0:0:0:0:0:1]", "[IPv6:2001:db8::1]", "2001:db8::1")]
    public async Task ResolveAsync_AddressLiteral_OneTargetWithoutDns(string input, string host, string address)
    {
        // R2
        var dns = new FakeDnsLookup();

        MxResolution result = await Create(dns).ResolveAsync(input, Ct);

        Assert.Equal(MxResolutionStatus.Success, result.Status);
        MxTarget target = Assert.Single(result.Targets);
        Assert.Equal(host, target.Host);
        Assert.Equal(0, target.Preference);
        Assert.False(target.IsImplicit);
        Assert.Equal([address], Addresses(target));
        Assert.Empty(dns.Calls);
        Assert.Null(result.Domain);
        Assert.Null(result.AsciiDomain);
        Assert.Null(result.TimeToLive);
    }

    [Theory]
    [InlineData("user@[300.1.1.1]")]
    [InlineData("user@[192.0.2]")]
    [InlineData("user@[192.0.2.1")]
    [InlineData("user@[IPv6:not-an-address]")]
    [InlineData("user@[IPv6:192.0.2.1]")]
    [InlineData("user@[x-tag:anything]")]
    [InlineData("user@[]")]
    public async Task ResolveAsync_MalformedLiteral_InvalidInput(string input)
    {
        // R2
        var dns = new FakeDnsLookup();

        MxResolution result = await Create(dns).ResolveAsync(input, Ct);

        Assert.Equal(MxResolutionStatus.InvalidInput, result.Status);
        Assert.NotNull(result.Error);
        Assert.Empty(dns.Calls);
    }

    [Fact]
    public async Task ResolveAsync_LoopbackLiteral_FilteredLikeAnyAddress()
    {
        // R2 + R18: a literal is not a way around the address filter.
        MxResolution result = await Create(new FakeDnsLookup()).ResolveAsync("user@[127.0.0.1]", Ct);

        Assert.Equal(MxResolutionStatus.NoUsableTarget, result.Status);
        DroppedAddress dropped = Assert.Single(result.DroppedAddresses);
        Assert.Equal(AddressDropReason.Blocked, dropped.Reason);
        Assert.Equal(AddressCategories.Loopback, dropped.Category);
    }

    // ---- R3 ----------------------------------------------------------------------------------

    [Fact]
    public async Task ResolveAsync_UnicodeDomain_QueriesTheALabelAndReportsBothForms()
    {
        // R3
        var dns = new FakeDnsLookup().Mx("xn--bcher-kva.example", (10, "mx.example.net")).Host("mx.example.net", "192.0.2.1");

        MxResolution result = await Create(dns).ResolveAsync("user@Bücher.example", Ct);

        Assert.Equal(MxResolutionStatus.Success, result.Status);
        Assert.Equal("bücher.example", result.Domain);
        Assert.Equal("xn--bcher-kva.example", result.AsciiDomain);
        Assert.Equal(("xn--bcher-kva.example.", DnsRecordType.MX), dns.Calls[0]);
    }

    [Fact]
    public async Task ResolveAsync_ALabelInput_ReportsTheUnicodeForm()
    {
        // R3
        var dns = new FakeDnsLookup().Mx("xn--bcher-kva.example", (10, "mx.example.net")).Host("mx.example.net", "192.0.2.1");

        MxResolution result = await Create(dns).ResolveAsync("XN--BCHER-KVA.example", Ct);

        Assert.Equal("bücher.example", result.Domain);
        Assert.Equal("xn--bcher-kva.example", result.AsciiDomain);
    }

    public static TheoryData<string> InvalidDomains =>
    [
        "",
        ".",
        "a..example",
        ".example.com",
        "example..",
        "exa mple.com",
        "under_score.example",
        "-leading.example",
        "trailing-.example",
        "192.0.2.1",
        "example.123",
        "@example.com",
        "user@",
        "user@.",
        new string('a', 64) + ".example",
        string.Join('.', Enumerable.Repeat(new string('a', 63), 4)),
        "xn--a.example",
        "bad\u0000name.example",
    ];

    [Theory]
    [MemberData(nameof(InvalidDomains))]
    public async Task ResolveAsync_InvalidDomain_RejectedBeforeAnyQuery(string input)
    {
        // R3
        var dns = new FakeDnsLookup();

        MxResolution result = await Create(dns).ResolveAsync(input, Ct);

        Assert.Equal(MxResolutionStatus.InvalidInput, result.Status);
        Assert.True(result.IsPermanentFailure);
        Assert.False(result.IsTemporaryFailure);
        Assert.Equal("5.1.3", result.EnhancedStatusCode);
        Assert.False(string.IsNullOrWhiteSpace(result.Error));
        Assert.Empty(result.Targets);
        Assert.Empty(dns.Calls);
    }

    [Fact]
    public async Task ResolveAsync_NameOf253Characters_IsAccepted()
    {
        // R3: 253 characters is the longest name (255 octets on the wire).
        string name = string.Join('.', new string('a', 63), new string('b', 63), new string('c', 63), new string('d', 61));
        Assert.Equal(253, name.Length);
        var dns = new FakeDnsLookup();

        MxResolution result = await Create(dns).ResolveAsync(name, Ct);

        Assert.Equal(MxResolutionStatus.NoSuchDomain, result.Status);
        Assert.Equal((name + ".", DnsRecordType.MX), Assert.Single(dns.Calls));
    }

    [Fact]
    public async Task ResolveAsync_LongLabelMessage_NamesTheLimit()
    {
        // R3: a clear reason.
        MxResolution result = await Create(new FakeDnsLookup()).ResolveAsync(new string('a', 64) + ".example", Ct);

        Assert.Contains("63", result.Error);
    }

    [Fact]
    public async Task ResolveAsync_Null_ThrowsArgumentNullException()
    {
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await Create(new FakeDnsLookup()).ResolveAsync(null!, Ct));
    }

    // ---- R4 ----------------------------------------------------------------------------------

    [Fact]
    public async Task ResolveAsync_DomainIsAlias_UsesTheCanonicalMxSet()
    {
        // R4
        var dns = new FakeDnsLookup()
            .AliasedMx("alias.example", "canonical.example", (10, "mx.canonical.example"))
            .Host("mx.canonical.example", "192.0.2.41");

        MxResolution result = await Create(dns).ResolveAsync("alias.example", Ct);

        Assert.Equal(MxResolutionStatus.Success, result.Status);
        Assert.Equal("alias.example", result.AsciiDomain);
        Assert.Equal("canonical.example", result.CanonicalName);
        Assert.Equal(["alias.example"], result.Aliases);
        Assert.Equal(["mx.canonical.example"], Hosts(result));
    }

    [Fact]
    public async Task ResolveAsync_AliasLoop_TemporaryFailureWithoutAddressLookups()
    {
        // R4: a loop or over-long chain is a failure, not a hang (temporary: mail is queued).
        var dns = new FakeDnsLookup().AliasLoop("loop.example", DnsRecordType.MX);

        MxResolution result = await Create(dns).ResolveAsync("loop.example", Ct);

        Assert.Equal(MxResolutionStatus.TemporaryFailure, result.Status);
        Assert.Equal("4.4.3", result.EnhancedStatusCode);
        Assert.Contains("loop", result.Error);
        Assert.Single(dns.Calls);
    }

    // ---- R5 ----------------------------------------------------------------------------------

    [Fact]
    public async Task ResolveAsync_NxDomain_NoSuchDomainPermanent()
    {
        // R5
        var dns = new FakeDnsLookup().NxDomain("nowhere.example", DnsRecordType.MX, ttl: 120);

        MxResolution result = await Create(dns).ResolveAsync("nowhere.example", Ct);

        Assert.Equal(MxResolutionStatus.NoSuchDomain, result.Status);
        Assert.True(result.IsPermanentFailure);
        Assert.Equal("5.1.2", result.EnhancedStatusCode);
        Assert.Equal(TimeSpan.FromSeconds(120), result.TimeToLive);
        Assert.Equal(0, dns.CountCalls(DnsRecordType.A) + dns.CountCalls(DnsRecordType.AAAA));
    }

    // ---- R6 ----------------------------------------------------------------------------------

    [Theory]
    [InlineData(DnsQueryError.ServerFailure)]
    [InlineData(DnsQueryError.Refused)]
    [InlineData(DnsQueryError.Timeout)]
    [InlineData(DnsQueryError.NetworkError)]
    [InlineData(DnsQueryError.MalformedResponse)]
    [InlineData(DnsQueryError.Truncated)]
    public async Task ResolveAsync_MxLookupFails_TemporaryFailureWithoutAddressFallback(DnsQueryError error)
    {
        // R6: never fall back to A/AAAA, even though the domain has addresses.
        var dns = new FakeDnsLookup().Fail("example.com", DnsRecordType.MX, error).Host("example.com", "192.0.2.1");

        MxResolution result = await Create(dns).ResolveAsync("example.com", Ct);

        Assert.Equal(MxResolutionStatus.TemporaryFailure, result.Status);
        Assert.True(result.IsTemporaryFailure);
        Assert.False(result.IsPermanentFailure);
        Assert.Equal("4.4.3", result.EnhancedStatusCode);
        Assert.Contains(error.ToString(), result.Error);
        Assert.Null(result.TimeToLive);
        Assert.Equal(0, dns.CountCalls(DnsRecordType.A) + dns.CountCalls(DnsRecordType.AAAA));
    }

    // ---- R7 ----------------------------------------------------------------------------------

    [Fact]
    public async Task ResolveAsync_NoData_ImplicitMxOnTheDomain()
    {
        // R7
        var dns = new FakeDnsLookup().NoData("implicit.example", DnsRecordType.MX).Host("implicit.example", "192.0.2.61", "2001:db8::61");

        MxResolution result = await Create(dns).ResolveAsync("implicit.example", Ct);

        Assert.Equal(MxResolutionStatus.ImplicitMx, result.Status);
        Assert.True(result.IsSuccess);
        Assert.Null(result.EnhancedStatusCode);
        MxTarget target = Assert.Single(result.Targets);
        Assert.Equal("implicit.example", target.Host);
        Assert.Equal(0, target.Preference);
        Assert.True(target.IsImplicit);
        Assert.Equal(["2001:db8::61", "192.0.2.61"], Addresses(target));
    }

    [Fact]
    public async Task ResolveAsync_NoDataAndNoAddresses_NoMailHost()
    {
        // R7
        var dns = new FakeDnsLookup().NoData("txt-only.example", DnsRecordType.MX).NoData("txt-only.example", DnsRecordType.A).NoData("txt-only.example", DnsRecordType.AAAA);

        MxResolution result = await Create(dns).ResolveAsync("txt-only.example", Ct);

        Assert.Equal(MxResolutionStatus.NoMailHost, result.Status);
        Assert.Equal("5.1.2", result.EnhancedStatusCode);
        Assert.True(result.IsPermanentFailure);
    }

    [Fact]
    public async Task ResolveAsync_NoDataThenAddressLookupFails_TemporaryFailure()
    {
        // R7: a temporary failure on the implicit MX's A/AAAA lookup is temporary.
        var dns = new FakeDnsLookup()
            .NoData("implicit.example", DnsRecordType.MX)
            .Fail("implicit.example", DnsRecordType.A)
            .NoData("implicit.example", DnsRecordType.AAAA);

        MxResolution result = await Create(dns).ResolveAsync("implicit.example", Ct);

        Assert.Equal(MxResolutionStatus.TemporaryFailure, result.Status);
        Assert.Equal("4.4.3", result.EnhancedStatusCode);
    }

    [Fact]
    public async Task ResolveAsync_NoDataAndOnlyOneFamilyFails_ImplicitMxWithWarning()
    {
        // R7 + R16
        var dns = new FakeDnsLookup()
            .NoData("implicit.example", DnsRecordType.MX)
            .Host("implicit.example", "192.0.2.61")
            .Fail("implicit.example", DnsRecordType.AAAA);

        MxResolution result = await Create(dns).ResolveAsync("implicit.example", Ct);

        Assert.Equal(MxResolutionStatus.ImplicitMx, result.Status);
        Assert.Equal(["192.0.2.61"], Addresses(Assert.Single(result.Targets)));
        Assert.Contains(result.Warnings, w => w.Contains("AAAA", StringComparison.Ordinal));
    }

    // ---- R8 ----------------------------------------------------------------------------------

    [Fact]
    public async Task ResolveAsync_NullMx_PermanentWithoutAddressLookups()
    {
        // R8
        var dns = new FakeDnsLookup().Mx("null-mx.example", (0, ".")).Host("null-mx.example", "192.0.2.1");

        MxResolution result = await Create(dns).ResolveAsync("null-mx.example", Ct);

        Assert.Equal(MxResolutionStatus.NullMx, result.Status);
        Assert.True(result.IsPermanentFailure);
        Assert.Equal("5.1.10", result.EnhancedStatusCode);
        Assert.Empty(result.Targets);
        Assert.Single(dns.Calls);
    }

    // ---- R9 ----------------------------------------------------------------------------------

    [Fact]
    public async Task ResolveAsync_NullMxMixedWithRealOnes_UsesTheRealOnesWithWarning()
    {
        // R9
        var dns = new FakeDnsLookup().Mx("mixed.example", (0, "."), (10, "mx.mixed.example")).Host("mx.mixed.example", "192.0.2.91");

        MxResolution result = await Create(dns).ResolveAsync("mixed.example", Ct);

        Assert.Equal(MxResolutionStatus.Success, result.Status);
        Assert.Equal(["mx.mixed.example"], Hosts(result));
        Assert.Contains(result.Warnings, w => w.Contains("null MX", StringComparison.Ordinal));
        Assert.Contains(new DroppedExchange(".", 0, ExchangeDropReason.NullMx), result.DroppedExchanges);
    }

    // ---- R10 ---------------------------------------------------------------------------------

    [Fact]
    public async Task ResolveAsync_InvalidExchanges_DroppedWithWarningsRestUsed()
    {
        // R10
        var dns = new FakeDnsLookup()
            .Mx("invalid.example", (10, "under_score.invalid.example"), (20, "-leading-hyphen.invalid.example"), (30, "mx.invalid.example"))
            .Host("under_score.invalid.example", "192.0.2.112")
            .Host("mx.invalid.example", "192.0.2.111");

        MxResolution result = await Create(dns).ResolveAsync("invalid.example", Ct);

        Assert.Equal(MxResolutionStatus.Success, result.Status);
        Assert.Equal(["mx.invalid.example"], Hosts(result));
        Assert.Equal(2, result.Warnings.Count(w => w.Contains("not a valid host name", StringComparison.Ordinal)));
        Assert.Contains(new DroppedExchange("under_score.invalid.example", 10, ExchangeDropReason.InvalidHostName), result.DroppedExchanges);
        Assert.Contains(new DroppedExchange("-leading-hyphen.invalid.example", 20, ExchangeDropReason.InvalidHostName), result.DroppedExchanges);
        Assert.DoesNotContain(dns.Calls, c => c.Name.StartsWith("under_score", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ResolveAsync_IPAddressExchangesByDefault_DroppedWithWarnings()
    {
        // R10: default: drop (as Go does).
        var dns = new FakeDnsLookup()
            .Mx("ip.example", (10, "192.0.2.55"), (20, "2001:db8::55"), (30, "mx.ip.example"))
            .Host("mx.ip.example", "192.0.2.101");

        MxResolution result = await Create(dns).ResolveAsync("ip.example", Ct);

        Assert.Equal(MxResolutionStatus.Success, result.Status);
        Assert.Equal(["mx.ip.example"], Hosts(result));
        Assert.Contains(new DroppedExchange("192.0.2.55", 10, ExchangeDropReason.IPAddressExchange), result.DroppedExchanges);
        Assert.Contains(new DroppedExchange("2001:db8::55", 20, ExchangeDropReason.IPAddressExchange), result.DroppedExchanges);
        Assert.Equal(2, result.Warnings.Count(w => w.Contains("IP address", StringComparison.Ordinal)));
        Assert.DoesNotContain(dns.Calls, c => c.Name.StartsWith("192.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ResolveAsync_IPAddressExchangesAllowed_UsedWithoutLookup()
    {
        // R10: opt-in (as Postfix does).
        var dns = new FakeDnsLookup()
            .Mx("ip.example", (10, "192.0.2.55"), (20, "2001:db8::55"), (30, "mx.ip.example"))
            .Host("mx.ip.example", "192.0.2.101");

        MxResolution result = await Create(dns, new MxResolverOptions { AllowIPLiteralExchanges = true }).ResolveAsync("ip.example", Ct);

        Assert.Equal(["192.0.2.55", "2001:db8::55", "mx.ip.example"], Hosts(result));
        Assert.Equal(["192.0.2.55"], Addresses(result.Targets[0]));
        Assert.Equal(["2001:db8::55"], Addresses(result.Targets[1]));
        Assert.DoesNotContain(dns.Calls, c => c.Name.StartsWith("192.", StringComparison.Ordinal) || c.Name.StartsWith("2001:", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("192.0.2.55")]
    [InlineData("bad_host.invalid-only.example")]
    public async Task ResolveAsync_AllExchangesDropped_NoUsableTarget(string exchange)
    {
        // R10
        var dns = new FakeDnsLookup().Mx("only.example", (10, exchange));

        MxResolution result = await Create(dns).ResolveAsync("only.example", Ct);

        Assert.Equal(MxResolutionStatus.NoUsableTarget, result.Status);
        Assert.Equal("5.4.4", result.EnhancedStatusCode);
        Assert.True(result.IsPermanentFailure);
        Assert.Single(dns.Calls);
    }

    // ---- R11 ---------------------------------------------------------------------------------

    [Fact]
    public async Task ResolveAsync_PreferencesAcrossTheFullRange_SortedLowestFirst()
    {
        // R11
        var dns = new FakeDnsLookup()
            .Mx("pref.example", (65535, "last.pref.example"), (0, "first.pref.example"), (1000, "middle.pref.example"))
            .Host("first.pref.example", "192.0.2.151")
            .Host("middle.pref.example", "192.0.2.152")
            .Host("last.pref.example", "192.0.2.153");

        MxResolution result = await Create(dns).ResolveAsync("pref.example", Ct);

        Assert.Equal(["first.pref.example", "middle.pref.example", "last.pref.example"], Hosts(result));
        Assert.Equal(new ushort[] { 0, 1000, 65535 }, result.Targets.Select(t => t.Preference).ToArray());
    }

    // ---- R12 ---------------------------------------------------------------------------------

    private static FakeDnsLookup EqualZone() => new FakeDnsLookup()
        .Mx("equal.example", (10, "mx-a.equal.example"), (10, "mx-b.equal.example"), (10, "mx-c.equal.example"), (10, "mx-d.equal.example"), (20, "mx-e.equal.example"))
        .Host("mx-a.equal.example", "192.0.2.21")
        .Host("mx-b.equal.example", "192.0.2.22")
        .Host("mx-c.equal.example", "192.0.2.23")
        .Host("mx-d.equal.example", "192.0.2.24")
        .Host("mx-e.equal.example", "192.0.2.25");

    [Fact]
    public async Task ResolveAsync_EqualPreferences_ShuffledOnEveryCallNeverAcrossPreferences()
    {
        // R12
        var resolver = Create(EqualZone(), random: new Random(7));
        var orders = new HashSet<string>();
        for (int i = 0; i < 50; i++)
        {
            MxResolution result = await resolver.ResolveAsync("equal.example", Ct);
            Assert.Equal("mx-e.equal.example", result.Targets[^1].Host);
            Assert.Equal(["mx-a.equal.example", "mx-b.equal.example", "mx-c.equal.example", "mx-d.equal.example"], Hosts(result)[..4].Order().ToArray());
            orders.Add(string.Join(',', Hosts(result)));
        }

        Assert.True(orders.Count > 10, $"only {orders.Count} distinct orders in 50 resolutions");
    }

    [Fact]
    public async Task ResolveAsync_SameSeed_SameOrder()
    {
        // R12: the random source is injectable, so a seeded one reproduces the order.
        MxResolution first = await Create(EqualZone(), random: new Random(99)).ResolveAsync("equal.example", Ct);
        MxResolution second = await Create(EqualZone(), random: new Random(99)).ResolveAsync("equal.example", Ct);

        Assert.Equal(Hosts(first), Hosts(second));
    }

    [Fact]
    public async Task ResolveAsync_TieShuffle_IsUniform()
    {
        // R12: chi-square goodness of fit over the 24 orders of 4 equal exchanges, 24,000 runs.
        // Fixed seed: deterministic, cannot flake. Critical value for 23 degrees of freedom at
        // p = 0.001 is 49.728; a biased shuffle (e.g. swapping with any index, or sorting by a
        // random key with collisions) lands far above it.
        const int Runs = 24_000;
        var resolver = Create(EqualZone(), random: new Random(20261126));
        var counts = new Dictionary<string, int>();
        for (int i = 0; i < Runs; i++)
        {
            MxResolution result = await resolver.ResolveAsync("equal.example", Ct);
            string key = string.Join(',', Hosts(result).Take(4));
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }

        Assert.Equal(24, counts.Count);
        double expected = Runs / 24.0;
        double chiSquare = counts.Values.Sum(observed => (observed - expected) * (observed - expected) / expected);
        Assert.True(chiSquare < 49.728, $"chi-square {chiSquare:F2} exceeds the critical value 49.728");
    }

    // ---- R13 ---------------------------------------------------------------------------------

    [Fact]
    public async Task ResolveAsync_ExchangeListedTwice_KeptOnceAtBestPreference()
    {
        // R13
        var dns = new FakeDnsLookup()
            .Mx("dup.example", (20, "mx1.dup.example"), (10, "MX1.dup.example"), (30, "mx2.dup.example"))
            .Host("mx1.dup.example", "192.0.2.121")
            .Host("mx2.dup.example", "192.0.2.121", "192.0.2.122");

        MxResolution result = await Create(dns).ResolveAsync("dup.example", Ct);

        Assert.Equal(["mx1.dup.example", "mx2.dup.example"], Hosts(result));
        Assert.Equal(10, result.Targets[0].Preference);
        Assert.Contains(new DroppedExchange("mx1.dup.example", 20, ExchangeDropReason.Duplicate), result.DroppedExchanges);
        Assert.Equal(["192.0.2.122"], Addresses(result.Targets[1]));
        Assert.Contains(new DroppedAddress("mx2.dup.example", IPAddress.Parse("192.0.2.121"), AddressDropReason.Duplicate), result.DroppedAddresses);
        Assert.Equal(1, dns.Calls.Count(c => c is { Name: "mx1.dup.example.", Type: DnsRecordType.A }));
    }

    [Fact]
    public async Task ResolveAsync_ExchangeWhoseOnlyAddressIsTaken_DroppedAsNoUsableAddress()
    {
        // R13
        var dns = new FakeDnsLookup()
            .Mx("dup.example", (10, "mx1.dup.example"), (20, "mx2.dup.example"))
            .Host("mx1.dup.example", "192.0.2.121")
            .Host("mx2.dup.example", "192.0.2.121");

        MxResolution result = await Create(dns).ResolveAsync("dup.example", Ct);

        Assert.Equal(["mx1.dup.example"], Hosts(result));
        Assert.Contains(new DroppedExchange("mx2.dup.example", 20, ExchangeDropReason.NoUsableAddress), result.DroppedExchanges);
    }

    // ---- R14 ---------------------------------------------------------------------------------

    private static FakeDnsLookup SelfPruneZone() => new FakeDnsLookup()
        .Mx("selfprune.example", (10, "mx1.selfprune.example"), (20, "me.selfprune.example"), (30, "mx3.selfprune.example"))
        .Host("mx1.selfprune.example", "192.0.2.161")
        .Host("me.selfprune.example", "192.0.2.162")
        .Host("mx3.selfprune.example", "192.0.2.163");

    [Fact]
    public async Task ResolveAsync_LocalNameAmongExchanges_ItAndWorseDiscarded()
    {
        // R14
        var options = new MxResolverOptions { LocalHostNames = { "ME.selfprune.example." } };

        MxResolution result = await Create(SelfPruneZone(), options).ResolveAsync("selfprune.example", Ct);

        Assert.Equal(MxResolutionStatus.Success, result.Status);
        Assert.Equal(["mx1.selfprune.example"], Hosts(result));
        Assert.Contains(new DroppedExchange("me.selfprune.example", 20, ExchangeDropReason.SelfPruned), result.DroppedExchanges);
        Assert.Contains(new DroppedExchange("mx3.selfprune.example", 30, ExchangeDropReason.SelfPruned), result.DroppedExchanges);
    }

    [Fact]
    public async Task ResolveAsync_LocalAddressAmongTargets_ItAndWorseDiscarded()
    {
        // R14
        var options = new MxResolverOptions { LocalAddresses = { "192.0.2.162" } };

        MxResolution result = await Create(SelfPruneZone(), options).ResolveAsync("selfprune.example", Ct);

        Assert.Equal(["mx1.selfprune.example"], Hosts(result));
        Assert.Contains(new DroppedExchange("me.selfprune.example", 20, ExchangeDropReason.SelfPruned), result.DroppedExchanges);
    }

    [Fact]
    public async Task ResolveAsync_SelfIsTheBestPreference_LoopsToSelf()
    {
        // R14: self at the best preference, together with a tie: nothing left.
        var dns = new FakeDnsLookup().Mx("loops.example", (10, "me.example"), (10, "peer.example"), (20, "backup.example"));
        var options = new MxResolverOptions { LocalHostNames = { "me.example" } };

        MxResolution result = await Create(dns, options).ResolveAsync("loops.example", Ct);

        Assert.Equal(MxResolutionStatus.LoopsToSelf, result.Status);
        Assert.Equal("5.4.6", result.EnhancedStatusCode);
        Assert.True(result.IsPermanentFailure);
        Assert.Equal(3, result.DroppedExchanges.Count(d => d.Reason == ExchangeDropReason.SelfPruned));
        Assert.Single(dns.Calls);
    }

    [Fact]
    public async Task ResolveAsync_SelfByAddressIsTheBestPreference_LoopsToSelf()
    {
        // R14
        var options = new MxResolverOptions { LocalAddresses = { "192.0.2.161" } };

        MxResolution result = await Create(SelfPruneZone(), options).ResolveAsync("selfprune.example", Ct);

        Assert.Equal(MxResolutionStatus.LoopsToSelf, result.Status);
    }

    [Fact]
    public async Task ResolveAsync_BetterTargetFailsAndSelfIsSecond_TemporaryFailureNotLoop()
    {
        // R14 + R16: self was not the best preference; the better one failed temporarily.
        var dns = SelfPruneZone().Fail("mx1.selfprune.example", DnsRecordType.A).Fail("mx1.selfprune.example", DnsRecordType.AAAA);
        var options = new MxResolverOptions { LocalHostNames = { "me.selfprune.example" } };

        MxResolution result = await Create(dns, options).ResolveAsync("selfprune.example", Ct);

        Assert.Equal(MxResolutionStatus.TemporaryFailure, result.Status);
    }

    [Fact]
    public async Task ResolveAsync_LiteralOfALocalAddress_LoopsToSelf()
    {
        // R14 + R2
        var options = new MxResolverOptions { LocalAddresses = { "192.0.2.25" } };

        MxResolution result = await Create(new FakeDnsLookup(), options).ResolveAsync("postmaster@[192.0.2.25]", Ct);

        Assert.Equal(MxResolutionStatus.LoopsToSelf, result.Status);
    }

    // ---- R15 ---------------------------------------------------------------------------------

    [Fact]
    public async Task ResolveAsync_FiveTargets_AllAddressLookupsInFlightAtOnce()
    {
        // R15: every A/AAAA lookup waits until all ten are in flight; sequential lookups would
        // never get there and the fake's bounded wait would fail the test.
        var dns = new FakeDnsLookup().RequireConcurrentAddressLookups(10);
        dns.Mx("five.example", [.. Enumerable.Range(1, 5).Select(i => ((ushort)(i * 10), $"mx{i}.five.example"))]);
        for (int i = 1; i <= 5; i++)
        {
            dns.Host($"mx{i}.five.example", $"192.0.2.{i}", $"2001:db8::{i}");
        }

        MxResolution result = await Create(dns).ResolveAsync("five.example", Ct);

        Assert.Equal(MxResolutionStatus.Success, result.Status);
        Assert.Equal(5, result.Targets.Count);
        Assert.True(dns.MaxInFlight >= 10, $"at most {dns.MaxInFlight} lookups were in flight together");
    }

    [Fact]
    public async Task ResolveAsync_ExchangeIsAlias_FollowedWithWarning()
    {
        // R15
        var dns = new FakeDnsLookup()
            .Mx("cname.example", (10, "alias.cname.example"))
            .AliasedHost("alias.cname.example", "real.cname.example", "192.0.2.31", "2001:db8::31");

        MxResolution result = await Create(dns).ResolveAsync("cname.example", Ct);

        Assert.Equal(MxResolutionStatus.Success, result.Status);
        MxTarget target = Assert.Single(result.Targets);
        Assert.Equal("alias.cname.example", target.Host);
        Assert.Equal(["2001:db8::31", "192.0.2.31"], Addresses(target));
        string warning = Assert.Single(result.Warnings);
        Assert.Contains("real.cname.example", warning);
        Assert.Contains("RFC 2181", warning);
    }

    // ---- R16 ---------------------------------------------------------------------------------

    [Fact]
    public async Task ResolveAsync_SomeTargetsFail_ResolvedOnesUsed()
    {
        // R16
        var dns = new FakeDnsLookup()
            .Mx("partial.example", (10, "nowhere.partial.example"), (20, "broken.partial.example"), (30, "noaddr.partial.example"), (40, "mx.partial.example"))
            .Fail("broken.partial.example", DnsRecordType.A)
            .Fail("broken.partial.example", DnsRecordType.AAAA)
            .NoData("noaddr.partial.example", DnsRecordType.A)
            .Host("mx.partial.example", "192.0.2.131");

        MxResolution result = await Create(dns).ResolveAsync("partial.example", Ct);

        Assert.Equal(MxResolutionStatus.Success, result.Status);
        Assert.Equal(["mx.partial.example"], Hosts(result));
        Assert.Contains(new DroppedExchange("nowhere.partial.example", 10, ExchangeDropReason.NoAddress), result.DroppedExchanges);
        Assert.Contains(new DroppedExchange("broken.partial.example", 20, ExchangeDropReason.LookupFailed), result.DroppedExchanges);
        Assert.Contains(new DroppedExchange("noaddr.partial.example", 30, ExchangeDropReason.NoAddress), result.DroppedExchanges);
        Assert.Contains(result.Warnings, w => w.Contains("broken.partial.example", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ResolveAsync_AllTargetsPermanentlyMissing_NoUsableTarget()
    {
        // R16
        var dns = new FakeDnsLookup()
            .Mx("all-missing.example", (10, "nowhere.all-missing.example"), (20, "noaddr.all-missing.example"))
            .NoData("noaddr.all-missing.example", DnsRecordType.A);

        MxResolution result = await Create(dns).ResolveAsync("all-missing.example", Ct);

        Assert.Equal(MxResolutionStatus.NoUsableTarget, result.Status);
        Assert.Equal("5.4.4", result.EnhancedStatusCode);
        Assert.Contains("nowhere.all-missing.example", result.Error);
    }

    [Fact]
    public async Task ResolveAsync_NoTargetResolvesAndOneFailedTemporarily_TemporaryFailure()
    {
        // R16
        var dns = new FakeDnsLookup()
            .Mx("servfail.example", (10, "mx.broken.example"), (20, "nowhere.servfail.example"))
            .Fail("mx.broken.example", DnsRecordType.A)
            .Fail("mx.broken.example", DnsRecordType.AAAA, DnsQueryError.Timeout);

        MxResolution result = await Create(dns).ResolveAsync("servfail.example", Ct);

        Assert.Equal(MxResolutionStatus.TemporaryFailure, result.Status);
        Assert.Contains("mx.broken.example", result.Error);
        Assert.Null(result.TimeToLive);
    }

    // ---- R17 ---------------------------------------------------------------------------------

    [Theory]
    [InlineData(AddressFamilyPreference.Both, "2001:db8::1,192.0.2.1,2001:db8::2,192.0.2.2,192.0.2.3")]
    [InlineData(AddressFamilyPreference.PreferIPv6, "2001:db8::1,2001:db8::2,192.0.2.1,192.0.2.2,192.0.2.3")]
    [InlineData(AddressFamilyPreference.PreferIPv4, "192.0.2.1,192.0.2.2,192.0.2.3,2001:db8::1,2001:db8::2")]
    [InlineData(AddressFamilyPreference.IPv4Only, "192.0.2.1,192.0.2.2,192.0.2.3")]
    [InlineData(AddressFamilyPreference.IPv6Only, "2001:db8::1,2001:db8::2")]
    public async Task ResolveAsync_FamilyPreference_OrdersAddressesWithinTarget(AddressFamilyPreference family, string expected)
    {
        // R17
        var dns = new FakeDnsLookup()
            .Mx("dual.example", (10, "mx.dual.example"))
            .Host("mx.dual.example", "192.0.2.1", "192.0.2.2", "192.0.2.3", "2001:db8::1", "2001:db8::2");
        var options = new MxResolverOptions { AddressFamily = family, MaxAddressesPerTarget = 10 };

        MxResolution result = await Create(dns, options).ResolveAsync("dual.example", Ct);

        Assert.Equal(expected, string.Join(',', Addresses(Assert.Single(result.Targets))));
        int excluded = 5 - expected.Split(',').Length;
        Assert.Equal(excluded, result.DroppedAddresses.Count(d => d.Reason == AddressDropReason.ExcludedFamily));
    }

    [Theory]
    [InlineData(AddressFamilyPreference.PreferIPv6)]
    [InlineData(AddressFamilyPreference.Both)]
    [InlineData(AddressFamilyPreference.PreferIPv4)]
    public async Task ResolveAsync_FamilyPreference_NeverBreaksPreferenceOrder(AddressFamilyPreference family)
    {
        // R17: an IPv4-only best exchange stays first even when IPv6 is preferred, and vice versa.
        var dns = new FakeDnsLookup()
            .Mx("order.example", (10, "v4.order.example"), (20, "v6.order.example"))
            .Host("v4.order.example", "192.0.2.1")
            .Host("v6.order.example", "2001:db8::1");

        MxResolution result = await Create(dns, new MxResolverOptions { AddressFamily = family }).ResolveAsync("order.example", Ct);

        Assert.Equal(["v4.order.example", "v6.order.example"], Hosts(result));
    }

    [Fact]
    public async Task ResolveAsync_IPv4OnlyAndTargetHasOnlyIPv6_NoUsableTarget()
    {
        // R17
        var dns = new FakeDnsLookup().Mx("v6.example", (10, "mx.v6.example")).Host("mx.v6.example", "2001:db8::1");

        MxResolution result = await Create(dns, new MxResolverOptions { AddressFamily = AddressFamilyPreference.IPv4Only }).ResolveAsync("v6.example", Ct);

        Assert.Equal(MxResolutionStatus.NoUsableTarget, result.Status);
        Assert.Contains(new DroppedExchange("mx.v6.example", 10, ExchangeDropReason.NoUsableAddress), result.DroppedExchanges);
        Assert.Contains(new DroppedAddress("mx.v6.example", IPAddress.Parse("2001:db8::1"), AddressDropReason.ExcludedFamily), result.DroppedAddresses);
    }

    // ---- R18 ---------------------------------------------------------------------------------

    [Theory]
    [InlineData("0.0.0.0", AddressCategories.Unspecified)]
    [InlineData("169.254.169.254", AddressCategories.LinkLocal)]
    [InlineData("224.0.0.1", AddressCategories.Multicast)]
    [InlineData("127.0.0.1", AddressCategories.Loopback)]
    [InlineData("127.1.2.3", AddressCategories.Loopback)]
    [InlineData("255.255.255.255", AddressCategories.Broadcast)]
    [InlineData("::", AddressCategories.Unspecified)]
    [InlineData("::1", AddressCategories.Loopback)]
    [InlineData("fe80::1", AddressCategories.LinkLocal)]
    [InlineData("ff02::1", AddressCategories.Multicast)]
    [InlineData("::ffff:127.0.0.1", AddressCategories.Loopback)]
    [InlineData("::ffff:169.254.169.254", AddressCategories.LinkLocal)]
    [InlineData("64:ff9b::a9fe:a9fe", AddressCategories.LinkLocal)]
    [InlineData("64:ff9b::7f00:1", AddressCategories.Loopback)]
    public async Task ResolveAsync_BlockedAddress_DroppedAndReported(string address, AddressCategories category)
    {
        // R18
        var dns = new FakeDnsLookup().Mx("filtered.example", (10, "mx.filtered.example")).Host("mx.filtered.example", address, "10.0.0.25");

        MxResolution result = await Create(dns).ResolveAsync("filtered.example", Ct);

        Assert.Equal(MxResolutionStatus.Success, result.Status);
        Assert.Equal(["10.0.0.25"], Addresses(Assert.Single(result.Targets)));
        DroppedAddress dropped = Assert.Single(result.DroppedAddresses);
        Assert.Equal(IPAddress.Parse(address), dropped.Address);
        Assert.Equal(AddressDropReason.Blocked, dropped.Reason);
        Assert.Equal(category, dropped.Category);
        Assert.Equal("mx.filtered.example", dropped.Host);
    }

    [Fact]
    public async Task ResolveAsync_PrivateAddresses_AllowedByDefault()
    {
        // R18: internal mail is real.
        var dns = new FakeDnsLookup()
            .Mx("private.example", (10, "mx.private.example"))
            .Host("mx.private.example", "10.0.0.25", "172.16.0.25", "192.168.0.25", "100.64.0.25", "fd00::25");

        MxResolution result = await Create(dns, new MxResolverOptions { MaxAddressesPerTarget = 10 }).ResolveAsync("private.example", Ct);

        Assert.Equal(5, Assert.Single(result.Targets).Addresses.Count);
        Assert.Empty(result.DroppedAddresses);
    }

    [Fact]
    public async Task ResolveAsync_OnlyBlockedAddresses_NoUsableTarget()
    {
        // R18
        var dns = new FakeDnsLookup()
            .Mx("filtered-all.example", (10, "mx.filtered-all.example"))
            .Host("mx.filtered-all.example", "0.0.0.0", "169.254.169.254", "127.0.0.1", "::1", "::ffff:169.254.169.254");

        MxResolution result = await Create(dns).ResolveAsync("filtered-all.example", Ct);

        Assert.Equal(MxResolutionStatus.NoUsableTarget, result.Status);
        Assert.Equal(5, result.DroppedAddresses.Count(d => d.Reason == AddressDropReason.Blocked));
        Assert.Contains(new DroppedExchange("mx.filtered-all.example", 10, ExchangeDropReason.NoUsableAddress), result.DroppedExchanges);
    }

    [Fact]
    public async Task ResolveAsync_LoopbackAllowed_LoopbackKept()
    {
        // R18: configurable (tests on loopback turn loopback on).
        var dns = new FakeDnsLookup().Mx("dualstack.example", (10, "mx.dualstack.example")).Host("mx.dualstack.example", "127.0.0.6", "::1");
        var options = new MxResolverOptions { BlockedAddresses = AddressCategories.Default & ~AddressCategories.Loopback };

        MxResolution result = await Create(dns, options).ResolveAsync("dualstack.example", Ct);

        Assert.Equal(["::1", "127.0.0.6"], Addresses(Assert.Single(result.Targets)));
    }

    [Fact]
    public async Task ResolveAsync_PrivateBlocked_PrivateDropped()
    {
        // R18
        var dns = new FakeDnsLookup().Mx("private.example", (10, "mx.private.example")).Host("mx.private.example", "10.0.0.25", "192.0.2.25");
        var options = new MxResolverOptions { BlockedAddresses = AddressCategories.Default | AddressCategories.Private };

        MxResolution result = await Create(dns, options).ResolveAsync("private.example", Ct);

        Assert.Equal(["192.0.2.25"], Addresses(Assert.Single(result.Targets)));
        Assert.Equal(AddressCategories.Private, Assert.Single(result.DroppedAddresses).Category);
    }

    // ---- R19 ---------------------------------------------------------------------------------

    [Fact]
    public void Options_Defaults_AreTheDocumentedOnes()
    {
        // R19 (and the documented defaults of the other options)
        var options = new MxResolverOptions();

        Assert.Equal(10, options.MaxTargets);
        Assert.Equal(4, options.MaxAddressesPerTarget);
        Assert.Equal(10, options.MaxAddresses);
        Assert.Equal(AddressCategories.Default, options.BlockedAddresses);
        Assert.Equal(AddressFamilyPreference.Both, options.AddressFamily);
        Assert.False(options.AllowIPLiteralExchanges);
        Assert.Equal(TimeSpan.FromSeconds(30), options.ResolutionTimeout);
        Assert.Null(options.QueryTimeout);
        Assert.Null(options.QueryAttempts);
        Assert.Empty(options.NameServers);
    }

    [Fact]
    public async Task ResolveAsync_SixtyExchanges_CappedAtMaxTargetsBeforeAddressLookups()
    {
        // R19
        var dns = new FakeDnsLookup();
        dns.Mx("big.example", [.. Enumerable.Range(1, 60).Select(i => ((ushort)i, $"mx-{i:00}.big.example"))]);
        for (int i = 1; i <= 60; i++)
        {
            dns.Host($"mx-{i:00}.big.example", $"198.51.100.{i}");
        }

        MxResolution result = await Create(dns).ResolveAsync("big.example", Ct);

        Assert.Equal(10, result.Targets.Count);
        Assert.Equal("mx-01.big.example", result.Targets[0].Host);
        Assert.Equal("mx-10.big.example", result.Targets[^1].Host);
        Assert.Equal(50, result.DroppedExchanges.Count(d => d.Reason == ExchangeDropReason.LimitExceeded));
        Assert.Equal(10, dns.CountCalls(DnsRecordType.A));
    }

    [Fact]
    public async Task ResolveAsync_AddressCaps_LimitPerTargetAndOverall()
    {
        // R19
        var dns = new FakeDnsLookup()
            .Mx("caps.example", (10, "mx1.caps.example"), (20, "mx2.caps.example"), (30, "mx3.caps.example"))
            .Host("mx1.caps.example", "192.0.2.1", "192.0.2.2", "192.0.2.3")
            .Host("mx2.caps.example", "192.0.2.4", "192.0.2.5")
            .Host("mx3.caps.example", "192.0.2.6");
        var options = new MxResolverOptions { MaxAddressesPerTarget = 2, MaxAddresses = 3 };

        MxResolution result = await Create(dns, options).ResolveAsync("caps.example", Ct);

        Assert.Equal(["mx1.caps.example", "mx2.caps.example"], Hosts(result));
        Assert.Equal(["192.0.2.1", "192.0.2.2"], Addresses(result.Targets[0]));
        Assert.Equal(["192.0.2.4"], Addresses(result.Targets[1]));
        Assert.Equal(
            ["192.0.2.3", "192.0.2.5", "192.0.2.6"],
            result.DroppedAddresses.Where(d => d.Reason == AddressDropReason.LimitExceeded).Select(d => d.Address.ToString()).ToArray());
        Assert.Contains(new DroppedExchange("mx3.caps.example", 30, ExchangeDropReason.LimitExceeded), result.DroppedExchanges);
    }

    [Theory]
    [InlineData(0, 4, 10)]
    [InlineData(10, 0, 10)]
    [InlineData(10, 4, 0)]
    public void Constructor_CapBelowOne_Throws(int maxTargets, int perTarget, int total)
    {
        // R19
        var options = new MxResolverOptions { MaxTargets = maxTargets, MaxAddressesPerTarget = perTarget, MaxAddresses = total };

        var error = Assert.Throws<ArgumentException>(() => Create(new FakeDnsLookup(), options));
        Assert.EndsWith("'0' must be between 1 and " + (total == 0 ? "10000." : "1000."), error.Message, StringComparison.Ordinal);
    }

    // ---- TTL, deadline, cancellation, options ------------------------------------------------

    [Fact]
    public async Task ResolveAsync_TimeToLive_IsTheSmallestInvolved()
    {
        var dns = new FakeDnsLookup { Ttl = 300 }.Mx("ttl.example", (10, "mx1.ttl.example"), (20, "mx2.ttl.example")).Host("mx1.ttl.example", "192.0.2.1");
        dns.Ttl = 30;
        dns.Host("mx2.ttl.example", "192.0.2.2");

        MxResolution result = await Create(dns).ResolveAsync("ttl.example", Ct);

        Assert.Equal(TimeSpan.FromSeconds(30), result.TimeToLive);
        Assert.False(result.IsStale);
    }

    [Fact]
    public async Task ResolveAsync_AnAnswerServedStale_ResultIsStale()
    {
        // R28 groundwork: a cache marks answers stale; the resolution says so.
        var dns = new FakeDnsLookup().Mx("example.com", (10, "mx.example.com")).Host("mx.example.com", "192.0.2.1");
        var resolver = Create(dns);
        Assert.False((await resolver.ResolveAsync("example.com", Ct)).IsStale);

        dns.Stale("mx.example.com", DnsRecordType.A);

        Assert.True((await resolver.ResolveAsync("example.com", Ct)).IsStale);
    }

    [Fact]
    public async Task ResolveAsync_DeadlinePasses_TemporaryFailure()
    {
        var time = new FakeTimeProvider();
        var dns = new FakeDnsLookup().Hang("slow.example", DnsRecordType.MX);
        var resolver = Create(dns, new MxResolverOptions { ResolutionTimeout = TimeSpan.FromSeconds(5) }, time: time);

        ValueTask<MxResolution> pending = resolver.ResolveAsync("slow.example", Ct);
        Assert.False(pending.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(5));
        MxResolution result = await pending.AsTask().WaitAsync(FakeDnsLookup.MaxWait, Ct);

        Assert.Equal(MxResolutionStatus.TemporaryFailure, result.Status);
        Assert.Contains("deadline", result.Error);
    }

    [Fact]
    public async Task ResolveAsync_CallerCancels_ThrowsOperationCanceled()
    {
        var dns = new FakeDnsLookup().Hang("slow.example", DnsRecordType.MX);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        ValueTask<MxResolution> pending = Create(dns).ResolveAsync("slow.example", cts.Token);

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.AsTask().WaitAsync(FakeDnsLookup.MaxWait, Ct));
    }

    [Fact]
    public async Task ResolveAsync_AlreadyCancelled_ThrowsWithoutQuerying()
    {
        var dns = new FakeDnsLookup();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Create(dns).ResolveAsync("example.com", cts.Token));
        Assert.Empty(dns.Calls);
    }

    [Theory]
    [InlineData("192.0.2.53", "192.0.2.53:53")]
    [InlineData("192.0.2.53:5353", "192.0.2.53:5353")]
    [InlineData("2001:db8::53", "[2001:db8::53]:53")]
    [InlineData("[2001:db8::53]:5353", "[2001:db8::53]:5353")]
    public void ParseNameServer_Forms_Parsed(string text, string expected)
    {
        Assert.True(MxResolver.Transport.NameServerEndpoint.TryParse(text, out MxResolver.Transport.NameServerEndpoint? entry, out _));
        Assert.Equal(expected, entry.EndPoint.ToString());
    }

    [Theory]
    [InlineData("not-an-address")]
    [InlineData("192.0.2.53:99999")]
    public void Constructor_BadNameServer_Throws(string server)
    {
        Assert.Throws<ArgumentException>(() => Create(new FakeDnsLookup(), new MxResolverOptions { NameServers = { server } }));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(30 * 24 * 3600)]
    public void Constructor_ResolutionTimeoutOutOfRange_Throws(int seconds)
    {
        var options = new MxResolverOptions { ResolutionTimeout = TimeSpan.FromSeconds(seconds) };

        var error = Assert.Throws<ArgumentException>(() => Create(new FakeDnsLookup(), options));
        Assert.StartsWith("MxResolver:ResolutionTimeout ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolveAsync_InfiniteResolutionTimeout_Resolves()
    {
        var dns = new FakeDnsLookup().Mx("example.com", (10, "mx.example.com")).Host("mx.example.com", "192.0.2.1");
        var options = new MxResolverOptions { ResolutionTimeout = Timeout.InfiniteTimeSpan };

        MxResolution result = await Create(dns, options).ResolveAsync("example.com", Ct);

        Assert.Equal(MxResolutionStatus.Success, result.Status);
    }

    [Fact]
    public void Constructor_BadLocalAddress_Throws()
    {
        Assert.Throws<ArgumentException>(() => Create(new FakeDnsLookup(), new MxResolverOptions { LocalAddresses = { "me" } }));
    }
}
