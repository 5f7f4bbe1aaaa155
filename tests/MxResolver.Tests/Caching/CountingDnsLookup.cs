using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Net;
using MxResolver.Dns;
using MxResolver.Lookup;

namespace MxResolver.Tests.Caching;

/// <summary>
/// An in-memory <see cref="IDnsLookup"/> that answers from a function, counts the questions it is
/// asked and, while <see cref="Gate"/> is set, holds every lookup until the gate opens.
/// </summary>
internal sealed class CountingDnsLookup(Func<string, DnsRecordType, DnsAnswer> answer) : IDnsLookup
{
    private readonly ConcurrentDictionary<(string Name, DnsRecordType Type), int> _calls = new();
    private int _total;

    /// <summary>When set, lookups wait for it (bounded by the caller's token) before answering.</summary>
    public TaskCompletionSource? Gate { get; set; }

    /// <summary>Tokens the lookups were given.</summary>
    public ConcurrentBag<CancellationToken> Tokens { get; } = [];

    public int Calls => Volatile.Read(ref _total);

    public int CallsFor(string name, DnsRecordType type) => _calls.TryGetValue((name, type), out int count) ? count : 0;

    public ValueTask<DnsAnswer> LookupAsync(string name, DnsRecordType type, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _total);
        _calls.AddOrUpdate((name, type), 1, static (_, count) => count + 1);
        Tokens.Add(cancellationToken);
        return Gate is { } gate ? WaitThenAnswerAsync(gate.Task, name, type, cancellationToken) : new ValueTask<DnsAnswer>(answer(name, type));
    }

    private async ValueTask<DnsAnswer> WaitThenAnswerAsync(Task gate, string name, DnsRecordType type, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        return answer(name, type);
    }

    public static DnsAnswer Address(string name, DnsRecordType type, uint ttl, params string[] addresses) =>
        new(name, type, DnsAnswerKind.Success) { Addresses = [.. addresses.Select(IPAddress.Parse)], TimeToLive = ttl };

    public static DnsAnswer Mx(string name, uint ttl, params (ushort Preference, string Exchange)[] records) =>
        new(name, DnsRecordType.MX, DnsAnswerKind.Success) { MxRecords = [.. records.Select(r => new MxAnswer(r.Preference, r.Exchange))], TimeToLive = ttl };

    public static DnsAnswer Negative(string name, DnsRecordType type, DnsAnswerKind kind, uint? soaTtl) =>
        new(name, type, kind) { HasSoa = soaTtl is not null, TimeToLive = soaTtl ?? 0 };

    public static DnsAnswer Failure(string name, DnsRecordType type) =>
        DnsAnswer.Failed(name, type, DnsQueryError.ServerFailure, "SERVFAIL from every server");

    public static ImmutableArray<IPAddress> Ips(params string[] addresses) => [.. addresses.Select(IPAddress.Parse)];
}
