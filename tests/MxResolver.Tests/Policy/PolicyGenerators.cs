using FsCheck;
using FsCheck.Fluent;

namespace MxResolver.Tests.Policy;

/// <summary>Generators for the policy parsers' property tests: texts made of the syntax's own pieces, so that many are nearly valid.</summary>
internal static class PolicyGenerators
{
    private static readonly string[] PolicyTokens =
    [
        "version", "STSv1", "STSv2", "mode", "enforce", "testing", "none", "Enforce", "max_age", "86400", "31557600",
        "31557601", "99999999999", "0", "-1", "mx", "*.", "example.com", "mail.example.net", "xn--bcher-kva.example",
        "bücher.example", ".", "..", "-", "_", "a", ":", ": ", " ", "\t", "\n", "\r\n", "\r", ";", "=", "\0", "\u007F",
        "\uD800", "é", "*", "ext_field", "x",
    ];

    private static readonly string[] TxtTokens =
    [
        "v=STSv1", "v=STSv10", "v=TLSRPTv1", "v=TLSRPTv2", ";", "; ", " ;", " ", "\t", "id=", "id", "20160831085700Z", "abc",
        "0123456789abcdefghijklmnopqrstuvw", "rua=", "mailto:tlsrpt@example.com", "https://reporting.example.com/v1",
        "http://x.example", "mailto:", "https://", ",", ", ", "=", "ext=1", "%2C", "é", "\0", "\u007F", ":", "@", "/",
    ];

    /// <summary>Texts built from MTA-STS policy pieces, or arbitrary strings.</summary>
    public static Gen<string> PolicyText { get; } = Gen.Frequency(
        (4, Tokens(PolicyTokens, 40)),
        (1, ArbMap.Default.GeneratorFor<string>().Select(s => s ?? string.Empty)));

    /// <summary>Lists of TXT records (each a list of strings) built from TXT record pieces, or arbitrary strings.</summary>
    public static Gen<IReadOnlyList<IReadOnlyList<string>>> TxtRecords { get; } =
        Gen.Choose(0, 3).SelectMany(count => Gen.ArrayOf(Record, count)).Select(records => (IReadOnlyList<IReadOnlyList<string>>)records);

    private static Gen<IReadOnlyList<string>> Record { get; } =
        Gen.Choose(1, 3).SelectMany(count => Gen.ArrayOf(
            Gen.Frequency(
                (4, Tokens(TxtTokens, 12)),
                (1, ArbMap.Default.GeneratorFor<string>().Select(s => s ?? string.Empty))),
            count)).Select(strings => (IReadOnlyList<string>)strings);

    private static Gen<string> Tokens(string[] tokens, int max) =>
        Gen.Choose(0, max).SelectMany(count => Gen.ArrayOf(Gen.Elements(tokens), count)).Select(parts => string.Concat(parts));
}
