using System.Net;
using System.Text;
using System.Text.Json;

namespace MxResolver.Tests.Policy;

public class TlsRptReportBuilderTests
{
    /// <summary>
    /// The example report of RFC 8460 §4.4, with two changes: "mx-host" is an array (the printed
    /// example has a single string; the builder writes the list of patterns, as implementations
    /// read it), and the additional-information URI, wrapped in the RFC, is on one line.
    /// </summary>
    private const string Rfc8460Example = """
        {
          "organization-name": "Company-X",
          "date-range": {
            "start-datetime": "2016-04-01T00:00:00Z",
            "end-datetime": "2016-04-01T23:59:59Z"
          },
          "contact-info": "sts-reporting@company-x.example",
          "report-id": "5065427c-23d3-47ca-b6e0-946ea0e8c4be",
          "policies": [{
            "policy": {
              "policy-type": "sts",
              "policy-string": ["version: STSv1","mode: testing",
                    "mx: *.mail.company-y.example","max_age: 86400"],
              "policy-domain": "company-y.example",
              "mx-host": ["*.mail.company-y.example"]
            },
            "summary": {
              "total-successful-session-count": 5326,
              "total-failure-session-count": 303
            },
            "failure-details": [{
              "result-type": "certificate-expired",
              "sending-mta-ip": "2001:db8:abcd:0012::1",
              "receiving-mx-hostname": "mx1.mail.company-y.example",
              "failed-session-count": 100
            }, {
              "result-type": "starttls-not-supported",
              "sending-mta-ip": "2001:db8:abcd:0013::1",
              "receiving-mx-hostname": "mx2.mail.company-y.example",
              "receiving-ip": "203.0.113.56",
              "failed-session-count": 200,
              "additional-information": "https://reports.company-x.example/report_info?id=5065427c-23d3#StarttlsNotSupported"
            }, {
              "result-type": "validation-failure",
              "sending-mta-ip": "198.51.100.62",
              "receiving-ip": "203.0.113.58",
              "receiving-mx-hostname": "mx-backup.mail.company-y.example",
              "failed-session-count": 3,
              "failure-reason-code": "X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED"
            }]
          }]
        }
        """;

    private static readonly TlsRptReportInfo ExampleInfo = new(
        "Company-X",
        "sts-reporting@company-x.example",
        "5065427c-23d3-47ca-b6e0-946ea0e8c4be",
        new DateTimeOffset(2016, 4, 1, 0, 0, 0, TimeSpan.Zero),
        new DateTimeOffset(2016, 4, 1, 23, 59, 59, TimeSpan.Zero));

    private static TlsRptPolicy ExamplePolicy()
    {
        Assert.True(MtaStsPolicy.TryParse("version: STSv1\nmode: testing\nmx: *.mail.company-y.example\nmax_age: 86400\n", out MtaStsPolicy? sts, out _));
        return TlsRptPolicy.ForSts("company-y.example", sts);
    }

    private static void RecordExample(TlsRptReportBuilder builder, TlsRptPolicy policy)
    {
        var expired = new TlsRptFailure(TlsRptResultType.CertificateExpired, IPAddress.Parse("2001:db8:abcd:12::1"), "mx1.mail.company-y.example", null);
        var noStartTls = new TlsRptFailure(TlsRptResultType.StartTlsNotSupported, IPAddress.Parse("2001:db8:abcd:13::1"), "mx2.mail.company-y.example", IPAddress.Parse("203.0.113.56"))
        {
            AdditionalInformation = "https://reports.company-x.example/report_info?id=5065427c-23d3#StarttlsNotSupported",
        };
        var validation = new TlsRptFailure(TlsRptResultType.ValidationFailure, IPAddress.Parse("198.51.100.62"), "mx-backup.mail.company-y.example", IPAddress.Parse("203.0.113.58"))
        {
            FailureReasonCode = "X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED",
        };

        // Interleaved, as sessions would end.
        for (int i = 0; i < 5326; i++)
        {
            builder.RecordSuccess(policy);
            if (i < 100)
            {
                builder.RecordFailure(policy, expired);
            }

            if (i < 200)
            {
                builder.RecordFailure(policy, noStartTls);
            }

            if (i < 3)
            {
                builder.RecordFailure(policy, validation);
            }
        }
    }

