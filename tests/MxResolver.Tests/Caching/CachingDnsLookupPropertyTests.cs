using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.Time.Testing;
using MxResolver.Caching;
using MxResolver.Diagnostics;
using MxResolver.Dns;
using MxResolver.Lookup;
using MxResolver.Configuration;

namespace MxResolver.Tests.Caching;

/// <summary>
/// Random sequences of lookups, upstream changes, flushes and clock advances against an
/// independent model of the TTL rules: nothing is served past its lifetime unless it is marked
/// stale within the stale limits, reused TTLs count down exactly, and the bound always holds.
/// </summary>
public sealed class CachingDnsLookupPropertyTests
{
    private static readonly string[] Names = ["n0.test.", "n1.test.", "n2.test.", "n3.test.", "n4.test.", "n5.test."];
    private static readonly DnsRecordType[] Types = [DnsRecordType.MX, DnsRecordType.A, DnsRecordType.AAAA];

    private static readonly TimeSpan[] Advances =
    [
        TimeSpan.FromTicks(1),
        TimeSpan.FromSeconds(1) - TimeSpan.FromTicks(1),
        TimeSpan.FromSeconds(1),
        TimeSpan.FromSeconds(3),
        TimeSpan.FromSeconds(7),
        TimeSpan.FromSeconds(40),
    ];

    private static readonly TimeSpan MinimumTtl = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan MaximumTtl = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan NegativeMinimumTtl = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan NegativeMaximumTtl = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan FailureTtl = TimeSpan.FromSeconds(4);
    private static readonly TimeSpan MaxStaleAge = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan StaleAnswerTtl = TimeSpan.FromSeconds(3);

    private enum Mode
    {
        SuccessTtl0,
        SuccessTtl1,
        SuccessTtl5,
        SuccessTtlHuge,
        NoDataSoa4,
        NxDomainSoa50,
        NoDataNoSoa,
        NxDomainSoa0,
        Failure,
        AliasLoop,
    }

    [Property(Replay = "(20261126,1311)", MaxTest = 400)]
    public Property LookupAsync_AnySequence_NeverServesPastLifetimeUnlessStaleAndStaysBounded()
    {
        // R24 R25 R26 R27 R28
        Gen<int[]> operations = Gen.ArrayOf(Gen.Choose(0, int.MaxValue));
        Gen<(bool ServeStale, int MaxEntries, bool NoSoaFloor)> settings =
            Gen.Zip(Gen.Elements(true, false), Gen.Zip(Gen.Choose(1, 8), Gen.Elements(true, false)))
                .Select(t => (t.Item1, t.Item2.Item1, t.Item2.Item2));
        return Prop.ForAll(operations.ToArbitrary(), settings.ToArbitrary(), (ops, s) => Run(ops, s.ServeStale, s.MaxEntries, s.NoSoaFloor));
    }

    private static bool Run(int[] operations, bool serveStale, int maxEntries, bool noSoaFloor)
    {
        var options = new MxCacheOptions
        {
            MaxEntries = maxEntries,
            MinimumTtl = MinimumTtl,
            MaximumTtl = MaximumTtl,
            NegativeMinimumTtl = NegativeMinimumTtl,
            NegativeMaximumTtl = NegativeMaximumTtl,
            NegativeTtlWithoutSoa = noSoaFloor ? TimeSpan.FromSeconds(3) : TimeSpan.Zero,
            FailureTtl = FailureTtl,
            ServeStale = serveStale,
            MaxStaleAge = MaxStaleAge,
            StaleAnswerTtl = StaleAnswerTtl,
        };
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var modes = new Mode[Names.Length];
        Array.Fill(modes, Mode.SuccessTtl5);
        var issued = new List<Issue>();
        var inner = new CountingDnsLookup((name, type) =>
        {
            Mode mode = modes[Array.IndexOf(Names, name)];
            DnsAnswer answer = Answer(name, type, mode) with { CanonicalName = $"c{issued.Count}." };
            issued.Add(new Issue(time.GetUtcNow(), Lifetime(mode, options), answer.Kind));
            return answer;
        });
        using var telemetry = new MxResolverTelemetry();
        var cache = new CachingDnsLookup(inner, options, time, telemetry);

        foreach (int op in operations)
        {
            int kind = op % 10;
            int name = (op / 10) % Names.Length;
            if (kind <= 5)
            {
                int callsBefore = inner.Calls;
                ValueTask<DnsAnswer> pending = cache.LookupAsync(Names[name], Types[(op / 60) % Types.Length], CancellationToken.None);
                if (!pending.IsCompletedSuccessfully || !Holds(pending.Result, inner.Calls > callsBefore, issued, time.GetUtcNow(), options))
                {
                    return false;
                }
            }
            else if (kind <= 7)
            {
                time.Advance(Advances[(op / 10) % Advances.Length]);
            }
            else if (kind == 8)
            {
                modes[name] = (Mode)((op / 60) % 10);
            }
            else if ((op / 10) % 10 == 0)
            {
                cache.Clear();
            }
            else
            {
                cache.Remove(Names[name]);
            }

            if (cache.Count > maxEntries)
            {
                return false;
            }
        }

        return true;
    }

