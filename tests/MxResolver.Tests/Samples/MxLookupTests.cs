using System.Net;
using System.Text.Json;
using MxLookup;
using MxResolver.Tests.Infrastructure;

namespace MxResolver.Tests.Samples;

/// <summary>
/// The <c>mxlookup</c> command, run in process (<see cref="Program.RunAsync"/>) against the shared
/// loopback Unbound. Every run names the server with <c>--server</c>: tests never use the system resolver.
/// </summary>
public sealed class MxLookupTests(UnboundFixture unbound)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private static readonly string[] ResultFields =
        ["input", "domain", "asciiDomain", "status", "permanent", "enhancedStatusCode", "mxSecure", "targets", "warnings", "error", "ttlSeconds"];

    private static readonly string[] TargetFields = ["host", "preference", "implicit", "secure", "addresses"];

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private string Server => unbound.EndPoint.ToString();

    // ---- text output ----

    [Fact]
    public async Task Text_Success_StatusLineThenOneLinePerTargetInPreferenceOrder()
    {
        Run run = await RunAsync("--server", Server, "plain.mx.test");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal(string.Empty, run.Stderr);
        Assert.Equal(
            [
                "plain.mx.test: success, ttl 300 s",
                "  10  mx1.plain.mx.test  2001:db8::11, 192.0.2.11", // R17: interleaved, IPv6 first
                "  20  mx2.plain.mx.test  2001:db8::12, 192.0.2.12",
                "  30  mx3.plain.mx.test  2001:db8::13, 192.0.2.13",
            ],
            run.StdoutLines);
    }

    [Fact]
    public async Task Text_TcpServerEntry_SameAnswerOverPipelinedTcp()
    {
        Run run = await RunAsync("--server", "tcp://" + Server, "plain.mx.test");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal(string.Empty, run.Stderr);
        Assert.Equal("  10  mx1.plain.mx.test  2001:db8::11, 192.0.2.11", run.StdoutLines[1]);
    }

    [Fact]
    public async Task Text_ImplicitMx_TargetMarkedImplicitAtPreferenceZero()
    {
        Run run = await RunAsync("--server", Server, "implicit.mx.test");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal(
            ["implicit.mx.test: implicit-mx, ttl 300 s", "  0  implicit.mx.test (implicit)  2001:db8::61, 192.0.2.61"],
            run.StdoutLines);
    }

    [Theory]
    [InlineData("nxdomain.mx.test", "nxdomain.mx.test: no-such-domain, permanent failure 5.1.2, ttl 300 s")]
    [InlineData("null-mx.mx.test", "null-mx.mx.test: null-mx, permanent failure 5.1.10, ttl 300 s")]
    [InlineData("broken.mx.test", "broken.mx.test: temporary-failure, temporary failure 4.4.3")]
    public async Task Text_Failure_StatusWithCodeThenError(string input, string statusLine)
    {
        Run run = await RunAsync("--server", Server, input);

        Assert.Equal(statusLine, run.StdoutLines[0]);
        Assert.StartsWith("  error: ", run.StdoutLines[1], StringComparison.Ordinal);
        Assert.Contains(input, run.StdoutLines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Text_NullMxMixedIn_WarningAndDroppedExchangeShown()
    {
        Run run = await RunAsync("--server", Server, "null-mixed.mx.test");

        // R9
        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal("  10  mx.null-mixed.mx.test  192.0.2.91", run.StdoutLines[1]);
        Assert.Contains(run.StdoutLines, line => line.StartsWith("  warning: ", StringComparison.Ordinal) && line.Contains("null MX", StringComparison.Ordinal));
        Assert.Contains("  dropped exchange: 0 .: null MX next to real exchanges, ignored", run.StdoutLines);
    }

    [Fact]
    public async Task Text_FilteredAddresses_EachDroppedAddressShownWithItsReason()
    {
        Run run = await RunAsync("--server", Server, "filtered.mx.test");

        // R18: private addresses stay, blocked ones are reported, never silently lost.
        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal("  10  mx.filtered.mx.test  fd00::25, 10.0.0.25", run.StdoutLines[1]);
        Assert.Contains("  dropped address: 127.0.0.1 of mx.filtered.mx.test: blocked: loopback (--allow-loopback keeps it)", run.StdoutLines);
        Assert.Contains("  dropped address: 169.254.169.254 of mx.filtered.mx.test: blocked: link-local", run.StdoutLines);
        Assert.Contains("  dropped address: 224.0.0.1 of mx.filtered.mx.test: blocked: multicast", run.StdoutLines);
    }

    [Fact]
    public async Task Text_InternationalisedInput_ShowsBothFormsOfTheDomain()
    {
        Run run = await RunAsync("--server", Server, "user@BÜCHER.mx.test");

        // R3
        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal(
            ["user@BÜCHER.mx.test: success, ttl 300 s", "  domain: bücher.mx.test (xn--bcher-kva.mx.test)", "  10  mx.xn--bcher-kva.mx.test  192.0.2.181"],
            run.StdoutLines);
    }

    [Theory]
    [InlineData("bücher.mx.test", "  domain: bücher.mx.test (xn--bcher-kva.mx.test)")]
    [InlineData("xn--bcher-kva.mx.test", "  domain: bücher.mx.test (xn--bcher-kva.mx.test)")]
    [InlineData("postmaster@plain.mx.test", "  domain: plain.mx.test")]
    [InlineData("Plain.MX.test.", null)]
    public async Task Text_DomainLine_OnlyWhenTheQueriedDomainIsNotTheInput(string input, string? domainLine)
    {
        Run run = await RunAsync("--server", Server, input);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal(domainLine, run.StdoutLines.SingleOrDefault(line => line.StartsWith("  domain: ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Text_SeveralInputs_OneBlockEachInInputOrderSeparatedByABlankLine()
    {
        Run run = await RunAsync("--server", Server, "implicit.mx.test", "nxdomain.mx.test", "alias.mx.test");

        string[] blocks = run.Stdout.ReplaceLineEndings("\n").TrimEnd('\n').Split("\n\n");
        Assert.Equal(3, blocks.Length);
        Assert.StartsWith("implicit.mx.test: implicit-mx", blocks[0], StringComparison.Ordinal);
        Assert.StartsWith("nxdomain.mx.test: no-such-domain", blocks[1], StringComparison.Ordinal);
        Assert.StartsWith("alias.mx.test: success", blocks[2], StringComparison.Ordinal);
        Assert.Contains("  alias: alias.mx.test -> canonical.mx.test", blocks[2], StringComparison.Ordinal); // R4
    }

    // ---- JSON output ----

    [Fact]
    public async Task Json_Success_ExactlyTheDocumentedFieldsAndValues()
    {
        Run run = await RunAsync("--server", Server, "--json", "plain.mx.test");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        JsonElement result = Assert.Single(run.JsonLines());
        Assert.Equal(ResultFields, result.EnumerateObject().Select(p => p.Name));
        Assert.Equal("plain.mx.test", result.GetProperty("input").GetString());
        Assert.Equal("plain.mx.test", result.GetProperty("domain").GetString());
        Assert.Equal("plain.mx.test", result.GetProperty("asciiDomain").GetString());
        Assert.Equal("success", result.GetProperty("status").GetString());
        Assert.False(result.GetProperty("permanent").GetBoolean());
        Assert.Equal(JsonValueKind.Null, result.GetProperty("enhancedStatusCode").ValueKind);
        Assert.Empty(result.GetProperty("warnings").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, result.GetProperty("error").ValueKind);
        Assert.Equal(300, result.GetProperty("ttlSeconds").GetInt64());

        JsonElement[] targets = [.. result.GetProperty("targets").EnumerateArray()];
        Assert.All(targets, target => Assert.Equal(TargetFields, target.EnumerateObject().Select(p => p.Name)));
        Assert.Equal(["mx1.plain.mx.test", "mx2.plain.mx.test", "mx3.plain.mx.test"], targets.Select(t => t.GetProperty("host").GetString()));
        Assert.Equal([10, 20, 30], targets.Select(t => t.GetProperty("preference").GetInt32()));
        Assert.All(targets, target => Assert.False(target.GetProperty("implicit").GetBoolean()));
        Assert.Equal(["2001:db8::11", "192.0.2.11"], targets[0].GetProperty("addresses").EnumerateArray().Select(a => a.GetString()));
    }

    [Theory]
    [InlineData("implicit.mx.test", "implicit-mx", false, null, 300L, ExitCodes.Success)]
    [InlineData("null-mx.mx.test", "null-mx", true, "5.1.10", 300L, ExitCodes.PermanentFailure)]
    [InlineData("nxdomain.mx.test", "no-such-domain", true, "5.1.2", 300L, ExitCodes.PermanentFailure)]
    [InlineData("txt-only.mx.test", "no-mail-host", true, "5.1.2", 300L, ExitCodes.PermanentFailure)]
    [InlineData("all-missing.mx.test", "no-usable-target", true, "5.4.4", 300L, ExitCodes.PermanentFailure)]
    [InlineData("broken.mx.test", "temporary-failure", false, "4.4.3", null, ExitCodes.TemporaryFailure)]
    public async Task Json_Status_KebabCaseNameCodeTtlAndExitCode(string input, string status, bool permanent, string? code, long? ttl, int exitCode)
    {
        Run run = await RunAsync("--server", Server, "--json", input);

        JsonElement result = Assert.Single(run.JsonLines());
        Assert.Equal(ResultFields, result.EnumerateObject().Select(p => p.Name));
        Assert.Equal(status, result.GetProperty("status").GetString());
        Assert.Equal(permanent, result.GetProperty("permanent").GetBoolean());
        Assert.Equal(code, result.GetProperty("enhancedStatusCode").GetString());
        JsonElement ttlSeconds = result.GetProperty("ttlSeconds");
        if (ttl is null)
        {
            Assert.Equal(JsonValueKind.Null, ttlSeconds.ValueKind);
        }
        else
        {
            // R24/R25: the cache counts TTLs down in whole seconds, rounded down. Within one run an
            // NXDOMAIN cached for a target's A query answers its AAAA query a moment later (RFC 2308
            // §5: NXDOMAIN covers every type), so the smallest TTL may already read one second less.
            Assert.InRange(ttlSeconds.GetInt64(), ttl.Value - 1, ttl.Value);
        }

        Assert.Equal(status is "implicit-mx", result.GetProperty("error").ValueKind == JsonValueKind.Null);
        Assert.Equal(exitCode, run.ExitCode);
    }

    [Fact]
    public async Task Json_ImplicitMx_TargetIsTheDomainMarkedImplicit()
    {
        Run run = await RunAsync("--server", Server, "--json", "implicit.mx.test");

        // R7
        JsonElement target = Assert.Single(Assert.Single(run.JsonLines()).GetProperty("targets").EnumerateArray());
        Assert.Equal("implicit.mx.test", target.GetProperty("host").GetString());
        Assert.Equal(0, target.GetProperty("preference").GetInt32());
        Assert.True(target.GetProperty("implicit").GetBoolean());
    }

    [Fact]
    public async Task Json_TemporaryFailure_NotPermanentNoTtl()
    {
        Run run = await RunAsync("--server", Server, "--json", "broken.mx.test");

        // R6
        JsonElement result = Assert.Single(run.JsonLines());
        Assert.Equal(JsonValueKind.Null, result.GetProperty("ttlSeconds").ValueKind);
        Assert.Empty(result.GetProperty("targets").EnumerateArray());
        Assert.Contains("broken.mx.test", result.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(ExitCodes.TemporaryFailure, run.ExitCode);
    }

    [Fact]
    public async Task Json_InvalidInput_ResultLineOnStdoutOneLineErrorOnStderrExit64()
    {
        Run run = await RunAsync("--server", Server, "--json", "bad..domain");

        // R3: rejected before any query.
        JsonElement result = Assert.Single(run.JsonLines());
        Assert.Equal(ResultFields, result.EnumerateObject().Select(p => p.Name));
        Assert.Equal("bad..domain", result.GetProperty("input").GetString());
        Assert.Equal(JsonValueKind.Null, result.GetProperty("domain").ValueKind);
        Assert.Equal(JsonValueKind.Null, result.GetProperty("asciiDomain").ValueKind);
        Assert.Equal("invalid-input", result.GetProperty("status").GetString());
        Assert.True(result.GetProperty("permanent").GetBoolean());
        Assert.Equal("5.1.3", result.GetProperty("enhancedStatusCode").GetString());
        Assert.Equal(JsonValueKind.Null, result.GetProperty("ttlSeconds").ValueKind);
        Assert.False(string.IsNullOrEmpty(result.GetProperty("error").GetString()));
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        AssertOneLineError(run, "bad..domain");
    }

    [Fact]
    public async Task Json_EmailAndIdnInput_DomainInBothForms()
    {
        Run run = await RunAsync("--server", Server, "--json", "user@bücher.mx.test");

        JsonElement result = Assert.Single(run.JsonLines());
        Assert.Equal("user@bücher.mx.test", result.GetProperty("input").GetString());
        Assert.Equal("bücher.mx.test", result.GetProperty("domain").GetString());
        Assert.Equal("xn--bcher-kva.mx.test", result.GetProperty("asciiDomain").GetString());
        Assert.Contains("\"domain\":\"bücher.mx.test\"", run.Stdout, StringComparison.Ordinal); // readable, not \u00FC
    }

    [Fact]
    public async Task Json_HostNames_LowerCaseWithoutTrailingDot()
    {
        Run run = await RunAsync("--server", Server, "--json", "PLAIN.MX.TEST.");

        JsonElement result = Assert.Single(run.JsonLines());
        Assert.Equal("PLAIN.MX.TEST.", result.GetProperty("input").GetString());
        Assert.Equal("plain.mx.test", result.GetProperty("asciiDomain").GetString());
        Assert.All(
            result.GetProperty("targets").EnumerateArray().Select(t => t.GetProperty("host").GetString()!),
            host => Assert.Equal(host.ToLowerInvariant().TrimEnd('.'), host));
    }

    [Fact]
    public async Task Json_SeveralInputs_OneObjectPerLineInInputOrder()
    {
        string[] inputs = ["plain.mx.test", "nxdomain.mx.test", "bad..domain", "[192.0.2.1]", "equal.mx.test", "null-mx.mx.test"];

        Run run = await RunAsync(["--server", Server, "--json", .. inputs]);

        Assert.Equal(inputs.Length, run.StdoutLines.Length);
        Assert.Equal(inputs, run.JsonLines().Select(r => r.GetProperty("input").GetString()));
        JsonElement literal = Assert.Single(run.JsonLines()[3].GetProperty("targets").EnumerateArray());
        Assert.Equal("[192.0.2.1]", literal.GetProperty("host").GetString()); // R2
    }

    // ---- exit codes ----

    [Theory]
    [InlineData(ExitCodes.Success, "plain.mx.test", "implicit.mx.test", "[192.0.2.1]")]
    [InlineData(ExitCodes.PermanentFailure, "plain.mx.test", "nxdomain.mx.test")]
    [InlineData(ExitCodes.PermanentFailure, "broken.mx.test", "null-mx.mx.test")] // permanent outranks temporary
    [InlineData(ExitCodes.TemporaryFailure, "plain.mx.test", "broken.mx.test")]
    [InlineData(ExitCodes.Usage, "nxdomain.mx.test", "broken.mx.test", "bad..domain")] // bad input outranks both
    public async Task ExitCode_SeveralInputs_WorstOutcomeWins(int expected, params string[] inputs)
    {
        Run run = await RunAsync(["--server", Server, "--json", .. inputs]);

        Assert.Equal(expected, run.ExitCode);
        Assert.Equal(inputs.Length, run.JsonLines().Length);
    }

    // ---- bad usage ----

    // The input of the bad-usage cases is an address literal: even if parsing wrongly succeeded,
    // no DNS query would leave the process (R2), so the system resolver is never asked.
    private const string Literal = "[192.0.2.1]";

    [Theory]
    [InlineData("no domain or email address given")]
    [InlineData("unknown option '--bogus'", "--bogus", Literal)]
    [InlineData("unknown option '-x'", "-x", Literal)]
    [InlineData("option --server needs a value", Literal, "--server")]
    [InlineData("option --server needs a value", "--server", "--json", Literal)]
    [InlineData("--server 'dns.example' is not an IP address", "--server", "dns.example", Literal)]
    [InlineData("--server '127.0.0.1:0' is not an IP address", "--server", "127.0.0.1:0", Literal)]
    [InlineData("--server '127.0.0.1:65536' is not an IP address", "--server", "127.0.0.1:65536", Literal)]
    [InlineData("--server '[::1]:' is not an IP address", "--server", "[::1]:", Literal)]
    [InlineData("--server 'tls://127.0.0.1': Invalid name server entry 'tls://127.0.0.1': DNS over TLS needs an authentication name", "--server", "tls://127.0.0.1", Literal)]
    [InlineData("--server 'tcp://dns.example': Invalid name server entry 'tcp://dns.example': 'dns.example' is not an IP address", "--server", "tcp://dns.example", Literal)]
    [InlineData("--family 'ipv5' is not one of any, prefer-ipv6, prefer-ipv4, ipv4, ipv6", "--family", "ipv5", Literal)]
    [InlineData("option --family needs a value", Literal, "--family")]
    [InlineData("--timeout 'soon' is not a positive whole number of milliseconds", "--timeout", "soon", Literal)]
    [InlineData("--timeout '0' is not a positive whole number of milliseconds", "--timeout=0", Literal)]
    [InlineData("option --local-name needs a value", Literal, "--local-name")]
    [InlineData("option --json takes no value", "--json=yes", Literal)]
    [InlineData("option --file needs a value", Literal, "--file")]
    [InlineData("give the inputs as arguments or with --file, not both", "--file", "list.txt", Literal)]
    [InlineData("option --ordered takes no value", "--ordered=no", Literal)]
    [InlineData("--concurrency '0' is not a whole number from 1 to 4096", "--concurrency", "0", Literal)]
    [InlineData("--concurrency '4097' is not a whole number from 1 to 4096", "--concurrency=4097", Literal)]
    [InlineData("--concurrency 'many' is not a whole number from 1 to 4096", "--concurrency", "many", Literal)]
    public async Task BadUsage_OneLineErrorOnStderrNothingOnStdoutExit64(string message, params string[] args)
    {
        Run run = await RunAsync(args);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Equal(string.Empty, run.Stdout);
        AssertOneLineError(run, message);
    }

    [Fact]
    public async Task BadUsage_LocalNameTheLibraryRejects_OneLineErrorExit64()
    {
        Run run = await RunAsync("--server", Server, "--local-name", "bad..name", "plain.mx.test");

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Equal(string.Empty, run.Stdout);
        AssertOneLineError(run, "'bad..name'");
        Assert.DoesNotContain("(Parameter", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_PrintsUsageWithEveryOptionAndExitsZero()
    {
        Run run = await RunAsync(Literal, "--help");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal(string.Empty, run.Stderr);
        Assert.StartsWith("Usage: mxlookup", run.Stdout, StringComparison.Ordinal);
        foreach (string option in new[] { "--server", "--json", "--timeout", "--tcp", "--family", "--allow-loopback", "--allow-ip-exchange", "--local-name", "--file", "--ordered", "--concurrency", "--help" })
        {
            Assert.Contains(option, run.Stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task DoubleDash_LaterArgumentsAreInputsEvenWithALeadingHyphen()
    {
        Run run = await RunAsync("--server", Server, "--json", "--", "-user@plain.mx.test", "--json");

        JsonElement[] results = run.JsonLines();
        Assert.Equal(["-user@plain.mx.test", "--json"], results.Select(r => r.GetProperty("input").GetString()));
        Assert.Equal("success", results[0].GetProperty("status").GetString());
        Assert.Equal("invalid-input", results[1].GetProperty("status").GetString());
    }

    // ---- options against the server ----

    [Fact]
    public async Task Server_BracketedIPv6WithPort_QueriesThatServer()
    {
        // An Unbound of our own that also listens on ::1 (the shared one is IPv4 only).
        var options = UnboundServerOptions.SharedZone();
        options.ExtraServerConfig.AddRange(["do-ip6: yes", "interface: ::1", "access-control: ::1/128 allow"]);
        await using UnboundServer v6 = await UnboundServer.StartAsync(options, Token);

        Run run = await RunAsync("--server", $"[::1]:{v6.EndPoint.Port}", "--json", "plain.mx.test");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal("success", Assert.Single(run.JsonLines()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Server_Repeated_FailsOverToTheNextServer()
    {
        // The first server never answers; the second is Unbound.
        await using var silent = new ScriptedDnsServer(_ => ScriptedResponse.Nothing);

        Run run = await RunAsync("--server", silent.EndPoint.ToString(), "--server", Server, "--json", "plain.mx.test");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.True(silent.UdpQueryCount > 0);
    }

    [Fact]
    public async Task Tcp_QueriesOverTcpOnly()
    {
        await using var server = new ScriptedDnsServer(q => ScriptedResponse.Reply(q.Reply(DnsRcodeCode.NxDomain)));

        Run run = await RunAsync("--server", server.EndPoint.ToString(), "--tcp", "--json", "example.test");

        Assert.Equal("no-such-domain", Assert.Single(run.JsonLines()).GetProperty("status").GetString());
        Assert.Equal(0, server.UdpQueryCount);
        Assert.True(server.TcpQueryCount > 0);
    }

    [Fact]
    public async Task Timeout_SilentServer_TemporaryFailureWhenTheDeadlinePasses()
    {
        await using var silent = new ScriptedDnsServer(_ => ScriptedResponse.Nothing);

        Run run = await RunAsync("--server", silent.EndPoint.ToString(), "--timeout", "300", "--json", "example.test");

        JsonElement result = Assert.Single(run.JsonLines());
        Assert.Equal("temporary-failure", result.GetProperty("status").GetString());
        Assert.Contains("deadline", result.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(ExitCodes.TemporaryFailure, run.ExitCode);
    }

    [Theory]
    [InlineData("any", "2001:db8::11", "192.0.2.11")]
    [InlineData("prefer-ipv6", "2001:db8::11", "192.0.2.11")]
    [InlineData("prefer-ipv4", "192.0.2.11", "2001:db8::11")]
    [InlineData("ipv4", "192.0.2.11")]
    [InlineData("ipv6", "2001:db8::11")]
    public async Task Family_OrdersOrFiltersTheAddressesOfATarget(string family, params string[] expected)
    {
        Run run = await RunAsync("--server", Server, "--family", family, "--json", "plain.mx.test");

        // R17: the family order never breaks the preference order.
        JsonElement[] targets = [.. Assert.Single(run.JsonLines()).GetProperty("targets").EnumerateArray()];
        Assert.Equal([10, 20, 30], targets.Select(t => t.GetProperty("preference").GetInt32()));
        Assert.Equal(expected, targets[0].GetProperty("addresses").EnumerateArray().Select(a => a.GetString()));
    }

    [Fact]
    public async Task Family_ExcludedAddresses_ReportedInText()
    {
        Run run = await RunAsync("--server", Server, "--family", "ipv4", "implicit.mx.test");

        Assert.Contains("  dropped address: 2001:db8::61 of implicit.mx.test: excluded by --family", run.StdoutLines);
    }

    [Fact]
    public async Task AllowLoopback_LoopbackTargetsBecomeUsable()
    {
        Run blocked = await RunAsync("--server", Server, "--json", "dualstack.mx.test");
        Run allowed = await RunAsync("--server", Server, "--json", "--allow-loopback", "dualstack.mx.test");

        // R18: loopback is filtered by default, and only loopback is let through by the option.
        Assert.Equal("no-usable-target", Assert.Single(blocked.JsonLines()).GetProperty("status").GetString());
        Assert.Equal(ExitCodes.PermanentFailure, blocked.ExitCode);
        JsonElement target = Assert.Single(Assert.Single(allowed.JsonLines()).GetProperty("targets").EnumerateArray());
        Assert.Equal(["::1", "127.0.0.6"], target.GetProperty("addresses").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(ExitCodes.Success, allowed.ExitCode);

        Run filtered = await RunAsync("--server", Server, "--json", "--allow-loopback", "filtered.mx.test");
        string[] addresses = [.. Assert.Single(Assert.Single(filtered.JsonLines()).GetProperty("targets").EnumerateArray())
            .GetProperty("addresses").EnumerateArray().Select(a => a.GetString()!)];
        Assert.Contains("127.0.0.1", addresses);
        Assert.DoesNotContain("169.254.169.254", addresses);
    }

    [Fact]
    public async Task AllowIPExchange_IPAddressExchangeBecomesATarget()
    {
        Run dropped = await RunAsync("--server", Server, "--json", "ip-exchange-only.mx.test");
        Run allowed = await RunAsync("--server", Server, "--json", "--allow-ip-exchange", "ip-exchange-only.mx.test");

        // R10
        Assert.Equal("no-usable-target", Assert.Single(dropped.JsonLines()).GetProperty("status").GetString());
        JsonElement target = Assert.Single(Assert.Single(allowed.JsonLines()).GetProperty("targets").EnumerateArray());
        Assert.Equal(["192.0.2.55"], target.GetProperty("addresses").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(ExitCodes.Success, allowed.ExitCode);
    }

    [Fact]
    public async Task LocalName_PrunesThisHostAndWorsePreferences()
    {
        Run run = await RunAsync("--server", Server, "--json", "--local-name", "ME.selfprune.mx.test.", "selfprune.mx.test");

        // R14
        JsonElement target = Assert.Single(Assert.Single(run.JsonLines()).GetProperty("targets").EnumerateArray());
        Assert.Equal("mx1.selfprune.mx.test", target.GetProperty("host").GetString());
        Assert.Equal(ExitCodes.Success, run.ExitCode);
    }

    [Fact]
    public async Task LocalName_BestExchange_LoopsToSelf()
    {
        Run run = await RunAsync("--server", Server, "--json", "--local-name", "other.example", "--local-name", "mx1.selfprune.mx.test", "selfprune.mx.test");

        // R14
        JsonElement result = Assert.Single(run.JsonLines());
        Assert.Equal("loops-to-self", result.GetProperty("status").GetString());
        Assert.Equal("5.4.6", result.GetProperty("enhancedStatusCode").GetString());
        Assert.Equal(ExitCodes.PermanentFailure, run.ExitCode);
    }

    [Fact]
    public async Task Cancellation_StopsTheLookupsAndExits130WithoutAStackTrace()
    {
        await using var silent = new ScriptedDnsServer(_ => ScriptedResponse.Nothing);
        using var interrupt = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        Task<int> running = Program.RunAsync(["--server", silent.EndPoint.ToString(), "example.test", "other.test"], stdout, stderr, interrupt.Token);
        Assert.True(await silent.WaitForQueriesAsync(1, Bound, Token));
        await interrupt.CancelAsync();
        int exitCode = await running.WaitAsync(Bound, Token);

        Assert.Equal(ExitCodes.Cancelled, exitCode);
        Assert.Equal(string.Empty, stdout.ToString());
        Assert.Equal("mxlookup: interrupted", stderr.ToString().TrimEnd());
    }

    // ---- server parsing ----

    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1:53")]
    [InlineData("127.0.0.1:5353", "127.0.0.1:5353")]
    [InlineData("::1", "[::1]:53")]
    [InlineData("[::1]", "[::1]:53")]
    [InlineData("[::1]:5353", "[::1]:5353")]
    [InlineData("2001:db8::53", "[2001:db8::53]:53")]
    [InlineData("[2001:db8::53]:65535", "[2001:db8::53]:65535")]
    public void TryParseServer_ValidForms_AddressAndPort(string text, string expected)
    {
        Assert.True(CommandLineOptions.TryParseServer(text, out IPEndPoint? server));
        Assert.Equal(expected, server.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("dns.example")]
    [InlineData("127.0.0.1:")]
    [InlineData("127.0.0.1:0")]
    [InlineData("127.0.0.1:65536")]
    [InlineData("127.0.0.1:-1")]
    [InlineData("[::1]:0")]
    [InlineData("[::1]:")]
    [InlineData("[::1")]
    [InlineData(" 127.0.0.1")]
    [InlineData("127.0.0.256")]
    public void TryParseServer_Invalid_False(string text)
    {
        Assert.False(CommandLineOptions.TryParseServer(text, out _));
    }

    // ---- helpers ----

    private static void AssertOneLineError(Run run, string fragment)
    {
        string line = Assert.Single(run.StderrLines);
        Assert.StartsWith("mxlookup: ", line, StringComparison.Ordinal);
        Assert.Contains(fragment, line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", run.Stderr, StringComparison.Ordinal);
    }

    private static async Task<Run> RunAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exitCode = await Program.RunAsync(args, stdout, stderr, Token).WaitAsync(Bound, Token);
        return new Run(exitCode, stdout.ToString(), stderr.ToString());
    }

    private sealed record Run(int ExitCode, string Stdout, string Stderr)
    {
        public string[] StdoutLines => Lines(Stdout);

        public string[] StderrLines => Lines(Stderr);

        public JsonElement[] JsonLines() => [.. StdoutLines.Select(line => JsonDocument.Parse(line).RootElement)];

        private static string[] Lines(string text) => text.Length == 0 ? [] : text.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
    }
}
