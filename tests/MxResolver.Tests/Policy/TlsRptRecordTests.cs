using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace MxResolver.Tests.Policy;

public class TlsRptRecordTests
{
    private static IReadOnlyList<IReadOnlyList<string>> Records(params string[] records) => [.. records.Select(r => (IReadOnlyList<string>)[r])];

    [Fact]
    public void TryParse_Rfc8460MailtoExample_ReturnsUri()
    {
        Assert.True(TlsRptRecord.TryParse(Records("v=TLSRPTv1;rua=mailto:reports@example.com"), out TlsRptRecord? record, out string? error), error);

        Uri uri = Assert.Single(record.ReportUris);
        Assert.Equal("mailto", uri.Scheme);
        Assert.Equal("mailto:reports@example.com", uri.OriginalString);
    }

    [Fact]
    public void TryParse_MailtoAndHttpsWithSpacesAroundComma_ReturnsBoth()
    {
        Assert.True(TlsRptRecord.TryParse(
            Records("v=TLSRPTv1; rua=mailto:tlsrpt@example.com , https://reporting.example.com/v1/tlsrpt; ext=1;"), out TlsRptRecord? record, out _));

        Assert.Equal(["mailto:tlsrpt@example.com", "https://reporting.example.com/v1/tlsrpt"], record.ReportUris.Select(u => u.OriginalString));
    }

    [Fact]
    public void TryParse_UnsupportedSchemeBesideSupported_Skipped()
    {
        Assert.True(TlsRptRecord.TryParse(Records("v=TLSRPTv1; rua=http://insecure.example/r,https://r.example/"), out TlsRptRecord? record, out _));

        Assert.Equal("https://r.example/", Assert.Single(record.ReportUris).OriginalString);
    }

    [Fact]
    public void TryParse_SplitStringsAmongOtherRecords_Joined()
    {
        IReadOnlyList<IReadOnlyList<string>> records = [["v=spf1 -all"], ["v=TLSRPTv1; rua=mai", "lto:a@b.example"]];

        Assert.True(TlsRptRecord.TryParse(records, out TlsRptRecord? record, out _));
        Assert.Equal("mailto:a@b.example", Assert.Single(record.ReportUris).OriginalString);
        Assert.Equal("v=TLSRPTv1; rua=mailto:a@b.example", record.ToString());
    }

    [Theory]
    [InlineData(new string[0], "no TXT record begins with v=TLSRPTv1")]
    [InlineData(new[] { "v=TLSRPTv10; rua=mailto:a@b.example" }, "no TXT record begins")]
    [InlineData(new[] { "v=TLSRPTv1; rua=mailto:a@b.example", "v=TLSRPTv1; rua=mailto:c@d.example" }, "2 TXT records begin")]
    [InlineData(new[] { "v=TLSRPTv1" }, "no rua field")]
    [InlineData(new[] { "v=TLSRPTv1; ruf=mailto:a@b.example" }, "no rua field")]
    [InlineData(new[] { "v=TLSRPTv1; rua=mailto:a@b.example; rua=mailto:c@d.example" }, "more than once")]
    [InlineData(new[] { "v=TLSRPTv1; rua=http://a.example/" }, "no usable mailto: or https: URI")]
    [InlineData(new[] { "v=TLSRPTv1; rua=mailto:" }, "no usable")]
    [InlineData(new[] { "v=TLSRPTv1; rua=mailto:a@b.example,,https://c.example" }, "empty URI")]
    [InlineData(new[] { "v=TLSRPTv1; rua=reports" }, "not an absolute URI")]
    [InlineData(new[] { "v=TLSRPTv1; rua=mailto:a@b.example x" }, "contains white space")]
    public void TryParse_NoValidRecord_FailsWithReason(string[] records, string expected)
    {
        Assert.False(TlsRptRecord.TryParse(Records(records), out TlsRptRecord? record, out string? error));

        Assert.Null(record);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_NullRecords_Throws() => Assert.Throws<ArgumentNullException>(() => TlsRptRecord.TryParse(null!, out _, out _));

    [Property(MaxTest = PropertyConfig.MaxTest, Replay = PropertyConfig.Replay)]
    public Property TryParse_ArbitraryRecords_NeverThrowsAndReportsConsistently()
        => Prop.ForAll(PolicyGenerators.TxtRecords.ToArbitrary(), records =>
        {
            bool ok = TlsRptRecord.TryParse(records, out TlsRptRecord? record, out string? error);
            Assert.Equal(ok, record is not null);
            Assert.Equal(ok, error is null);
            if (ok)
            {
                Assert.NotEmpty(record!.ReportUris);
                Assert.All(record.ReportUris, u => Assert.Contains(u.Scheme, new[] { "mailto", "https" }));
            }
        });
}
