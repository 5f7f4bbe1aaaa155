using System.Collections.Immutable;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using MxResolver.Diagnostics;
using MxResolver.Dns;
using MxResolver.Transport;

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
/// <para>
/// Each question sent to the name servers is one <c>dns.lookup.duration</c> measurement
/// (OpenTelemetry DNS semantic conventions: <c>dns.question.name</c>, and <c>error.type</c> when no
/// server gave a final answer) and one <see cref="MxResolverTags.DnsQueryActivity"/> span.
/// NXDOMAIN and NODATA are answers, not errors.
/// </para>
/// </remarks>
internal sealed class DnsLookup : IDnsLookup
{
    private readonly DnsStubClient _client;
    private readonly MxResolverTelemetry? _telemetry;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates a lookup over <paramref name="client"/>.</summary>
    /// <param name="client">Asks the name servers.</param>
    /// <param name="telemetry">Where query durations are recorded; none when <see langword="null"/> (spans are still started for listeners).</param>
    /// <param name="timeProvider">The clock of the durations; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    public DnsLookup(DnsStubClient client, MxResolverTelemetry? telemetry = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _telemetry = telemetry;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc />
    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    public async ValueTask<DnsAnswer> LookupAsync(string name, DnsRecordType type, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        string current = name;
        ImmutableArray<string> aliases = ImmutableArray<string>.Empty;
        uint aliasTimeToLive = uint.MaxValue;
        bool secure = true; // every reply so far was secure

        while (true)
        {
            LookupStep step;
            long started = _timeProvider.GetTimestamp();
            using Activity? activity = StartQueryActivity(current, type);
            try
            {
                step = await _client.QueryAsync(
                    current,
                    type,
                    static (ReadOnlySpan<byte> message, in DnsReplyScan scan, (string Name, DnsRecordType Type) question) =>
                    {
                        // The client's validating walk kept the records the answer needs: no walk of its own.
                        DnsAnswer read = DnsAnswerReader.Read(message, scan, question.Name, question.Type, out uint aliasTimeToLive);
                        return new LookupStep(read, aliasTimeToLive);
                    },
                    (current, type),
                    cancellationToken).ConfigureAwait(false);
            }
            catch (DnsQueryException e)
            {
                RecordQuery(activity, current, started, ErrorType(e.Error), e.Message);
                return DnsAnswer.Failed(name, type, e.Error, e.Message);
            }
            catch (Exception e)
            {
                // Cancellation or an invalid name: still a lookup that ended, per the convention by exception type.
                RecordQuery(activity, current, started, e.GetType().FullName, e.Message);
                throw;
            }

            RecordQuery(activity, current, started, errorType: null, errorMessage: null);
            activity?.SetTag(MxResolverTags.ResponseKind, AnswerKindName(step.Answer.Kind));

            DnsAnswer answer = step.Answer;
            secure &= answer.IsSecure;
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
                return Rebase(answer, name, aliases, current == name ? answer.TimeToLive : Math.Min(answer.TimeToLive, aliasTimeToLive), secure);
            }

            current = answer.CanonicalName;
        }
    }

    private static Activity? StartQueryActivity(string name, DnsRecordType type)
    {
        Activity? activity = MxResolverTelemetry.ActivitySource.StartActivity(MxResolverTags.DnsQueryActivity, ActivityKind.Client);
        if (activity is not null)
        {
            activity.SetTag(MxResolverTags.QuestionName, name);
            activity.SetTag(MxResolverTags.QuestionType, type.ToString());
        }

        return activity;
    }

    private void RecordQuery(Activity? activity, string name, long started, string? errorType, string? errorMessage)
    {
        if (_telemetry is { } telemetry && telemetry.LookupDuration.Enabled)
        {
            double seconds = _timeProvider.GetElapsedTime(started).TotalSeconds;
            if (errorType is null)
            {
                telemetry.LookupDuration.Record(seconds, new KeyValuePair<string, object?>(MxResolverTags.QuestionName, name));
            }
            else
            {
                telemetry.LookupDuration.Record(
                    seconds,
                    new KeyValuePair<string, object?>(MxResolverTags.QuestionName, name),
                    new KeyValuePair<string, object?>(MxResolverTags.ErrorType, errorType));
            }
        }

        if (activity is not null && errorType is not null)
        {
            activity.SetTag(MxResolverTags.ErrorType, errorType);
            activity.SetStatus(ActivityStatusCode.Error, errorMessage);
        }
    }

    /// <summary>The <c>error.type</c> of a query no server answered finally: the snake_case name of the category.</summary>
    internal static string ErrorType(DnsQueryError error) => error switch
    {
        DnsQueryError.Timeout => "timeout",
        DnsQueryError.ServerFailure => "server_failure",
        DnsQueryError.Refused => "refused",
        DnsQueryError.NotImplemented => "not_implemented",
        DnsQueryError.MalformedResponse => "malformed_response",
        DnsQueryError.NetworkError => "network_error",
        DnsQueryError.Truncated => "truncated",
        _ => "_OTHER",
    };

    private static string AnswerKindName(DnsAnswerKind kind) => kind switch
    {
        DnsAnswerKind.Success => "success",
        DnsAnswerKind.NoData => "no_data",
        DnsAnswerKind.NxDomain => "nx_domain",
        DnsAnswerKind.AliasLoop => "alias_loop",
        _ => "failure",
    };

    /// <summary>The answer to the first question asked, with the aliases of every step.</summary>
    /// <remarks>A chain over several replies is secure only if each reply was (<paramref name="secure"/>).</remarks>
    private static DnsAnswer Rebase(DnsAnswer answer, string name, ImmutableArray<string> aliases, uint timeToLive, bool secure)
        => ReferenceEquals(answer.Name, name) || answer.Name == name
            ? answer
            : new DnsAnswer(name, answer.Type, answer.Kind)
            {
                CanonicalName = answer.CanonicalName,
                Aliases = aliases,
                MxRecords = answer.MxRecords,
                Addresses = answer.Addresses,
                RecordData = answer.RecordData,
                IsSecure = secure,
                TimeToLive = timeToLive,
                HasSoa = answer.HasSoa,
                Error = answer.Error,
                ErrorMessage = answer.ErrorMessage,
            };

    /// <summary>One reply's answer, and the smallest TTL of the CNAMEs it followed (RFC 2181 §5.2).</summary>
    private readonly record struct LookupStep(DnsAnswer Answer, uint CnameTimeToLive);
}
