using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using MxResolver.Resolution;

namespace MxResolver;

/// <summary>
/// Resolution at list scale: many inputs through any <see cref="IMxResolver"/>, a bounded number at
/// a time, results streamed as they complete (or in input order).
/// </summary>
/// <remarks>
/// Nothing is materialised: inputs are read one at a time as the window (<see cref="MxBulkResolutionOptions.MaxConcurrency"/>)
/// frees up, and a result is held only until the caller takes it, so memory depends on the window,
/// never on the number of inputs. Domains that share exchanges cost one address lookup per exchange
/// when the resolver caches (<see cref="MailExchangeResolver"/> and the DI registration do).
/// </remarks>
public static class MxResolverBulkExtensions
{
    // The two overloads differ in the type of their required argument (a list or a stream), so a
    // call never has to pick between them by its optional ones, which is the hazard RS0026 guards.
    private const string OverloadJustification = "The overloads differ in a required parameter's type; both optional parameters are the same.";

    /// <summary>Resolves every input, at most <see cref="MxBulkResolutionOptions.MaxConcurrency"/> at a time.</summary>
    /// <param name="resolver">The resolver each input is handed to.</param>
    /// <param name="inputs">
    /// Domains, email addresses or address literals (what <see cref="IMxResolver.ResolveAsync"/>
    /// takes). Enumerated once, lazily, on a thread-pool thread, as the window frees up; never
    /// copied. A <see langword="null"/> element is misuse: the enumeration throws
    /// <see cref="ArgumentException"/> when it reaches it, after the results of the inputs before it.
    /// </param>
    /// <param name="options">The window and the order; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">
    /// Stops the run: no further input is read or started, the resolutions in flight are cancelled,
    /// and the enumeration throws <see cref="OperationCanceledException"/>. A token given with
    /// <c>WithCancellation</c> works the same way.
    /// </param>
    /// <returns>
    /// One <see cref="MxBulkResult"/> per input: as each completes, or in input order when
    /// <see cref="MxBulkResolutionOptions.PreserveOrder"/> is set. Expected outcomes are values
    /// (<see cref="MxResolution.Status"/>); an exception the resolver throws for one input (other
    /// than for cancellation) fails that input only, as a <see cref="MxResolutionStatus.TemporaryFailure"/>
    /// with <see cref="MxBulkResult.Exception"/> set, and the run goes on. An exception thrown by
    /// <paramref name="inputs"/> itself ends the run after the inputs already read have their results.
    /// Disposing the enumerator early (a <c>break</c>) cancels what is in flight; disposal returns
    /// once nothing started by the run is still running.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="resolver"/> or <paramref name="inputs"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="MxBulkResolutionOptions.MaxConcurrency"/> is not between 1 and <see cref="MxBulkResolutionOptions.MaxConcurrencyLimit"/>.</exception>
    /// <example>
    /// <code>
    /// await foreach (MxBulkResult result in resolver.ResolveManyAsync(File.ReadLines("domains.txt"), cancellationToken: token))
    /// {
    ///     Console.WriteLine($"{result.Index} {result.Input}: {result.Resolution.Status}");
    /// }
    /// </code>
    /// </example>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = OverloadJustification)]
    public static IAsyncEnumerable<MxBulkResult> ResolveManyAsync(
        this IMxResolver resolver, IEnumerable<string> inputs, MxBulkResolutionOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        ArgumentNullException.ThrowIfNull(inputs);
        (int window, bool preserveOrder) = Validate(options);
        return BulkResolution.RunAsync(resolver, FromEnumerable(inputs), window, preserveOrder, cancellationToken);
    }

    /// <summary>Resolves every input of an asynchronous stream, at most <see cref="MxBulkResolutionOptions.MaxConcurrency"/> at a time.</summary>
    /// <param name="resolver">The resolver each input is handed to.</param>
    /// <param name="inputs">
    /// Domains, email addresses or address literals, read one at a time as the window frees up
    /// (with the run's cancellation token: a source that honours it lets a stop be prompt). A
    /// <see langword="null"/> element is misuse: the enumeration throws <see cref="ArgumentException"/>
    /// when it reaches it, after the results of the inputs before it.
    /// </param>
    /// <param name="options">The window and the order; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Stops the run (see the <see cref="IEnumerable{T}"/> overload).</param>
    /// <returns>One <see cref="MxBulkResult"/> per input (see the <see cref="IEnumerable{T}"/> overload).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="resolver"/> or <paramref name="inputs"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="MxBulkResolutionOptions.MaxConcurrency"/> is not between 1 and <see cref="MxBulkResolutionOptions.MaxConcurrencyLimit"/>.</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = OverloadJustification)]
    public static IAsyncEnumerable<MxBulkResult> ResolveManyAsync(
        this IMxResolver resolver, IAsyncEnumerable<string> inputs, MxBulkResolutionOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        ArgumentNullException.ThrowIfNull(inputs);
        (int window, bool preserveOrder) = Validate(options);
        return BulkResolution.RunAsync(resolver, inputs, window, preserveOrder, cancellationToken);
    }

    private static (int Window, bool PreserveOrder) Validate(MxBulkResolutionOptions? options)
    {
        // Read once: the options are the caller's and may change after the call.
        int window = options?.MaxConcurrency ?? MxBulkResolutionOptions.DefaultMaxConcurrency;
        if (window is < 1 or > MxBulkResolutionOptions.MaxConcurrencyLimit)
        {
            throw new ArgumentOutOfRangeException(
                nameof(options),
                window,
                $"MaxConcurrency must be between 1 and {MxBulkResolutionOptions.MaxConcurrencyLimit}.");
        }

        return (window, options?.PreserveOrder ?? false);
    }

    private static async IAsyncEnumerable<string> FromEnumerable(IEnumerable<string> inputs, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // Already on the thread pool (the run reads its inputs there), so a blocking MoveNext
        // (File.ReadLines) holds up no caller; between inputs a stop is noticed.
        await Task.CompletedTask.ConfigureAwait(false);
        foreach (string input in inputs)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return input;
        }
    }
}
