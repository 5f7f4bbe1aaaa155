using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace MxResolver.Tests.Policy;

// Behaviour rules R34 (docs/behaviour.md, "Secure delivery").

public class MtaStsPolicyTests
{
    private static MtaStsPolicy ParseValid(string text)
    {
        Assert.True(MtaStsPolicy.TryParse(text, out MtaStsPolicy? policy, out string? error), error);
        return policy;
    }

    private static string ParseInvalid(string text)
    {
        Assert.False(MtaStsPolicy.TryParse(text, out MtaStsPolicy? policy, out string? error));
        Assert.Null(policy);
        return error;
    }

    /// <summary>RFC 8461 §3.2's example policy, with CRLF line ends.</summary>
    [Fact]
    public void TryParse_Rfc8461Example_ReadsEveryField()
    {
        MtaStsPolicy policy = ParseValid("version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmx: backupmx.example.com\r\nmax_age: 604800\r\n");

        Assert.Equal(MtaStsMode.Enforce, policy.Mode);
        Assert.Equal(TimeSpan.FromSeconds(604800), policy.MaxAge);
        Assert.Equal(["mail.example.com", "*.example.net", "backupmx.example.com"], policy.MxPatterns);
        Assert.Equal(["version: STSv1", "mode: enforce", "mx: mail.example.com", "mx: *.example.net", "mx: backupmx.example.com", "max_age: 604800"], policy.Lines);
    }

    [Fact]
    public void TryParse_LfLinesAnyOrderAndWhitespace_Accepted()
    {
        MtaStsPolicy policy = ParseValid("mode:testing\nmax_age:\t 86400  \nmx:   MX.Example.COM.\nversion: STSv1");

        Assert.Equal(MtaStsMode.Testing, policy.Mode);
        Assert.Equal(TimeSpan.FromDays(1), policy.MaxAge);
        Assert.Equal(["mx.example.com"], policy.MxPatterns);
    }

    [Fact]
    public void TryParse_ModeNoneWithoutMx_Accepted()
    {
        MtaStsPolicy policy = ParseValid("version: STSv1\nmode: none\nmax_age: 0\n");

        Assert.Equal(MtaStsMode.None, policy.Mode);
        Assert.Equal(TimeSpan.Zero, policy.MaxAge);
        Assert.Empty(policy.MxPatterns);
    }

    [Fact]
    public void TryParse_UnknownFieldsAndBlankLines_Ignored()
    {
        MtaStsPolicy policy = ParseValid("version: STSv1\n\nfoo.bar-baz_1: anything at all\nmode: enforce\n   \nmx: a.example\nmax_age: 10\n\n");

        Assert.Equal(["a.example"], policy.MxPatterns);
        Assert.Equal(5, policy.Lines.Count); // the unknown field stays in the policy-string lines
    }

    [Fact]
    public void TryParse_RepeatedNonMxField_FirstOccurrenceWins()
    {
        // RFC 8461 §3.2: all entries of a repeated non-mx field but the first are ignored.
        MtaStsPolicy policy = ParseValid("version: STSv1\nmode: testing\nmode: enforce\nmax_age: 100\nmax_age: bogus\nmx: a.example\nversion: STSv9\n");

        Assert.Equal(MtaStsMode.Testing, policy.Mode);
        Assert.Equal(TimeSpan.FromSeconds(100), policy.MaxAge);
    }

    [Fact]
    public void TryParse_InternationalisedMx_StoredAsALabel()
    {
        MtaStsPolicy policy = ParseValid("version: STSv1\nmode: enforce\nmx: *.bücher.example\nmax_age: 1\n");

        Assert.Equal(["*.xn--bcher-kva.example"], policy.MxPatterns);
        Assert.True(policy.Matches("mx.BÜCHER.example."));
        Assert.True(policy.Matches("mx.xn--bcher-kva.example"));
    }

