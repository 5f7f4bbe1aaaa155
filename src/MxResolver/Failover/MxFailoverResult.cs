using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace MxResolver;

/// <summary>
/// The result of <see cref="IMxConnector.ConnectAsync"/> (<typeparamref name="T"/> is
/// <see cref="MxConnection"/>) or <see cref="IMxConnector.ExecuteAsync{T}"/>: which target and
/// address accepted, or why none did, and the log of every attempt. Immutable.
/// </summary>
/// <remarks>
/// A class with reference equality, not a record: it may own a live connection
/// (<see cref="Value"/>) and records the timing of one call, so two results are never "the same
/// value". Compare <see cref="Status"/>, <see cref="Target"/>, <see cref="Address"/> and
/// <see cref="Attempts"/> when needed. Rule numbers (R20–R23) refer to <c>docs/behaviour.md</c> of
/// the repository.
/// </remarks>
/// <typeparam name="T">The value produced by the attempt that succeeded.</typeparam>
public sealed class MxFailoverResult<T>
{
    internal MxFailoverResult(
        MxFailoverStatus status,
        MxResolution resolution,
        IReadOnlyList<MxAttempt> attempts,
        TimeSpan elapsed,
        string? error,
        T? value = default,
        MxTarget? target = null,
        IPAddress? address = null)
    {
        Status = status;
        Resolution = resolution;
        Attempts = attempts;
        Elapsed = elapsed;
        Error = error;
        Value = value;
        Target = target;
        Address = address;
    }

    /// <summary>The outcome.</summary>
    public MxFailoverStatus Status { get; }

    /// <summary>Whether an address accepted: <see cref="Value"/>, <see cref="Target"/> and <see cref="Address"/> are set.</summary>
    [MemberNotNullWhen(true, nameof(Value), nameof(Target), nameof(Address))]
    public bool IsSuccess => Status == MxFailoverStatus.Succeeded;

    /// <summary>
    /// Whether the failure is temporary: the resolution failed temporarily, or every attempt failed
    /// (R23). Queue the message and retry later (RFC 5321 §4.5.4.1).
    /// </summary>
    public bool IsTemporaryFailure => Status == MxFailoverStatus.AllAttemptsFailed || (Status == MxFailoverStatus.ResolutionFailed && Resolution.IsTemporaryFailure);

    /// <summary>Whether the failure is permanent (the resolution said so, e.g. a null MX): bounce the message.</summary>
    public bool IsPermanentFailure => Status == MxFailoverStatus.ResolutionFailed && Resolution.IsPermanentFailure;

    /// <summary>
    /// The RFC 3463 enhanced status code of a failure: the resolution's
    /// (<see cref="MxResolution.EnhancedStatusCode"/>) when it failed, 4.4.1 ("no answer from host")
    /// when every attempt failed; <see langword="null"/> on success.
    /// </summary>
    public string? EnhancedStatusCode => Status switch
    {
        MxFailoverStatus.ResolutionFailed => Resolution.EnhancedStatusCode,
        MxFailoverStatus.AllAttemptsFailed => "4.4.1",
        _ => null,
    };

    /// <summary>The resolution the attempts followed.</summary>
    public MxResolution Resolution { get; }

    /// <summary>
    /// The connection (<see cref="IMxConnector.ConnectAsync"/>, owned by the caller) or the
    /// operation's result (<see cref="IMxConnector.ExecuteAsync{T}"/>); <see langword="default"/> on failure.
    /// </summary>
    public T? Value { get; }

    /// <summary>The target that accepted; <see langword="null"/> on failure.</summary>
    public MxTarget? Target { get; }

    /// <summary>The address that accepted; <see langword="null"/> on failure.</summary>
    public IPAddress? Address { get; }

    /// <summary>Every attempt in the order they started, the successful one included; empty when the resolution failed.</summary>
    public IReadOnlyList<MxAttempt> Attempts { get; }

    /// <summary>The time the whole call took, resolution included.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>A human-readable description of a failure; <see langword="null"/> on success.</summary>
    public string? Error { get; }
}
