using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Net;
using MxResolver.Dns;
using MxResolver.Lookup;

namespace MxResolver.Tests.Resolution;

/// <summary>
/// An in-memory <see cref="IDnsLookup"/>: answers are registered per (name, type); every call is
/// recorded, and so is the highest number of calls in flight at once. Names are given without
/// the trailing dot; lookups must use the absolute form (R1), anything else is recorded and fails.
/// A (name, type) never registered answers NODATA when the name has other records, NXDOMAIN otherwise.
/// </summary>
internal sealed class FakeDnsLookup : IDnsLookup
{
    /// <summary>The bound on every wait inside the fake: a stuck test fails instead of hanging.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<(string Name, DnsRecordType Type), Func<CancellationToken, Task<DnsAnswer>>> _answers = new();
    private readonly ConcurrentQueue<(string Name, DnsRecordType Type)> _calls = new();
    private readonly object _gate = new();
    private int _inFlight;
    private int _maxInFlight;
    private AddressBarrier? _barrier;

    public uint Ttl { get; set; } = 300;

    /// <summary>Every question asked, in order, names as asked (absolute).</summary>
    public IReadOnlyList<(string Name, DnsRecordType Type)> Calls => _calls.ToArray();

    /// <summary>The most lookups that were in flight at the same time.</summary>
    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    public int CountCalls(DnsRecordType type) => _calls.Count(call => call.Type == type);

    public FakeDnsLookup Mx(string name, params (ushort Preference, string Exchange)[] records)
    {
        MxAnswer[] answers = records.Select(r => new MxAnswer(r.Preference, r.Exchange == "." ? "." : r.Exchange + ".")).ToArray();
        return Set(name, DnsRecordType.MX, new DnsAnswer(Absolute(name), DnsRecordType.MX, DnsAnswerKind.Success)
        {
            MxRecords = [.. answers],
            TimeToLive = Ttl,
        });
    }

    /// <summary>A and/or AAAA records of <paramref name="name"/>, by the family of each address.</summary>
    public FakeDnsLookup Host(string name, params string[] addresses) => AliasedHost(name, name, addresses);

    /// <summary>
    /// <paramref name="alias"/> is a CNAME for <paramref name="canonical"/>, which has
    /// <paramref name="addresses"/> (the lookup layer follows the chain and reports it).
    /// </summary>
    public FakeDnsLookup AliasedHost(string alias, string canonical, params string[] addresses)
    {
        IPAddress[] parsed = addresses.Select(IPAddress.Parse).ToArray();
        IPAddress[] v4 = parsed.Where(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork).ToArray();
        IPAddress[] v6 = parsed.Where(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6).ToArray();
        ImmutableArray<string> aliases = alias == canonical ? [] : [Absolute(alias)];
        foreach ((DnsRecordType type, IPAddress[] list) in new[] { (DnsRecordType.A, v4), (DnsRecordType.AAAA, v6) })
        {
            var answer = new DnsAnswer(Absolute(alias), type, list.Length > 0 ? DnsAnswerKind.Success : DnsAnswerKind.NoData)
            {
                CanonicalName = Absolute(canonical),
                Aliases = aliases,
                Addresses = [.. list],
                TimeToLive = Ttl,
                HasSoa = list.Length == 0,
            };
            Set(alias, type, answer);
        }

        return this;
    }

    /// <summary><paramref name="name"/> is a CNAME for <paramref name="canonical"/>, whose MX set is <paramref name="records"/>.</summary>
    public FakeDnsLookup AliasedMx(string name, string canonical, params (ushort Preference, string Exchange)[] records)
    {
        MxAnswer[] answers = records.Select(r => new MxAnswer(r.Preference, r.Exchange + ".")).ToArray();
        return Set(name, DnsRecordType.MX, new DnsAnswer(Absolute(name), DnsRecordType.MX, DnsAnswerKind.Success)
        {
            CanonicalName = Absolute(canonical),
            Aliases = [Absolute(name)],
            MxRecords = [.. answers],
            TimeToLive = Ttl,
        });
    }

    public FakeDnsLookup NxDomain(string name, DnsRecordType type, uint ttl = 300)
        => Set(name, type, new DnsAnswer(Absolute(name), type, DnsAnswerKind.NxDomain) { TimeToLive = ttl, HasSoa = true });

