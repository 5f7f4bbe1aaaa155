using System.Net;

namespace MxResolver.Failover;

/// <summary>
/// Which addresses failed recently (R22), shared by every call of one connector. An address that
/// failed is unhealthy for a back-off that doubles with each consecutive failure, up to a maximum;
/// a success forgets it. Bounded: when full, the address whose state changed longest ago is
/// forgotten (a forgotten address is simply healthy again, which costs at most one more attempt).
/// Thread-safe.
/// </summary>
internal sealed class HostHealthTable
{
    private readonly object _gate = new();
    private readonly Dictionary<IPAddress, LinkedListNode<Entry>> _entries = [];
    private readonly LinkedList<Entry> _byAge = new(); // least recently changed first
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _backoff;
    private readonly TimeSpan _maxBackoff;
    private readonly int _capacity;

    public HostHealthTable(TimeProvider timeProvider, TimeSpan backoff, TimeSpan maxBackoff, int capacity)
    {
        _timeProvider = timeProvider;
        _backoff = backoff;
        _maxBackoff = maxBackoff;
        _capacity = capacity;
    }

    /// <summary>How many addresses are remembered.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Whether <paramref name="address"/> failed and its back-off has not ended.</summary>
    public bool IsUnhealthy(IPAddress address)
    {
        DateTimeOffset now = _timeProvider.GetUtcNow();
        lock (_gate)
        {
            return _entries.TryGetValue(address, out LinkedListNode<Entry>? node) && now < node.Value.RetryAt;
        }
    }

    /// <summary>Records a failure of <paramref name="address"/>.</summary>
    /// <returns>The back-off now in force and the number of consecutive failures; the back-off is zero when health is off.</returns>
    public (TimeSpan Backoff, int Failures) ReportFailure(IPAddress address)
    {
        if (_capacity == 0)
        {
            return (TimeSpan.Zero, 0);
        }

        DateTimeOffset now = _timeProvider.GetUtcNow();
        lock (_gate)
        {
            int failures = 1;
            if (_entries.Remove(address, out LinkedListNode<Entry>? old))
            {
                failures = old.Value.Failures + 1;
                _byAge.Remove(old);
            }

            TimeSpan backoff = Backoff(failures);
            _entries[address] = _byAge.AddLast(new Entry(address, failures, now + backoff));
            while (_entries.Count > _capacity)
            {
                LinkedListNode<Entry> oldest = _byAge.First!;
                _byAge.RemoveFirst();
                _entries.Remove(oldest.Value.Address);
            }

            return (backoff, failures);
        }
    }

    /// <summary>Forgets <paramref name="address"/>: it answered.</summary>
    public void ReportSuccess(IPAddress address)
    {
        lock (_gate)
        {
            if (_entries.Remove(address, out LinkedListNode<Entry>? node))
            {
                _byAge.Remove(node);
            }
        }
    }

    private TimeSpan Backoff(int failures)
    {
        // Doubling from the first back-off; past 2^30 the product would overflow, and the cap is long reached.
        if (failures > 31)
        {
            return _maxBackoff;
        }

        double ticks = _backoff.Ticks * Math.Pow(2, failures - 1);
        return ticks >= _maxBackoff.Ticks ? _maxBackoff : TimeSpan.FromTicks((long)ticks);
    }

    private sealed record Entry(IPAddress Address, int Failures, DateTimeOffset RetryAt);
}
