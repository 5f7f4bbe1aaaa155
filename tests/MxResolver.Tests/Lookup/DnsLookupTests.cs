using System.Net;
using MxResolver.Dns;
using MxResolver.Lookup;
using MxResolver.Tests.Infrastructure;

namespace MxResolver.Tests.Lookup;

public sealed class DnsLookupTests(UnboundFixture unbound)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static DnsLookup Lookup(IPEndPoint server, TimeSpan? timeout = null) =>
        new(new DnsStubClient(new DnsStubClientOptions { NameServers = [server], AttemptTimeout = timeout ?? TimeSpan.FromSeconds(5), AttemptsPerServer = 1 }));

    private static Task<DnsAnswer> LookupAsync(DnsLookup lookup, string name, DnsRecordType type) =>
        lookup.LookupAsync(name, type, Token).AsTask().WaitAsync(Bound, Token);

    [Fact]
    public async Task LookupAsync_Mx_Success()
    {
        DnsAnswer answer = await LookupAsync(Lookup(unbound.EndPoint), "plain.mx.test.", DnsRecordType.MX);

        Assert.Equal(DnsAnswerKind.Success, answer.Kind);
        Assert.Equal(["mx1.plain.mx.test.", "mx2.plain.mx.test.", "mx3.plain.mx.test."], answer.MxRecords.Select(r => r.Exchange).Order(StringComparer.Ordinal));
        Assert.Equal(300u, answer.TimeToLive);
    }

    [Fact]
    public async Task LookupAsync_AliasResolvedByServer_CanonicalNameAndAliases() // R4
    {
        DnsAnswer answer = await LookupAsync(Lookup(unbound.EndPoint), "alias.mx.test.", DnsRecordType.MX);

        Assert.Equal(DnsAnswerKind.Success, answer.Kind);
        Assert.Equal("alias.mx.test.", answer.Name);
        Assert.Equal("canonical.mx.test.", answer.CanonicalName);
        Assert.Equal(["alias.mx.test."], answer.Aliases);
    }

    [Fact]
    public async Task LookupAsync_ChainOfNine_AliasLoop() // R4
    {
        DnsAnswer answer = await LookupAsync(Lookup(unbound.EndPoint), "chain-9.mx.test.", DnsRecordType.MX);

        Assert.Equal(DnsAnswerKind.AliasLoop, answer.Kind);
    }

    [Fact]
    public async Task LookupAsync_Addresses_A()
    {
        DnsAnswer answer = await LookupAsync(Lookup(unbound.EndPoint), "mx1.plain.mx.test.", DnsRecordType.A);

        Assert.Equal([IPAddress.Parse("192.0.2.11")], answer.Addresses);
    }

    [Fact]
    public async Task LookupAsync_MissingName_NxDomainWithSoa() // R5, R25
    {
        DnsAnswer answer = await LookupAsync(Lookup(unbound.EndPoint), "no-such-name.mx.test.", DnsRecordType.MX);

        Assert.Equal(DnsAnswerKind.NxDomain, answer.Kind);
        Assert.True(answer.HasSoa);
    }

    [Fact]
    public async Task LookupAsync_EveryServerFails_FailureValueNotException() // R6
    {
        await using var server = new ScriptedDnsServer(q => ScriptedResponse.Reply(q.Reply(DnsRcodeCode.ServFail)));

        DnsAnswer answer = await LookupAsync(Lookup(server.EndPoint), "example.test.", DnsRecordType.MX);

        Assert.Equal(DnsAnswerKind.Failure, answer.Kind);
        Assert.Equal(DnsQueryError.ServerFailure, answer.Error);
        Assert.Equal("example.test.", answer.Name);
        Assert.False(string.IsNullOrEmpty(answer.ErrorMessage));
    }

    [Fact]
    public async Task LookupAsync_MalformedReplies_FailureMalformed() // R6
    {
        await using var server = new ScriptedDnsServer(q => ScriptedResponse.Reply(
            q.ReplyBuilder().AddRaw(RecordSection.Answer, "example.test.", DnsTypeCode.MX, 1, 300, [0, 10], rdLengthOverride: 40).Build()));

        DnsAnswer answer = await LookupAsync(Lookup(server.EndPoint), "example.test.", DnsRecordType.MX);

        Assert.Equal(DnsAnswerKind.Failure, answer.Kind);
        Assert.Equal(DnsQueryError.MalformedResponse, answer.Error);
    }

    [Fact]
    public async Task LookupAsync_ServerStopsAtAlias_AsksForCanonicalName() // R4
    {
        await using var server = new ScriptedDnsServer(q => q.Info!.QuestionName switch
        {
            "start.example.test." => ScriptedResponse.Reply(q.Reply(configure: b => b.AddCname(RecordSection.Answer, "start.example.test.", "target.example.test.", ttl: 60))),
            _ => ScriptedResponse.Reply(q.Reply(configure: b => b.AddMx(RecordSection.Answer, "target.example.test.", 10, "mx.example.test.", ttl: 600))),
        });

        DnsAnswer answer = await LookupAsync(Lookup(server.EndPoint), "start.example.test.", DnsRecordType.MX);

        Assert.Equal(DnsAnswerKind.Success, answer.Kind);
        Assert.Equal("start.example.test.", answer.Name);
        Assert.Equal("target.example.test.", answer.CanonicalName);
        Assert.Equal(["start.example.test."], answer.Aliases);
        Assert.Equal("mx.example.test.", Assert.Single(answer.MxRecords).Exchange);
        Assert.Equal(60u, answer.TimeToLive); // the alias's TTL bounds the whole answer (RFC 2181 §5.2)
        Assert.Equal(["start.example.test.", "target.example.test."], server.ReceivedQueries.Select(q => q.Info!.QuestionName));
    }

    [Fact]
    public async Task LookupAsync_ServerStopsAtAliasWithSoa_NoDataNotRequeried()
    {
        await using var server = new ScriptedDnsServer(q => ScriptedResponse.Reply(q.Reply(configure: b => b
            .AddCname(RecordSection.Answer, "start.example.test.", "target.example.test.")
            .AddSoa(RecordSection.Authority, "example.test.", "ns.example.test.", "hostmaster.example.test.", minimum: 120))));

        DnsAnswer answer = await LookupAsync(Lookup(server.EndPoint), "start.example.test.", DnsRecordType.MX);

        Assert.Equal(DnsAnswerKind.NoData, answer.Kind);
        Assert.True(answer.HasSoa);
        Assert.Equal(1, server.UdpQueryCount);
    }

    [Fact]
    public async Task LookupAsync_EndlessShortAliases_AliasLoopAfterBoundedQueries() // R4
    {
        // Every name is an alias of the next and the server never includes the target's data.
        await using var server = new ScriptedDnsServer(q =>
        {
            string name = q.Info!.QuestionName!;
            int n = int.Parse(name.Split('.')[0][1..], System.Globalization.CultureInfo.InvariantCulture);
            return ScriptedResponse.Reply(q.Reply(configure: b => b.AddCname(RecordSection.Answer, name, $"h{n + 1}.example.test.")));
        });

        DnsAnswer answer = await LookupAsync(Lookup(server.EndPoint), "h0.example.test.", DnsRecordType.MX);

        Assert.Equal(DnsAnswerKind.AliasLoop, answer.Kind);
        Assert.Equal("h0.example.test.", answer.Name);
        Assert.Equal(DnsAnswerReader.MaxAliasHops + 1, server.UdpQueryCount); // 8 aliases may be followed; the 9th is one too many
    }

    [Fact]
    public async Task LookupAsync_AliasesSplitOverReplies_CountedTogether() // R4
    {
        // Five aliases in the first reply, then five more with the data: ten hops in all.
        await using var server = new ScriptedDnsServer(q =>
        {
            string name = q.Info!.QuestionName!;
            int first = name == "h0.example.test." ? 0 : 5;
            return ScriptedResponse.Reply(q.Reply(configure: b =>
            {
                for (int i = first; i < first + 5; i++)
                {
                    b.AddCname(RecordSection.Answer, $"h{i}.example.test.", $"h{i + 1}.example.test.");
                }

                if (first == 5)
                {
                    b.AddMx(RecordSection.Answer, "h10.example.test.", 10, "mx.example.test.");
                }
            }));
        });

        DnsAnswer answer = await LookupAsync(Lookup(server.EndPoint), "h0.example.test.", DnsRecordType.MX);

        Assert.Equal(DnsAnswerKind.AliasLoop, answer.Kind);
        Assert.Equal(2, server.UdpQueryCount);
    }

    [Theory]
    [InlineData("a\\001b.example.test.")] // a short label holding octet 1, shown as \001
    [InlineData("\\001\\001\\001\\001\\001\\001\\001\\001\\001\\001\\001\\001\\001\\001\\001\\001\\001\\001\\001\\001.example.test.")] // 20 octets, 80 characters of text
    [InlineData("dot\\.and\\\\backslash.example.test.")] // a '.' and a '\' inside a label
    public async Task LookupAsync_ServerStopsAtAliasWithEscapedOctets_AsksForTheSameOctets(string target) // R4
    {
        // The reply ends at an alias whose target has octets that show escaped; the target must go
        // back on the wire as the octets it came as, not as its presentation text.
        await using var server = new ScriptedDnsServer(q => q.Info!.QuestionName == "start.example.test."
            ? ScriptedResponse.Reply(q.Reply(configure: b => b.AddCname(RecordSection.Answer, "start.example.test.", target)))
            : ScriptedResponse.Reply(q.Reply(configure: b => b.AddMx(RecordSection.Answer, q.Info.QuestionName!, 10, "mx.example.test."))));

        DnsAnswer answer = await LookupAsync(Lookup(server.EndPoint), "start.example.test.", DnsRecordType.MX);

        Assert.Equal(2, server.UdpQueryCount);
        byte[] requery = server.ReceivedQueries[1].Message;
        byte[] expected = DnsMessageBuilder.EncodeName(target);
        Assert.Equal(expected, requery.AsSpan(12, expected.Length).ToArray());
        Assert.Equal(DnsAnswerKind.Success, answer.Kind);
        Assert.Equal(target, answer.CanonicalName);
        Assert.Equal("mx.example.test.", Assert.Single(answer.MxRecords).Exchange);
    }

    [Fact]
    public async Task ResolveAsync_AliasTargetWithLongEscapedLabel_ResultNotException() // R4, R6
    {
        // 20 octets of value 1 make an 80-character label of text: it must never be taken for a name.
        const string Target = "\\001\\001\\001\\001\\001\\001\\001\\001\\001\\001\\001\\001\\001\\001\\001\\001\\001\\001\\001\\001.example.test.";
        await using var server = new ScriptedDnsServer(q => (q.Info!.QuestionName, q.Info.QuestionType) switch
        {
            ("start.example.test.", _) => ScriptedResponse.Reply(q.Reply(configure: b => b.AddCname(RecordSection.Answer, "start.example.test.", Target))),
            (_, DnsTypeCode.MX) => ScriptedResponse.Reply(q.Reply(configure: b => b.AddMx(RecordSection.Answer, q.Info.QuestionName!, 10, "mx.example.test."))),
            (_, DnsTypeCode.A) => ScriptedResponse.Reply(q.Reply(configure: b => b.AddA(RecordSection.Answer, q.Info.QuestionName!, "192.0.2.25"))),
            _ => ScriptedResponse.Reply(q.Reply()),
        });
        var resolver = new MailExchangeResolver(new MxResolverOptions { NameServers = { server.EndPoint.ToString() } });

        MxResolution result = await resolver.ResolveAsync("start.example.test", Token).AsTask().WaitAsync(Bound, Token);

        Assert.Equal(MxResolutionStatus.Success, result.Status);
        Assert.Equal("mx.example.test", Assert.Single(result.Targets).Host);
        Assert.Empty(server.ScriptErrors);
    }

    [Fact]
    public async Task LookupAsync_Canceled_OperationCanceledException()
    {
        await using var server = new ScriptedDnsServer(_ => ScriptedResponse.Nothing);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Lookup(server.EndPoint, TimeSpan.FromSeconds(20)).LookupAsync("example.test.", DnsRecordType.MX, cancel.Token).AsTask().WaitAsync(Bound, Token));
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, false)]
    public async Task LookupAsync_AdFromLoopback_SecureAsTheReply(bool authenticData, bool expectedSecure)
    {
        await using var server = new ScriptedDnsServer(q => ScriptedResponse.Reply(q.Reply(configure: b =>
        {
            b.AuthenticData = authenticData;
            b.AddA(RecordSection.Answer, "host.example.test.", "192.0.2.1");
        })));

        DnsAnswer answer = await LookupAsync(Lookup(server.EndPoint), "host.example.test.", DnsRecordType.A);

        Assert.Equal(DnsAnswerKind.Success, answer.Kind);
        Assert.Equal(expectedSecure, answer.IsSecure);
    }

    [Fact]
    public async Task LookupAsync_AdFromUntrustedServer_NotSecure()
    {
        await using var server = new ScriptedDnsServer(q => ScriptedResponse.Reply(q.Reply(configure: b =>
        {
            b.AuthenticData = true;
            b.AddA(RecordSection.Answer, "host.example.test.", "192.0.2.1");
        })));
        var lookup = new DnsLookup(new DnsStubClient(new DnsStubClientOptions { NameServers = [server.EndPoint], TrustLoopbackAuthenticatedData = false }));

        DnsAnswer answer = await LookupAsync(lookup, "host.example.test.", DnsRecordType.A);

        Assert.False(answer.IsSecure);
    }

    [Theory]
    [InlineData(true, true, true)]
    [InlineData(true, false, false)]
    [InlineData(false, true, false)]
    public async Task LookupAsync_AliasOverTwoReplies_SecureOnlyIfBothAre(bool firstSecure, bool secondSecure, bool expectedSecure)
    {
        await using var server = new ScriptedDnsServer(q => q.Info!.QuestionName switch
        {
            "start.example.test." => ScriptedResponse.Reply(q.Reply(configure: b =>
            {
                b.AuthenticData = firstSecure;
                b.AddCname(RecordSection.Answer, "start.example.test.", "target.example.test.");
            })),
            _ => ScriptedResponse.Reply(q.Reply(configure: b =>
            {
                b.AuthenticData = secondSecure;
                b.AddA(RecordSection.Answer, "target.example.test.", "192.0.2.1");
            })),
        });

        DnsAnswer answer = await LookupAsync(Lookup(server.EndPoint), "start.example.test.", DnsRecordType.A);

        Assert.Equal(DnsAnswerKind.Success, answer.Kind);
        Assert.Equal(2, server.UdpQueryCount);
        Assert.Equal(expectedSecure, answer.IsSecure);
    }

    [Fact]
    public async Task LookupAsync_SecureNxDomain_Secure()
    {
        await using var server = new ScriptedDnsServer(q => ScriptedResponse.Reply(q.Reply(DnsRcodeCode.NxDomain, b =>
        {
            b.AuthenticData = true;
            b.AddSoa(RecordSection.Authority, "example.test.", "ns.example.test.", "hostmaster.example.test.");
        })));

        DnsAnswer answer = await LookupAsync(Lookup(server.EndPoint), "_25._tcp.mx.example.test.", DnsRecordType.TLSA);

        Assert.Equal(DnsAnswerKind.NxDomain, answer.Kind);
        Assert.True(answer.IsSecure);
    }

    [Fact]
    public async Task LookupAsync_Tlsa_RecordDataAndCanonicalName()
    {
        byte[] tlsa = [3, 1, 1, 0xAB, 0xCD];
        await using var server = new ScriptedDnsServer(q => ScriptedResponse.Reply(q.Reply(configure: b =>
        {
            b.AuthenticData = true;
            b.AddCname(RecordSection.Answer, "_25._tcp.mx.example.test.", "_25._tcp.mx.hosting.test.");
            b.AddRaw(RecordSection.Answer, "_25._tcp.mx.hosting.test.", 52, 1, 300, tlsa);
        })));

        DnsAnswer answer = await LookupAsync(Lookup(server.EndPoint), "_25._tcp.mx.example.test.", DnsRecordType.TLSA);

        Assert.Equal(DnsAnswerKind.Success, answer.Kind);
        Assert.Equal("_25._tcp.mx.hosting.test.", answer.CanonicalName);
        Assert.Equal(tlsa, Assert.Single(answer.RecordData));
        Assert.True(answer.IsSecure);
    }

    [Fact]
    public async Task LookupAsync_TxtStringPastRdata_FailureMalformed()
    {
        await using var server = new ScriptedDnsServer(q => ScriptedResponse.Reply(q.Reply(configure: b =>
            b.AddRaw(RecordSection.Answer, "example.test.", DnsTypeCode.TXT, 1, 300, [5, (byte)'v', (byte)'=']))));

        DnsAnswer answer = await LookupAsync(Lookup(server.EndPoint), "example.test.", DnsRecordType.TXT);

        Assert.Equal(DnsAnswerKind.Failure, answer.Kind);
        Assert.Equal(DnsQueryError.MalformedResponse, answer.Error);
    }
}