    [Theory]
    [InlineData("", "version field is missing")]
    [InlineData("mode: enforce\nmx: a.example\nmax_age: 1", "version field is missing")]
    [InlineData("version: STSv1\nmx: a.example\nmax_age: 1", "mode field is missing")]
    [InlineData("version: STSv1\nmode: enforce\nmx: a.example", "max_age field is missing")]
    [InlineData("version: STSv1\nmode: enforce\nmax_age: 1", "needs at least one mx")]
    [InlineData("version: STSv1\nmode: testing\nmax_age: 1", "needs at least one mx")]
    [InlineData("version: STSv2\nmode: enforce\nmx: a.example\nmax_age: 1", "is not 'STSv1'")]
    [InlineData("version: stsv1\nmode: enforce\nmx: a.example\nmax_age: 1", "is not 'STSv1'")]
    [InlineData("version: STSv1\nmode: Enforce\nmx: a.example\nmax_age: 1", "is not 'enforce', 'testing' or 'none'")]
    [InlineData("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 31557601", "exceeds the maximum")]
    [InlineData("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 00000000001", "not 1 to 10 digits")]
    [InlineData("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: -1", "not a non-negative decimal integer")]
    [InlineData("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 1 d", "not a non-negative decimal integer")]
    [InlineData("version: STSv1\nmode: enforce\nmx: a..example\nmax_age: 1", "mx 'a..example' is not a host name")]
    [InlineData("version: STSv1\nmode: enforce\nmx: a.*.example\nmax_age: 1", "is not a host name")]
    [InlineData("version: STSv1\nmode: enforce\nmx: *\nmax_age: 1", "is not a host name")]
    [InlineData("version: STSv1\nmode: enforce\nmx: -a.example\nmax_age: 1", "is not a host name")]
    [InlineData("version: STSv1\nmode: enforce\nmx: \nmax_age: 1", "is not a host name")]
    [InlineData("version: STSv1\nmode enforce\nmx: a.example\nmax_age: 1", "line 2 is not a 'key: value' field")]
    [InlineData(" version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 1", "line 1 has an invalid field name")]
    [InlineData("version : STSv1\nmode: enforce\nmx: a.example\nmax_age: 1", "line 1 has an invalid field name")]
    [InlineData("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 1\nfoo: a\u0001b", "control characters")]
    public void TryParse_MalformedPolicy_FailsWithReason(string text, string expected)
    {
        string error = ParseInvalid(text);

        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_Null_Throws() => Assert.Throws<ArgumentNullException>(() => MtaStsPolicy.TryParse(null!, out _, out _));

    [Theory]
    [InlineData("mail.example.com", "mail.example.com", true)]
    [InlineData("mail.example.com", "MAIL.Example.Com.", true)]
    [InlineData("mail.example.com", "mail.example.org", false)]
    [InlineData("mail.example.com", "x.mail.example.com", false)]
    [InlineData("*.example.com", "mx.example.com", true)]
    [InlineData("*.example.com", "MX.EXAMPLE.COM.", true)]
    [InlineData("*.example.com", "a.b.example.com", false)]
    [InlineData("*.example.com", "example.com", false)]
    [InlineData("*.example.com", ".example.com", false)]
    [InlineData("*.example.com", "mxexample.com", false)]
    [InlineData("*.example.com", "", false)]
    [InlineData("*.example.com", ".", false)]
    public void Matches_Rfc8461Section41Rules_AsExpected(string pattern, string host, bool expected)
    {
        MtaStsPolicy policy = ParseValid($"version: STSv1\nmode: enforce\nmx: {pattern}\nmax_age: 1\n");

        Assert.Equal(expected, policy.Matches(host));
    }

    [Fact]
    public void Matches_SecondPattern_Matches()
    {
        MtaStsPolicy policy = ParseValid("version: STSv1\nmode: enforce\nmx: a.example\nmx: *.b.example\nmax_age: 1\n");

        Assert.True(policy.Matches("x.b.example"));
        Assert.False(policy.Matches("x.a.example"));
    }

    /// <summary>The parser returns a value for any text; it never throws.</summary>
    [Property(MaxTest = PropertyConfig.MaxTest, Replay = PropertyConfig.Replay)]
    public Property TryParse_ArbitraryText_NeverThrowsAndReportsConsistently()
        => Prop.ForAll(PolicyGenerators.PolicyText.ToArbitrary(), text =>
        {
            bool ok = MtaStsPolicy.TryParse(text, out MtaStsPolicy? policy, out string? error);
            Assert.Equal(ok, policy is not null);
            Assert.Equal(ok, error is null);
            if (ok)
            {
                Assert.True(policy!.Mode == MtaStsMode.None || policy.MxPatterns.Count > 0);
                Assert.InRange(policy.MaxAge.TotalSeconds, 0, MtaStsPolicy.MaxAgeLimitSeconds);
            }
        });

    private static readonly string[] Labels = ["a", "b", "mx", "Mx", "MX", "example", "EXAMPLE", "com", "net", "*", "xn--bcher-kva", "1", "a-b"];

    private static readonly string[] PatternLabels = [.. Labels.Where(l => l != "*")];

    private static Gen<string[]> LabelList(int min, int max, string[] pool) =>
        Gen.Choose(min, max).SelectMany(n => Gen.ArrayOf(Gen.Elements(pool), n));

    /// <summary>
    /// The reference model of RFC 8461 §4.1, written label by label: equal label lists ignoring
    /// case, or a leading "*" label that stands for exactly one host label.
    /// </summary>
    private static bool ReferenceMatches(string[] pattern, string[] host)
    {
        if (host.Length == 0 || host.Any(l => l.Length == 0))
        {
            return false;
        }

        bool LabelEqual(string x, string y) => string.Equals(x, y, StringComparison.OrdinalIgnoreCase);
        if (pattern.Length == host.Length && pattern.Zip(host).All(p => LabelEqual(p.First, p.Second)))
        {
            return true;
        }

        return pattern.Length > 1 && pattern[0] == "*" && host.Length == pattern.Length
            && pattern.Skip(1).Zip(host.Skip(1)).All(p => LabelEqual(p.First, p.Second));
    }

    [Property(MaxTest = PropertyConfig.MaxTest, Replay = PropertyConfig.Replay)]
    public Property Matches_AnyPatternAndHost_AgreesWithReferenceModel()
    {
        Gen<string[]> patternLabels = Gen.Frequency(
            (1, LabelList(1, 4, PatternLabels).Select(l => (string[])["*", .. l])),
            (1, LabelList(1, 4, PatternLabels)));
        Gen<(string[] Pattern, string[] Host, bool Dot)> cases =
            from pattern in patternLabels
            from host in Gen.Frequency(
                (2, LabelList(1, 5, Labels)),
                (2, Gen.Elements(Labels).Select(first => (string[])[first, .. pattern.Skip(1)])),
                (1, Gen.Constant(pattern)))
            from dot in ArbMap.Default.GeneratorFor<bool>()
            select (pattern, host, dot);

        return Prop.ForAll(cases.ToArbitrary(), c =>
        {
            string patternText = string.Join('.', c.Pattern).ToLowerInvariant();
            MtaStsPolicy policy = ParseValid($"version: STSv1\nmode: enforce\nmx: {patternText}\nmax_age: 1\n");
            string host = string.Join('.', c.Host) + (c.Dot ? "." : string.Empty);

            Assert.Equal(ReferenceMatches(c.Pattern, c.Host), policy.Matches(host));
        });
    }
}
