using MxResolver;

namespace MxLookup;

/// <summary>
/// The exit codes of <c>mxlookup</c>: the <c>sysexits.h</c> values mail software uses, so a script
/// can tell "bounce" from "queue and retry".
/// </summary>
internal static class ExitCodes
{
    /// <summary>Every input has usable targets.</summary>
    public const int Success = 0;

    /// <summary>EX_USAGE: an unknown option, a bad or missing value, or an input that is not a domain, address or literal.</summary>
    public const int Usage = 64;

    /// <summary>EX_NOINPUT: the <c>--file</c> cannot be opened or read.</summary>
    public const int NoInput = 66;

    /// <summary>EX_NOHOST: some input failed permanently (no such domain, null MX, no usable target, loops to self).</summary>
    public const int PermanentFailure = 68;

    /// <summary>EX_SOFTWARE: an unexpected error (a bug); reported in one line.</summary>
    public const int Software = 70;

    /// <summary>EX_TEMPFAIL: some input failed temporarily and none permanently; retry later (RFC 5321 §5.1).</summary>
    public const int TemporaryFailure = 75;

    /// <summary>EX_CONFIG: no <c>--server</c> was given and the system names no name server.</summary>
    public const int Configuration = 78;

    /// <summary>Interrupted by Ctrl+C (128 + SIGINT, as shells report it).</summary>
    public const int Cancelled = 130;

    /// <summary>
    /// The exit code for a set of results: bad input outranks a permanent failure, which outranks a
    /// temporary one, so that a script never retries what cannot succeed.
    /// </summary>
    public static int For(IEnumerable<MxResolution> results) => FromSeverity(results.Select(Severity).DefaultIfEmpty(0).Max());

    /// <summary>The exit code for the worst <see cref="Severity"/> seen; a list is ranked as it streams, without keeping its results.</summary>
    public static int FromSeverity(int worst) => worst switch
    {
        >= 4 => Software,
        3 => Usage,
        2 => PermanentFailure,
        1 => TemporaryFailure,
        _ => Success,
    };

    /// <summary>How bad a result is for the exit code: 0 usable, 1 temporary, 2 permanent, 3 bad input (4 is a bug, <see cref="Software"/>).</summary>
    public static int Severity(MxResolution result) => result switch
    {
        { Status: MxResolutionStatus.InvalidInput } => 3,
        { IsPermanentFailure: true } => 2,
        { IsTemporaryFailure: true } => 1,
        _ => 0,
    };
}
