using System.Globalization;
using System.Text;
using MxResolver;

namespace MxLookup;

/// <summary>Writes an <see cref="MxResolution"/> for people (text blocks) or programs (JSON lines).</summary>
internal static partial class ResolutionPrinter
{
    /// <summary>
    /// The kebab-case name of a status, the form both outputs use. Spelled out rather than derived
    /// from the enum member names, so that the command's output stays stable if the library renames one.
    /// </summary>
    public static string StatusName(MxResolutionStatus status) => status switch
    {
        MxResolutionStatus.Success => "success",
        MxResolutionStatus.ImplicitMx => "implicit-mx",
        MxResolutionStatus.NullMx => "null-mx",
        MxResolutionStatus.NoSuchDomain => "no-such-domain",
        MxResolutionStatus.NoMailHost => "no-mail-host",
        MxResolutionStatus.NoUsableTarget => "no-usable-target",
        MxResolutionStatus.LoopsToSelf => "loops-to-self",
        MxResolutionStatus.TemporaryFailure => "temporary-failure",
        MxResolutionStatus.InvalidInput => "invalid-input",
        _ => ToKebabCase(status.ToString()),
    };

    /// <summary>Whole seconds of the time to live, or <see langword="null"/>.</summary>
    private static long? TtlSeconds(MxResolution result) => result.TimeToLive is { } ttl ? (long)ttl.TotalSeconds : null;

    private static string ToKebabCase(string name)
    {
        var builder = new StringBuilder(name.Length + 4);
        foreach (char c in name)
        {
            if (char.IsUpper(c) && builder.Length > 0)
            {
                builder.Append('-');
            }

            builder.Append(char.ToLower(c, CultureInfo.InvariantCulture));
        }

        return builder.ToString();
    }
}