    [Fact]
    public void BuildJson_Rfc8460ExampleSessions_StructurallyEqualToRfcExample()
    {
        var builder = new TlsRptReportBuilder();
        RecordExample(builder, ExamplePolicy());

        byte[] json = builder.BuildJson(ExampleInfo, "company-y.example");

        using JsonDocument actual = JsonDocument.Parse(json);
        using JsonDocument expected = JsonDocument.Parse(Rfc8460Example);
        AssertJsonEqual(expected.RootElement, actual.RootElement, "$");
    }

    [Fact]
    public void BuildJson_ConcurrentRecording_CountsEverySession()
    {
        var builder = new TlsRptReportBuilder();
        TlsRptPolicy policy = TlsRptPolicy.NoPolicyFound("Example.COM.");
        var failure = new TlsRptFailure(TlsRptResultType.StartTlsNotSupported, IPAddress.Loopback, "mx.example.com", IPAddress.Parse("192.0.2.1"));

        Parallel.For(0, 8, _ =>
        {
            for (int i = 0; i < 10_000; i++)
            {
                builder.RecordSuccess(policy);
                if (i % 10 == 0)
                {
                    // A new but equal description each time: counted under the same entry.
                    builder.RecordFailure(TlsRptPolicy.NoPolicyFound("example.com"), new TlsRptFailure(failure.ResultType, failure.SendingMtaIp, failure.ReceivingMxHostname, failure.ReceivingIp));
                }
            }
        });

        using JsonDocument report = JsonDocument.Parse(builder.BuildJson(ExampleInfo, "example.com"));
        JsonElement entry = Assert.Single(report.RootElement.GetProperty("policies").EnumerateArray());
        Assert.Equal(80_000, entry.GetProperty("summary").GetProperty("total-successful-session-count").GetInt64());
        Assert.Equal(8_000, entry.GetProperty("summary").GetProperty("total-failure-session-count").GetInt64());
        JsonElement detail = Assert.Single(entry.GetProperty("failure-details").EnumerateArray());
        Assert.Equal(8_000, detail.GetProperty("failed-session-count").GetInt64());
        Assert.Equal("no-policy-found", entry.GetProperty("policy").GetProperty("policy-type").GetString());
        Assert.False(entry.GetProperty("policy").TryGetProperty("policy-string", out _));
        Assert.False(entry.GetProperty("policy").TryGetProperty("mx-host", out _));
    }

    [Fact]
    public void BuildJson_TwoDomains_EachReportHoldsOnlyItsOwnPolicies()
    {
        var builder = new TlsRptReportBuilder();
        builder.RecordSuccess(TlsRptPolicy.NoPolicyFound("a.example"));
        builder.RecordSuccess(TlsRptPolicy.ForTlsa("b.example", [new TlsaAssociation(TlsaCertificateUsage.DaneEe, TlsaSelector.SubjectPublicKeyInfo, TlsaMatchingType.Sha256, new byte[32])], "mx.b.example"));
        builder.RecordSuccess(TlsRptPolicy.NoPolicyFound("a.example"));

        Assert.Equal(["a.example", "b.example"], builder.PolicyDomains);
        using JsonDocument b = JsonDocument.Parse(builder.BuildJson(ExampleInfo, "B.example."));
        JsonElement policy = Assert.Single(b.RootElement.GetProperty("policies").EnumerateArray()).GetProperty("policy");
        Assert.Equal("tlsa", policy.GetProperty("policy-type").GetString());
        Assert.Equal("3 1 1 " + new string('0', 64), Assert.Single(policy.GetProperty("policy-string").EnumerateArray()).GetString());
        Assert.Equal("mx.b.example", Assert.Single(policy.GetProperty("mx-host").EnumerateArray()).GetString());
        using JsonDocument a = JsonDocument.Parse(builder.BuildJson(ExampleInfo, "a.example"));
        Assert.Equal(2, Assert.Single(a.RootElement.GetProperty("policies").EnumerateArray()).GetProperty("summary").GetProperty("total-successful-session-count").GetInt64());
    }

