using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using MxResolver.Tests.Failover;
using MxResolver.Tests.Infrastructure;

namespace MxResolver.Tests.Diagnostics;

/// <summary>
/// Nothing personal in logs, spans or metrics: an input may be an email address, whose local part
/// identifies a person. Resolving and connecting for <c>someone@…</c> through the whole stack
/// (stub client, cache, resolver, connector) must never emit <c>someone</c>.
/// </summary>
public sealed class MxResolverTelemetryTests(UnboundFixture unbound)
{
    private const string LocalPart = "someone";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ResolveAndConnect_EmailAddress_LocalPartInNoLogSpanOrMetric()
    {
        var logger = new EverythingLogger();
        var spans = new ConcurrentQueue<Activity>();
        using var activityListener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "MxResolver",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(activityListener);
        var measurements = new ConcurrentQueue<(string Instrument, string Tags)>();
        using var meterListener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "MxResolver")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        meterListener.SetMeasurementEventCallback<long>((instrument, _, tags, _) => measurements.Enqueue((instrument.Name, Describe(tags))));
        meterListener.SetMeasurementEventCallback<double>((instrument, _, tags, _) => measurements.Enqueue((instrument.Name, Describe(tags))));
        meterListener.Start();

        await using FailoverHosts hosts = await FailoverHosts.StartAsync();
        var resolver = new MailExchangeResolver(
            new MxResolverOptions
            {
                NameServers = { unbound.EndPoint.ToString() },
                BlockedAddresses = AddressCategories.Default & ~AddressCategories.Loopback, // the test network
            },
            loggerFactory: new OneLoggerFactory(logger));
        var failover = new MxFailoverOptions { CheckGreeting = false, ConnectTimeout = TimeSpan.FromSeconds(10), OverallTimeout = TimeSpan.FromSeconds(45) };
        using var connector = new MxConnector(resolver, failover, logger: logger);
        using var oneAttempt = new MxConnector(resolver, new MxFailoverOptions { MaxAttempts = 1, ConnectTimeout = TimeSpan.FromSeconds(10) }, logger: logger);

        // Every outcome that logs: success, NXDOMAIN, SERVFAIL (stub client failover), invalid
        // input, an address literal; a connection after a refused address; a call that runs out of
        // attempts; one whose resolution fails; ExecuteAsync failing over once.
        foreach (string input in new[] { "plain.mx.test", "nxdomain.mx.test", "x.broken.mx.test", "[127.0.0.1]", string.Empty })
        {
            await resolver.ResolveAsync($"{LocalPart}@{input}", Token).AsTask().WaitAsync(Bound, Token);
        }

        MxFailoverResult<MxConnection> connected = await connector.ConnectAsync($"{LocalPart}@failover.mx.test", hosts.Port, Token).AsTask().WaitAsync(Bound, Token);
        Assert.True(connected.IsSuccess, connected.Error);
        await connected.Value.DisposeAsync();
        MxFailoverResult<MxConnection> exhausted = await oneAttempt.ConnectAsync($"{LocalPart}@failover.mx.test", hosts.Port, Token).AsTask().WaitAsync(Bound, Token);
        Assert.Equal(MxFailoverStatus.AllAttemptsFailed, exhausted.Status);
        MxFailoverResult<MxConnection> unresolved = await connector.ConnectAsync($"{LocalPart}@nxdomain.mx.test", hosts.Port, Token).AsTask().WaitAsync(Bound, Token);
        Assert.Equal(MxFailoverStatus.ResolutionFailed, unresolved.Status);
        MxFailoverResult<MxConnection> invalid = await connector.ConnectAsync($"{LocalPart}@", hosts.Port, Token).AsTask().WaitAsync(Bound, Token);
        Assert.Equal(MxResolutionStatus.InvalidInput, invalid.Resolution.Status);
        int calls = 0;
        MxFailoverResult<string> executed = await connector.ExecuteAsync(
            $"{LocalPart}@failover.mx.test",
            (destination, _) => ++calls == 1 ? throw new SocketException((int)SocketError.ConnectionReset) : ValueTask.FromResult("250 ok"),
            port: hosts.Port,
            cancellationToken: Token).AsTask().WaitAsync(Bound, Token);
        Assert.True(executed.IsSuccess, executed.Error);

        // The test saw what it checks: connector and resolver events, spans and measurements.
        Assert.Contains(logger.Entries, entry => entry.Contains("failover.mx.test", StringComparison.Ordinal) && entry.StartsWith("1306", StringComparison.Ordinal));
        Assert.Contains(logger.Entries, entry => entry.StartsWith("1301", StringComparison.Ordinal));
        Assert.Contains(logger.Entries, entry => entry.StartsWith("1303", StringComparison.Ordinal));
        Assert.Contains(logger.Entries, entry => entry.StartsWith("1304", StringComparison.Ordinal));
        Assert.Contains(logger.Entries, entry => entry.StartsWith("4002", StringComparison.Ordinal) && entry.Contains("InvalidInput", StringComparison.Ordinal));
        Activity[] all = [.. spans];
        Assert.Contains(all, span => span.OperationName == "MxResolver.Connect" && (string?)span.GetTagItem("server.address") == "refused.failover.mx.test");
        Assert.Contains(all, span => span.OperationName == "MxResolver.Resolve" && (string?)span.GetTagItem("mxresolver.domain") == "failover.mx.test");
        Assert.Contains(measurements, m => m.Instrument == "mxresolver.connect.attempts");
        Assert.Contains(measurements, m => m.Instrument == "mxresolver.resolutions");

        Assert.All(logger.Entries, entry => Assert.DoesNotContain(LocalPart, entry, StringComparison.OrdinalIgnoreCase));
        Assert.All(all, span => Assert.DoesNotContain(LocalPart, Describe(span), StringComparison.OrdinalIgnoreCase));
        Assert.All(measurements, m => Assert.DoesNotContain(LocalPart, m.Tags, StringComparison.OrdinalIgnoreCase));
    }

    private static string Describe(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var text = new List<string>();
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            text.Add($"{tag.Key}={tag.Value}");
        }

        return string.Join(", ", text);
    }

    private static string Describe(Activity span)
        => string.Join(
            " | ",
            new[] { span.OperationName, span.DisplayName, span.StatusDescription ?? string.Empty }
                .Concat(span.TagObjects.Select(tag => $"{tag.Key}={tag.Value}"))
                .Concat(span.Events.SelectMany(e => e.Tags.Select(tag => $"{e.Name}:{tag.Key}={tag.Value}").Append(e.Name)))
                .Concat(span.Baggage.Select(item => $"{item.Key}={item.Value}")));

    /// <summary>Keeps, per event, its ID, the formatted message, every structured value, the exception and any scope.</summary>
    /// <summary>Hands the same logger to every category, so one list sees everything the resolver logs.</summary>
    private sealed class OneLoggerFactory(ILogger logger) : ILoggerFactory
    {
        public ILogger CreateLogger(string categoryName) => logger;

        public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

        public void Dispose()
        {
        }
    }

    private sealed class EverythingLogger : ILogger
    {
        private readonly ConcurrentQueue<string> _entries = new();

        public IReadOnlyList<string> Entries => [.. _entries];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull
        {
            _entries.Enqueue($"scope {state}");
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            string values = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? string.Join(", ", pairs.Select(pair => $"{pair.Key}={pair.Value}"))
                : string.Empty;
            _entries.Enqueue($"{eventId.Id} {formatter(state, exception)} [{values}] {exception}");
        }
    }
}
