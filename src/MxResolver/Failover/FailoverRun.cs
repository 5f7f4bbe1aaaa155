using System.Diagnostics;
using System.Net;
using MxResolver.Input;

namespace MxResolver.Failover;

/// <summary>One attempt while it runs, turned into an <see cref="MxAttempt"/> when it ends.</summary>
internal sealed class AttemptRecord
{
    public required int Number { get; init; }

    public required MxTarget Target { get; init; }

    public required IPAddress Address { get; init; }

    public required int Port { get; init; }

    public required long StartTimestamp { get; init; }

    public required TimeSpan StartedAfter { get; init; }

    public Activity? Activity { get; init; }

    public IPEndPoint EndPoint => new(Address, Port);

    public MxAttempt? Result { get; set; }
}

/// <summary>
/// The state of one connector call: the caller's token, the overall deadline (R20) and the attempts
/// in the order they started.
/// </summary>
internal sealed class FailoverRun : IDisposable
{
    private readonly CancellationTokenSource? _deadline;
    private readonly CancellationTokenSource _linked;
    private readonly List<AttemptRecord> _records = [];
    private readonly TimeProvider _timeProvider;
    private readonly int _maxAttempts;

    public FailoverRun(string input, int port, FailoverSettings settings, TimeProvider timeProvider, CancellationToken callerToken)
    {
        Input = input;
        Subject = SubjectOf(input);
        Port = port;
        _timeProvider = timeProvider;
        _maxAttempts = settings.MaxAttempts;
        CallerToken = callerToken;
        StartTimestamp = timeProvider.GetTimestamp();
        _deadline = settings.OverallTimeout == Timeout.InfiniteTimeSpan ? null : new CancellationTokenSource(settings.OverallTimeout, timeProvider);
        _linked = CancellationTokenSource.CreateLinkedTokenSource(callerToken, _deadline?.Token ?? CancellationToken.None);
    }

    /// <summary>The caller's string, passed to the resolver and to nothing else: it may be an email address.</summary>
    public string Input { get; }

    /// <summary>
    /// What logs and error texts call the run: the ASCII domain, the address literal, or
    /// <c>(invalid input)</c>. Never the input itself, whose local part is personal data.
    /// </summary>
    public string Subject { get; }

    public int Port { get; }

    public long StartTimestamp { get; }

    public CancellationToken CallerToken { get; }

    /// <summary>Fires at the caller's cancellation or the overall deadline.</summary>
    public CancellationToken Token => _linked.Token;

    /// <summary>Whether the overall deadline, not the caller, ended the call.</summary>
    public bool DeadlinePassed => _deadline?.IsCancellationRequested == true && !CallerToken.IsCancellationRequested;

    /// <summary>Whether another attempt may start: under the cap and before the deadline.</summary>
    public bool CanStart => _records.Count < _maxAttempts && !Token.IsCancellationRequested;

    /// <summary>Whether the attempt cap stopped the call.</summary>
    public bool ReachedMaxAttempts => _records.Count >= _maxAttempts;

    /// <summary>A failed attempt has not yet been followed by another (for the failover counter).</summary>
    public bool FailoverPending { get; set; }

    public TimeSpan Elapsed => _timeProvider.GetElapsedTime(StartTimestamp);

    public int AttemptCount => _records.Count;

    public AttemptRecord Start(MxTarget target, IPAddress address, Activity? activity)
    {
        long now = _timeProvider.GetTimestamp();
        var record = new AttemptRecord
        {
            Number = _records.Count + 1,
            Target = target,
            Address = address,
            Port = Port,
            StartTimestamp = now,
            StartedAfter = _timeProvider.GetElapsedTime(StartTimestamp, now),
            Activity = activity,
        };
        _records.Add(record);
        return record;
    }

    public TimeSpan ElapsedSince(long timestamp) => _timeProvider.GetElapsedTime(timestamp);

    /// <summary>The attempts in the order they started; every one has ended by the time a result is built.</summary>
    public IReadOnlyList<MxAttempt> Attempts() => _records.Select(record => record.Result!).ToArray();

    private static string SubjectOf(string input)
    {
        MxInput parsed = MxInputParser.Parse(input);
        return parsed.Kind switch
        {
            MxInputKind.Domain => parsed.AsciiDomain!,
            MxInputKind.AddressLiteral => parsed.LiteralText!,
            _ => "(invalid input)",
        };
    }

    public void Dispose()
    {
        _linked.Dispose();
        _deadline?.Dispose();
    }
}
