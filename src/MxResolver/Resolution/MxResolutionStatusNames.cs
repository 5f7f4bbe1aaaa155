namespace MxResolver.Resolution;

/// <summary>The kebab-case names of <see cref="MxResolutionStatus"/> used in metrics, spans and JSON (<c>implicit-mx</c>, <c>temporary-failure</c>).</summary>
internal static class MxResolutionStatusNames
{
    private static readonly string[] Names =
    [
        "success",
        "implicit-mx",
        "null-mx",
        "no-such-domain",
        "no-mail-host",
        "no-usable-target",
        "loops-to-self",
        "temporary-failure",
        "invalid-input",
    ];

    /// <summary>The name of <paramref name="status"/>; the number for an undefined value.</summary>
    public static string Get(MxResolutionStatus status)
        => (uint)status < (uint)Names.Length ? Names[(int)status] : ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
