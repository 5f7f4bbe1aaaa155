using System.Net;
using MxResolver.Policy;

namespace MxResolver.Tests.Policy;

/// <summary>Answers the policy questions from dictionaries and records what was asked.</summary>
internal sealed class ScriptedPolicyLookups : IPolicyLookups
{
    public Dictionary<string, TxtLookup> Txt { get; } = new(StringComparer.OrdinalIgnoreCase);

    public Dictionary<string, TlsaLookup> Tlsa { get; } = new(StringComparer.OrdinalIgnoreCase);

    public List<string> TxtAsked { get; } = [];

    /// <summary>The TTL of the answers given when nothing is scripted (0 keeps nothing in a cache).</summary>
    public uint DefaultTtl { get; set; }

    public List<string> TlsaAsked { get; } = [];

    public TaskCompletionSource TxtAskedSignal { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ValueTask<TxtLookup> LookupTxtAsync(string name, CancellationToken cancellationToken)
    {
        lock (TxtAsked)
        {
            TxtAsked.Add(name);
        }

        TxtAskedSignal.TrySetResult();
        return new(Txt.TryGetValue(name, out TxtLookup found) ? found : new TxtLookup(TxtLookupKind.None, [], TimeToLive: DefaultTtl));
    }

    public ValueTask<TlsaLookup> LookupTlsaAsync(string host, int port, CancellationToken cancellationToken)
    {
        lock (TlsaAsked)
        {
            TlsaAsked.Add($"{host}:{port}");
        }

        return new(Tlsa.TryGetValue(host, out TlsaLookup found) ? found : TlsaLookup.None with { TimeToLive = DefaultTtl });
    }

    public ValueTask<IReadOnlyList<IPAddress>> LookupAddressesAsync(string host, CancellationToken cancellationToken)
        => new([IPAddress.Loopback]);
}
