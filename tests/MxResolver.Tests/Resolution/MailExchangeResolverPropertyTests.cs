using System.Net;
using FsCheck.Xunit;
using MxResolver.Resolution;

namespace MxResolver.Tests.Resolution;

/// <summary>FsCheck properties of target selection (R11–R14, R18), with a fixed replay seed.</summary>
public class MailExchangeResolverPropertyTests
{
    // A local constant (a shared property configuration may arrive with the codec branch).
    private const string Replay = "(2026112601,1297)";
    private const int MaxTest = 200;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly MxResolverOptions Unlimited = new() { MaxTargets = 1000, MaxAddresses = 1000, MaxAddressesPerTarget = 1000 };

    private static (string Host, ushort Preference)[] Exchanges(byte[] seeds)
        => seeds.Take(12).Select((seed, i) => ($"mx{i}.prop.example", (ushort)(seed % 4 * 10))).ToArray();

    private static FakeDnsLookup Zone((string Host, ushort Preference)[] exchanges)
    {
        var dns = new FakeDnsLookup().Mx("prop.example", [.. exchanges.Select(e => (e.Preference, e.Host))]);
        for (int i = 0; i < exchanges.Length; i++)
        {
            dns.Host(exchanges[i].Host, $"192.0.2.{i + 1}");
        }

        return dns;
    }

    [Property(Replay = Replay, MaxTest = MaxTest)]
    public async Task<bool> ResolveAsync_AnyMxSet_TargetsAreAPreferenceSortedPermutation(byte[] seeds, int seed)
    {
        // R11 R12: a permutation of the usable exchanges, sorted by preference, every
        // equal-preference group keeping exactly its members.
        var exchanges = Exchanges(seeds);
        if (exchanges.Length == 0)
        {
            return true;
        }

        var resolver = MailExchangeResolverTests.Create(Zone(exchanges), Unlimited, new Random(seed));
        MxResolution result = await resolver.ResolveAsync("prop.example", Ct);

        ushort[] preferences = result.Targets.Select(t => t.Preference).ToArray();
        bool sorted = preferences.Zip(preferences.Skip(1)).All(pair => pair.First <= pair.Second);
        bool permutation = result.Targets.Select(t => t.Host).Order().SequenceEqual(exchanges.Select(e => e.Host).Order());
        bool groupsKept = exchanges.GroupBy(e => e.Preference).All(group =>
            result.Targets.Where(t => t.Preference == group.Key).Select(t => t.Host).Order().SequenceEqual(group.Select(e => e.Host).Order()));
        return result.Status == MxResolutionStatus.Success && sorted && permutation && groupsKept;
    }

    [Property(Replay = Replay, MaxTest = MaxTest)]
    public async Task<bool> ResolveAsync_RepeatedExchangesAndSharedAddresses_NothingAppearsTwice(byte[] entries, int seed)
    {
        // R13: exchanges listed repeatedly, addresses shared between exchanges and between
        // families (an IPv4-mapped AAAA is the same host as its A record).
        if (entries.Length == 0)
        {
            return true;
        }

        var records = entries.Take(16).Select(b => ((ushort)(b / 5 % 3 * 10), $"mx{b % 5}.prop.example")).ToArray();
        var dns = new FakeDnsLookup().Mx("prop.example", records);
        for (int h = 0; h < 5; h++)
        {
            dns.Host($"mx{h}.prop.example", $"192.0.2.{(h % 3) + 1}", $"192.0.2.{h + 10}", $"::ffff:192.0.2.{(h % 2) + 1}");
        }

        MxResolution result = await MailExchangeResolverTests.Create(dns, Unlimited, new Random(seed)).ResolveAsync("prop.example", Ct);

        IPAddress[] addresses = result.Targets.SelectMany(t => t.Addresses).Select(AddressClassifier.Normalize).ToArray();
        string[] hosts = result.Targets.Select(t => t.Host).ToArray();
        bool bestPreferenceKept = result.Targets.All(t => t.Preference == records.Where(r => r.Item2 == t.Host).Min(r => r.Item1));
        return hosts.Distinct().Count() == hosts.Length && addresses.Distinct().Count() == addresses.Length && bestPreferenceKept;
    }