    [Fact]
    public void BuildJson_NothingRecorded_WritesEmptyPolicies()
    {
        using JsonDocument report = JsonDocument.Parse(new TlsRptReportBuilder().BuildJson(ExampleInfo, "example.com"));

        Assert.Equal(0, report.RootElement.GetProperty("policies").GetArrayLength());
        Assert.Equal("2016-04-01T23:59:59Z", report.RootElement.GetProperty("date-range").GetProperty("end-datetime").GetString());
    }

    [Fact]
    public void BuildJson_NonUtcPeriod_WrittenInUtc()
    {
        var info = new TlsRptReportInfo("O", "c@example.com", "r", new DateTimeOffset(2020, 1, 1, 2, 0, 0, TimeSpan.FromHours(2)), new DateTimeOffset(2020, 1, 2, 1, 59, 59, TimeSpan.FromHours(2)));

        string json = Encoding.UTF8.GetString(new TlsRptReportBuilder().BuildJson(info, "example.com"));

        Assert.Contains("\"start-datetime\":\"2020-01-01T00:00:00Z\"", json, StringComparison.Ordinal);
        Assert.Contains("\"end-datetime\":\"2020-01-01T23:59:59Z\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void TlsRptReportInfo_EndBeforeStart_Throws() =>
        Assert.Throws<ArgumentException>(() => new TlsRptReportInfo("O", "c", "r", DateTimeOffset.UnixEpoch.AddDays(1), DateTimeOffset.UnixEpoch));

    [Fact]
    public void TlsRptFailure_UndefinedResultType_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new TlsRptFailure((TlsRptResultType)99, null, null, null));

    [Fact]
    public void TlsRptPolicy_EqualContent_EqualAndSameHash()
    {
        var x = new TlsRptPolicy(TlsRptPolicyType.Sts, "Example.com", ["a", "b"], ["*.example.com"]);
        var y = new TlsRptPolicy(TlsRptPolicyType.Sts, "example.com.", new List<string> { "a", "b" }, ["*.example.com"]);
        var z = new TlsRptPolicy(TlsRptPolicyType.Sts, "example.com", ["a"], ["*.example.com"]);

        Assert.Equal(x, y);
        Assert.Equal(x.GetHashCode(), y.GetHashCode());
        Assert.NotEqual(x, z);
    }

    /// <summary>
    /// Compares two JSON values structurally: the same member names (any order) with equal values,
    /// arrays element by element, and members ending in "-ip" as IP addresses (the RFC writes
    /// "2001:db8:abcd:0012::1", <see cref="IPAddress"/> "2001:db8:abcd:12::1").
    /// </summary>
    private static void AssertJsonEqual(JsonElement expected, JsonElement actual, string path)
    {
        Assert.True(expected.ValueKind == actual.ValueKind, $"{path}: {expected.ValueKind} expected, {actual.ValueKind} found");
        switch (expected.ValueKind)
        {
            case JsonValueKind.Object:
                Assert.Equal(
                    expected.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal),
                    actual.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
                foreach (JsonProperty property in expected.EnumerateObject())
                {
                    JsonElement other = actual.GetProperty(property.Name);
                    if (property.Name.EndsWith("-ip", StringComparison.Ordinal))
                    {
                        Assert.Equal(IPAddress.Parse(property.Value.GetString()!), IPAddress.Parse(other.GetString()!));
                    }
                    else
                    {
                        AssertJsonEqual(property.Value, other, $"{path}.{property.Name}");
                    }
                }

                break;
            case JsonValueKind.Array:
                Assert.True(expected.GetArrayLength() == actual.GetArrayLength(), $"{path}: array lengths differ");
                for (int i = 0; i < expected.GetArrayLength(); i++)
                {
                    AssertJsonEqual(expected[i], actual[i], $"{path}[{i}]");
                }

                break;
            case JsonValueKind.String:
                Assert.True(expected.GetString() == actual.GetString(), $"{path}: '{expected.GetString()}' expected, '{actual.GetString()}' found");
                break;
            case JsonValueKind.Number:
                Assert.True(expected.GetDecimal() == actual.GetDecimal(), $"{path}: {expected} expected, {actual} found");
                break;
        }
    }
}
