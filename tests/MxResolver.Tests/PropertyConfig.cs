namespace MxResolver.Tests;

/// <summary>
/// Shared FsCheck settings, so every property of the suite runs the same number of cases from the
/// same fixed seed: a failure in CI reproduces locally, bit for bit. Use as
/// <c>[Property(MaxTest = PropertyConfig.MaxTest, Replay = PropertyConfig.Replay)]</c>.
/// </summary>
internal static class PropertyConfig
{
    /// <summary>Cases per property (at least 10,000, in CI too).</summary>
    public const int MaxTest = 10_000;

    /// <summary>The fixed replay seed (FsCheck's "(seed,gamma)" form; gamma must be odd).</summary>
    public const string Replay = "(20261126,1301)";
}