    public FakeDnsLookup NoData(string name, DnsRecordType type, uint ttl = 300)
        => Set(name, type, new DnsAnswer(Absolute(name), type, DnsAnswerKind.NoData) { TimeToLive = ttl, HasSoa = true });

    public FakeDnsLookup Fail(string name, DnsRecordType type, DnsQueryError error = DnsQueryError.ServerFailure)
        => Set(name, type, DnsAnswer.Failed(Absolute(name), type, error, $"{error} for {name}/{type}"));

    public FakeDnsLookup AliasLoop(string name, DnsRecordType type)
        => Set(name, type, new DnsAnswer(Absolute(name), type, DnsAnswerKind.AliasLoop) { ErrorMessage = $"The CNAME chain from {name} loops." });

    /// <summary>Marks the registered answer of (<paramref name="name"/>, <paramref name="type"/>) as served stale (RFC 8767).</summary>
    public FakeDnsLookup Stale(string name, DnsRecordType type)
    {
        Func<CancellationToken, Task<DnsAnswer>> fresh = _answers[(Absolute(name), type)];
        _answers[(Absolute(name), type)] = async token => (await fresh(token)) with { IsStale = true };
        return this;
    }

    /// <summary>Marks the registered answers of <paramref name="name"/> for <paramref name="types"/> DNSSEC-secure.</summary>
    public FakeDnsLookup Secure(string name, params DnsRecordType[] types)
    {
        foreach (DnsRecordType type in types)
        {
            Func<CancellationToken, Task<DnsAnswer>> insecure = _answers[(Absolute(name), type)];
            _answers[(Absolute(name), type)] = async token => (await insecure(token)) with { IsSecure = true };
        }

        return this;
    }

    /// <summary>The lookup never answers; only cancellation ends it.</summary>
    public FakeDnsLookup Hang(string name, DnsRecordType type)
    {
        _answers[(Absolute(name), type)] = async token =>
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, token);
            throw new InvalidOperationException("unreachable");
        };
        return this;
    }

    /// <summary>
    /// Makes every A/AAAA lookup wait until <paramref name="participants"/> of them are in flight
    /// at once (bounded by <see cref="MaxWait"/>, after which the waiting lookups throw
    /// <see cref="TimeoutException"/>): it proves the lookups are concurrent (R15).
    /// </summary>
    public FakeDnsLookup RequireConcurrentAddressLookups(int participants)
    {
        _barrier = new AddressBarrier(participants);
        return this;
    }

    public async ValueTask<DnsAnswer> LookupAsync(string name, DnsRecordType type, CancellationToken cancellationToken)
    {
        _calls.Enqueue((name, type));
        lock (_gate)
        {
            _inFlight++;
            _maxInFlight = Math.Max(_maxInFlight, _inFlight);
        }

        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_barrier is { } barrier && type is DnsRecordType.A or DnsRecordType.AAAA)
            {
                await barrier.ArriveAndWaitAsync(cancellationToken);
            }

            if (!name.EndsWith('.'))
            {
                // R1: a relative name would be completed by a search list; the resolver must never ask one.
                return DnsAnswer.Failed(name, type, DnsQueryError.Refused, $"relative name {name} asked");
            }

            if (_answers.TryGetValue((name, type), out Func<CancellationToken, Task<DnsAnswer>>? answer))
            {
                return await answer(cancellationToken);
            }

            bool exists = _answers.Keys.Any(key => key.Name == name);
            return new DnsAnswer(name, type, exists ? DnsAnswerKind.NoData : DnsAnswerKind.NxDomain) { TimeToLive = Ttl, HasSoa = true };
        }
        finally
        {
            lock (_gate)
            {
                _inFlight--;
            }
        }
    }

    private static string Absolute(string name) => name.EndsWith('.') ? name : name + ".";

    private FakeDnsLookup Set(string name, DnsRecordType type, DnsAnswer answer)
    {
        _answers[(Absolute(name), type)] = _ => Task.FromResult(answer);
        return this;
    }

    private sealed class AddressBarrier(int participants)
    {
        private readonly TaskCompletionSource _allArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _arrived;

        public async Task ArriveAndWaitAsync(CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _arrived) >= participants)
            {
                _allArrived.TrySetResult();
            }

            await _allArrived.Task.WaitAsync(MaxWait, cancellationToken);
        }
    }
}
