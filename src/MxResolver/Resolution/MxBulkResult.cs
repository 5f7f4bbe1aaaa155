namespace MxResolver;

/// <summary>
/// One result of <see cref="MxResolverBulkExtensions.ResolveManyAsync(IMxResolver, IEnumerable{string}, MxBulkResolutionOptions?, CancellationToken)"/>:
/// an input, where it stood in the inputs, and its resolution. Immutable.
/// </summary>
public sealed class MxBulkResult
{
    internal MxBulkResult(int index, string input, MxResolution resolution, Exception? exception)
    {
        Index = index;
        Input = input;
        Resolution = resolution;
        Exception = exception;
    }

    /// <summary>The zero-based position of <see cref="Input"/> among the inputs.</summary>
    public int Index { get; }

    /// <summary>The input as given.</summary>
    public string Input { get; }

    /// <summary>
    /// The resolution of <see cref="Input"/>. When the resolver threw (<see cref="Exception"/> is
    /// set), a <see cref="MxResolutionStatus.TemporaryFailure"/> whose <see cref="MxResolution.Error"/>
    /// names the exception.
    /// </summary>
    public MxResolution Resolution { get; }

    /// <summary>
    /// The exception the resolver threw for this input, or <see langword="null"/> (always, for
    /// <see cref="MailExchangeResolver"/>, which reports every expected outcome as a value). An
    /// unexpected exception is a bug somewhere; it fails this input only, never the whole run.
    /// </summary>
    public Exception? Exception { get; }

    /// <inheritdoc />
    public override string ToString() => $"#{Index} {Resolution.Status}";
}