    private static bool Holds(DnsAnswer answer, bool askedUpstream, List<Issue> issued, DateTimeOffset now, MxCacheOptions options)
    {
        int id = int.Parse(answer.CanonicalName.AsSpan(1, answer.CanonicalName.Length - 2), CultureInfo.InvariantCulture);
        Issue issue = issued[id];
        DateTimeOffset expiry = issue.At + issue.Lifetime;
        bool failure = issue.Kind is DnsAnswerKind.Failure or DnsAnswerKind.AliasLoop;

        if (answer.IsStale)
        {
            // R28: only positive answers, only when enabled, only within the stale limit, short TTL.
            return options.ServeStale
                && issue.Kind == DnsAnswerKind.Success
                && issue.Lifetime > TimeSpan.Zero
                && now >= expiry
                && now < expiry + options.MaxStaleAge
                && answer.TimeToLive <= options.StaleAnswerTtl.TotalSeconds;
        }

        if (askedUpstream && id == issued.Count - 1)
        {
            // Fresh from the servers: the TTL reported is the lifetime the rules give it.
            return answer.Kind == issue.Kind && (failure || answer.TimeToLive == (uint)issue.Lifetime.TotalSeconds);
        }

        // Served from the cache: strictly before expiry, with the remaining whole seconds.
        return issue.Lifetime > TimeSpan.Zero
            && now < expiry
            && answer.Kind == issue.Kind
            && (failure || answer.TimeToLive == (uint)Math.Floor((expiry - now).TotalSeconds));
    }

    private static DnsAnswer Answer(string name, DnsRecordType type, Mode mode) => mode switch
    {
        Mode.SuccessTtl0 => CountingDnsLookup.Address(name, type, 0, "192.0.2.1"),
        Mode.SuccessTtl1 => CountingDnsLookup.Address(name, type, 1, "192.0.2.1"),
        Mode.SuccessTtl5 => CountingDnsLookup.Address(name, type, 5, "192.0.2.1"),
        Mode.SuccessTtlHuge => CountingDnsLookup.Address(name, type, 100_000, "192.0.2.1"),
        Mode.NoDataSoa4 => CountingDnsLookup.Negative(name, type, DnsAnswerKind.NoData, 4),
        Mode.NxDomainSoa50 => CountingDnsLookup.Negative(name, type, DnsAnswerKind.NxDomain, 50),
        Mode.NoDataNoSoa => CountingDnsLookup.Negative(name, type, DnsAnswerKind.NoData, null),
        Mode.NxDomainSoa0 => CountingDnsLookup.Negative(name, type, DnsAnswerKind.NxDomain, 0),
        Mode.Failure => CountingDnsLookup.Failure(name, type),
        _ => new DnsAnswer(name, type, DnsAnswerKind.AliasLoop),
    };

    /// <summary>The model: how long the rules allow each upstream answer to be reused.</summary>
    private static TimeSpan Lifetime(Mode mode, MxCacheOptions options) => mode switch
    {
        Mode.SuccessTtl0 => TimeSpan.Zero, // R24
        Mode.SuccessTtl1 => MinimumTtl, // R24: raised to the minimum
        Mode.SuccessTtl5 => TimeSpan.FromSeconds(5),
        Mode.SuccessTtlHuge => MaximumTtl, // R24: lowered to the maximum
        Mode.NoDataSoa4 => TimeSpan.FromSeconds(4), // R25
        Mode.NxDomainSoa50 => NegativeMaximumTtl, // R25
        Mode.NoDataNoSoa => options.NegativeTtlWithoutSoa, // R25
        Mode.NxDomainSoa0 => TimeSpan.Zero, // R25
        _ => FailureTtl, // R26
    };

    private sealed record Issue(DateTimeOffset At, TimeSpan Lifetime, DnsAnswerKind Kind);
}
