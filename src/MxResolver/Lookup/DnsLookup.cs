using System.Collections.Immutable;
using MxResolver.Dns;

namespace MxResolver.Lookup;

/// <summary>
/// Answers questions over the network with a <see cref="DnsStubClient"/>, reducing each final
/// reply in place to a <see cref="DnsAnswer"/> (no materialized response).
/// </summary>
/// <remarks>
/// A recursive resolver normally answers an alias with the whole chain and the canonical name's
/// records (RFC 1034 §4.3.2). When it stops short — the reply ends at a canonical name with no
/// records of the type and no SOA — the canonical name is asked again, as long as the aliases
/// followed in total stay within <see cref="DnsAnswerReader.MaxAliasHops"/> (R4), the same bound a
/// single reply is held to; beyond that the answer is an alias loop.
/// </remarks>
internal sealed class DnsLookup : IDnsLookup
{
    private readonly DnsStubClient _client;

    public DnsLookup(DnsStubClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
    }

    /// <inheritdoc />
    public async ValueTask<DnsAnswer> LookupAsync(string name, DnsRecordType type, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        string current = name;
        ImmutableArray<string> aliases = ImmutableArray<string>.Empty;
        uint aliasTimeToLive = uint.MaxValue;

        while (true)
        {
            LookupStep step;
            try
            {
                step = await _client.QueryAsync(
                    current,
                    type,
                    static (ReadOnlySpan<byte> message, (string Name, DnsRecordType Type) question) =>
                    {
                        DnsAnswer read = DnsAnswerReader.Read(message, question.Name, question.Type);
                        return new LookupStep(read, read.Aliases.IsEmpty ? uint.MaxValue : MinimumCnameTimeToLive(message));
                    },
                    (current, type),
                    cancellationToken).ConfigureAwait(false);
            }
            catch (DnsQueryException e)
            {
                return DnsAnswer.Failed(name, type, e.Error, e.Message);
            }

            DnsAnswer answer = step.Answer;
            aliases = aliases.AddRange(answer.Aliases);
            if (answer.Kind == DnsAnswerKind.AliasLoop || aliases.Length > DnsAnswerReader.MaxAliasHops)
            {
                return new DnsAnswer(name, type, DnsAnswerKind.AliasLoop)
                {
                    Aliases = aliases,
                    ErrorMessage = $"The CNAME chain from {name} is longer than {DnsAnswerReader.MaxAliasHops} hops or loops.",
                };
            }

            if (answer.Aliases.Length > 0)
            {
                aliasTimeToLive = Math.Min(aliasTimeToLive, step.CnameTimeToLive);
            }

            bool stoppedShort = answer.Kind == DnsAnswerKind.NoData && answer.Aliases.Length > 0 && !answer.HasSoa;
            if (!stoppedShort)
            {
                return Rebase(answer, name, aliases, current == name ? answer.TimeToLive : Math.Min(answer.TimeToLive, aliasTimeToLive));
            }

            current = answer.CanonicalName;
        }
    }

    /// <summary>The answer to the first question asked, with the aliases of every step.</summary>
    private static DnsAnswer Rebase(DnsAnswer answer, string name, ImmutableArray<string> aliases, uint timeToLive)
        => ReferenceEquals(answer.Name, name) || answer.Name == name
            ? answer
            : new DnsAnswer(name, answer.Type, answer.Kind)
            {
                CanonicalName = answer.CanonicalName,
                Aliases = aliases,
                MxRecords = answer.MxRecords,
                Addresses = answer.Addresses,
                TimeToLive = timeToLive,
                HasSoa = answer.HasSoa,
                Error = answer.Error,
                ErrorMessage = answer.ErrorMessage,
            };

    /// <summary>The smallest TTL among the CNAME records of the answer section (RFC 2181 §5.2), or <see cref="uint.MaxValue"/>.</summary>
    private static uint MinimumCnameTimeToLive(ReadOnlySpan<byte> message)
    {
        uint ttl = uint.MaxValue;
        var reader = new DnsMessageReader(message);
        while (reader.TryReadRecord(out DnsRecordView record) && record.Section == DnsSection.Answer)
        {
            if (record.Type == DnsRecordType.CNAME)
            {
                ttl = Math.Min(ttl, record.TimeToLive);
            }
        }

        return ttl;
    }

    private readonly record struct LookupStep(DnsAnswer Answer, uint CnameTimeToLive);
}