    [Property(Replay = Replay, MaxTest = MaxTest)]
    public async Task<bool> ResolveAsync_BlockedAddressInAnyWrapping_NeverATargetAddress(byte category, byte b1, byte b2, byte b3, byte wrapping)
    {
        // R18: whatever the wrapping (plain, IPv4-mapped, NAT64), a blocked address never gets through.
        byte[] v4 = (category % 5) switch
        {
            0 => [0, b1, b2, b3],
            1 => [127, b1, b2, b3],
            2 => [169, 254, b2, b3],
            3 => [(byte)(224 + (b1 % 16)), b1, b2, b3],
            _ => [255, 255, 255, 255],
        };
        byte[] v6 = new byte[16];
        string kind;
        switch (wrapping % 4)
        {
            case 0:
                kind = "plain";
                break;
            case 1:
                kind = "IPv4-mapped";
                v6[10] = 0xFF;
                v6[11] = 0xFF;
                v4.CopyTo(v6, 12);
                break;
            case 2:
                kind = "NAT64";
                v6[1] = 0x64;
                v6[2] = 0xFF;
                v6[3] = 0x9B;
                v4.CopyTo(v6, 12);
                break;
            default:
                // Native IPv6 blocked ranges: link-local fe80::/10 and multicast ff00::/8.
                kind = "IPv6";
                v6[0] = (byte)(b1 % 2 == 0 ? 0xFE : 0xFF);
                v6[1] = (byte)(b1 % 2 == 0 ? 0x80 | (b2 & 0x3F) : b2);
                v6[15] = b3;
                break;
        }

        var blocked = new IPAddress(kind == "plain" ? v4 : v6);
        var dns = new FakeDnsLookup().Mx("prop.example", (10, "mx.prop.example")).Host("mx.prop.example", blocked.ToString(), "192.0.2.1");

        MxResolution result = await MailExchangeResolverTests.Create(dns).ResolveAsync("prop.example", Ct);

        return result.Targets.SelectMany(t => t.Addresses).SequenceEqual([IPAddress.Parse("192.0.2.1")])
            && result.DroppedAddresses.Any(d => d.Address.Equals(blocked) && d.Reason == AddressDropReason.Blocked && d.Category != AddressCategories.None);
    }

    [Property(Replay = Replay, MaxTest = MaxTest)]
    public async Task<bool> ResolveAsync_LocalExchange_NoTargetAtOrAboveItsPreference(byte[] seeds, byte localIndex, bool byAddress, int seed)
    {
        // R14
        var exchanges = Exchanges(seeds);
        if (exchanges.Length == 0)
        {
            return true;
        }

        int local = localIndex % exchanges.Length;
        ushort localPreference = exchanges[local].Preference;
        var options = new MxResolverOptions { MaxTargets = 1000, MaxAddresses = 1000 };
        if (byAddress)
        {
            options.LocalAddresses.Add($"192.0.2.{local + 1}");
        }
        else
        {
            options.LocalHostNames.Add(exchanges[local].Host);
        }

        MxResolution result = await MailExchangeResolverTests.Create(Zone(exchanges), options, new Random(seed)).ResolveAsync("prop.example", Ct);

        bool noneAtOrAbove = result.Targets.All(t => t.Preference < localPreference);
        bool betterKept = result.Targets.Count == exchanges.Count(e => e.Preference < localPreference);
        bool loopsWhenBest = (localPreference == exchanges.Min(e => e.Preference)) == (result.Status == MxResolutionStatus.LoopsToSelf);
        return noneAtOrAbove && betterKept && loopsWhenBest;
    }
}
