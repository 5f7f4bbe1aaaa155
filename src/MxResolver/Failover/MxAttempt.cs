using System.Net;

namespace MxResolver;

/// <summary>One attempt on one address of one target, as recorded in <see cref="MxFailoverResult{T}.Attempts"/>.</summary>
/// <remarks>Equal, by value, to another attempt with equal members (the address by <see cref="IPAddress.Equals(object?)"/>).</remarks>
/// <param name="Host">The target's host name (<see cref="MxTarget.Host"/>).</param>
/// <param name="Preference">The target's MX preference.</param>
/// <param name="Address">The address tried.</param>
/// <param name="Port">The TCP port tried.</param>
/// <param name="Outcome">How the attempt ended.</param>
/// <param name="StartedAfter">When the attempt started, measured from the start of the call.</param>
/// <param name="Elapsed">How long the attempt took.</param>
/// <param name="Error">What went wrong, in words (the socket error, the greeting, the exception message); <see langword="null"/> on success.</param>
public sealed record MxAttempt(
    string Host,
    ushort Preference,
    IPAddress Address,
    int Port,
    MxAttemptOutcome Outcome,
    TimeSpan StartedAfter,
    TimeSpan Elapsed,
    string? Error)
{
    /// <summary>A one-line form: host, preference, address, outcome, time and error.</summary>
    public override string ToString()
        => $"{Host} (preference {Preference}) {new IPEndPoint(Address, Port)}: {Outcome} after {Elapsed.TotalMilliseconds:0} ms{(Error is null ? string.Empty : $": {Error}")}";
}
