namespace MxDeliver;

/// <summary>
/// The exit codes of <c>mxdeliver</c>: the <c>sysexits.h</c> values mail software uses (as
/// <c>mxlookup</c> does), so a script can tell "bounce" from "queue and retry".
/// </summary>
internal static class ExitCodes
{
    /// <summary>The message was accepted.</summary>
    public const int Success = 0;

    /// <summary>EX_USAGE: an unknown option, a bad or missing value.</summary>
    public const int Usage = 64;

    /// <summary>EX_NOHOST: a permanent failure (no such domain, null MX, a 5xx for the sender, recipient or message).</summary>
    public const int PermanentFailure = 68;

    /// <summary>EX_SOFTWARE: an unexpected error (a bug); reported in one line.</summary>
    public const int Software = 70;

    /// <summary>EX_TEMPFAIL: a temporary failure (DNS, every exchanger failed, a 4xx); retry later.</summary>
    public const int TemporaryFailure = 75;

    /// <summary>EX_CONFIG: no <c>--server</c> was given and the system names no name server.</summary>
    public const int Configuration = 78;

    /// <summary>Interrupted by Ctrl+C (128 + SIGINT, as shells report it).</summary>
    public const int Cancelled = 130;
}
