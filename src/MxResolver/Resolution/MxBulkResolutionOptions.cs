namespace MxResolver;

/// <summary>
/// Settings of <see cref="MxResolverBulkExtensions.ResolveManyAsync(IMxResolver, IEnumerable{string}, MxBulkResolutionOptions?, CancellationToken)"/>:
/// how many inputs are resolved at once and in which order the results come out. A plain mutable
/// class, copied and validated when the call is made.
/// </summary>
public sealed class MxBulkResolutionOptions
{
    /// <summary>The default of <see cref="MaxConcurrency"/>: 64.</summary>
    public const int DefaultMaxConcurrency = 64;

    /// <summary>The largest <see cref="MaxConcurrency"/> accepted: 4096.</summary>
    public const int MaxConcurrencyLimit = 4096;

    /// <summary>
    /// The most inputs being resolved, or resolved and waiting to be taken by the caller, at any
    /// moment: the window. It bounds the memory of the whole run (a result is held only until the
    /// caller takes it) and the load put on the name servers. 1 to <see cref="MaxConcurrencyLimit"/>.
    /// Default: <see cref="DefaultMaxConcurrency"/>.
    /// </summary>
    public int MaxConcurrency { get; set; } = DefaultMaxConcurrency;

    /// <summary>
    /// Whether results come out in input order instead of as they complete. A result that completes
    /// early then waits for those before it, and a slow input holds back at most
    /// <see cref="MaxConcurrency"/> - 1 inputs after it: the window still bounds what is started, so
    /// memory stays flat, but one slow input slows the run down. Default: <see langword="false"/>
    /// (as they complete).
    /// </summary>
    public bool PreserveOrder { get; set; }
}
