using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using MxResolver.Policy;

namespace MxResolver.Tests.Policy;

public class MtaStsRecordTests
{
    private static IReadOnlyList<IReadOnlyList<string>> Records(params string[] records) => [.. records.Select(r => (IReadOnlyList<string>)[r])];

    [Fact]
    public void TryParse_Rfc8461Example_ReturnsId()
    {
        Assert.True(MtaStsRecord.TryParse(Records("v=STSv1; id=20160831085700Z;"), out MtaStsRecord? record, out string? error), error);

        Assert.Equal("20160831085700Z", record.Id);
    }

    [Fact]
    public void TryParse_RecordSplitIntoStrings_JoinedWithoutSpaces()
    {
        IReadOnlyList<IReadOnlyList<string>> records = [["v=STSv1; i", "d=abc", "123"]];

        Assert.True(MtaStsRecord.TryParse(records, out MtaStsRecord? record, out _));
        Assert.Equal("abc123", record.Id);
    }

    [Fact]
    public void TryParse_OtherTxtRecordsAndExtensions_Ignored()
    {
        Assert.True(MtaStsRecord.TryParse(
            Records("v=spf1 -all", "v=STSv10; id=zzz", "v=STSv1 ;\tid=A1 ; ext.field_x=some-value ;"), out MtaStsRecord? record, out _));

        Assert.Equal("A1", record.Id);
    }

    [Fact]
    public void TryParse_RepeatedId_FirstWins()
    {
        Assert.True(MtaStsRecord.TryParse(Records("v=STSv1; id=first; id=second"), out MtaStsRecord? record, out _));

        Assert.Equal("first", record.Id);
    }

    [Theory]
    [InlineData(new string[0], "no TXT record begins with v=STSv1")]
    [InlineData(new[] { "v=spf1 -all" }, "no TXT record begins with v=STSv1")]
    [InlineData(new[] { "V=STSv1; id=1" }, "no TXT record begins with v=STSv1")]
    [InlineData(new[] { "v=STSv1; id=1", "v=STSv1; id=2" }, "2 TXT records begin with v=STSv1")]
    [InlineData(new[] { "v=STSv1" }, "no id field")]
    [InlineData(new[] { "v=STSv1;" }, "no id field")]
    [InlineData(new[] { "v=STSv1; ext=1" }, "no id field")]
    [InlineData(new[] { "v=STSv1; id=" }, "empty value")]
    [InlineData(new[] { "v=STSv1; id=abc-def" }, "not 1 to 32 letters and digits")]
    [InlineData(new[] { "v=STSv1; id=0123456789abcdefghijklmnopqrstuvw" }, "not 1 to 32 letters and digits")]
    [InlineData(new[] { "v=STSv1;; id=1" }, "field 2 is empty")]
    [InlineData(new[] { "v=STSv1; id" }, "is not name=value")]
    [InlineData(new[] { "v=STSv1; id =1" }, "invalid name")]
    public void TryParse_NoValidRecord_FailsWithReason(string[] records, string expected)
    {
        Assert.False(MtaStsRecord.TryParse(Records(records), out MtaStsRecord? record, out string? error));

        Assert.Null(record);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_IdOf32Characters_Accepted()
    {
        Assert.True(MtaStsRecord.TryParse(Records("v=STSv1; id=0123456789abcdefghijklmnopqrstuv"), out MtaStsRecord? record, out _));

        Assert.Equal(32, record.Id.Length);
    }

    [Property(MaxTest = PropertyConfig.MaxTest, Replay = PropertyConfig.Replay)]
    public Property TryParse_ArbitraryRecords_NeverThrowsAndReportsConsistently()
        => Prop.ForAll(PolicyGenerators.TxtRecords.ToArbitrary(), records =>
        {
            bool ok = MtaStsRecord.TryParse(records, out MtaStsRecord? record, out string? error);
            Assert.Equal(ok, record is not null);
            Assert.Equal(ok, error is null);
            if (ok)
            {
                Assert.InRange(record!.Id.Length, 1, 32);
            }
        });
}
