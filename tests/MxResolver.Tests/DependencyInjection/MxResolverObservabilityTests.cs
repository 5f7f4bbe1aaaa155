using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using MxResolver.Diagnostics;
using MxResolver.Tests.Infrastructure;

namespace MxResolver.Tests.DependencyInjection;

/// <summary>Metrics and spans of a resolver registered with DI, against the loopback Unbound.</summary>
public sealed class MxResolverObservabilityTests(UnboundFixture unbound)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private ServiceProvider Provider(Action<IServiceCollection>? extra = null)
        => DiTestServices.Provider(extra, ("NameServers:0", unbound.EndPoint.ToString()));

    [Fact]
    public async Task ResolveAsync_Answered_RecordsLookupDurationPerQuestionWithoutErrorType()
    {
        using ServiceProvider provider = Provider();
        using var measurements = new MeasurementRecorder(provider.GetRequiredService<MxResolverTelemetry>().Meter);

        MxResolution result = await provider.GetRequiredService<IMxResolver>().ResolveAsync("plain.mx.test", Ct).AsTask().WaitAsync(Bound, Ct);

        Assert.Equal(MxResolutionStatus.Success, result.Status);
        Measurement[] durations = measurements.Of("dns.lookup.duration");
        Assert.Contains(durations, m => (string?)m.Tags["dns.question.name"] == "plain.mx.test.");
        Assert.Contains(durations, m => (string?)m.Tags["dns.question.name"] == "mx1.plain.mx.test.");
        Assert.Equal(7, durations.Length); // MX, then A and AAAA of three targets
        Assert.All(durations, m =>
        {
            Assert.False(m.Tags.ContainsKey("error.type"));
            Assert.InRange(m.Value, 0, Bound.TotalSeconds);
        });
    }

    [Fact]
    public async Task ResolveAsync_ServerFailure_RecordsErrorTypeAndCountsTemporaryFailure()
    {
        using ServiceProvider provider = Provider();
        using var measurements = new MeasurementRecorder(provider.GetRequiredService<MxResolverTelemetry>().Meter);

        MxResolution result = await provider.GetRequiredService<IMxResolver>().ResolveAsync("x.broken.mx.test", Ct).AsTask().WaitAsync(Bound, Ct);

        Assert.Equal(MxResolutionStatus.TemporaryFailure, result.Status);
        Measurement duration = Assert.Single(measurements.Of("dns.lookup.duration"));
        Assert.Equal("x.broken.mx.test.", duration.Tags["dns.question.name"]);
        Assert.Equal("server_failure", duration.Tags["error.type"]);
        Measurement resolution = Assert.Single(measurements.Of("mxresolver.resolutions"));
        Assert.Equal(1, resolution.Value);
        Assert.Equal("temporary-failure", resolution.Tags["mxresolver.status"]);
    }

    [Fact]
    public async Task ResolveAsync_Repeated_CountsResolutionsByStatusAndCacheHitsOnce()
    {
        using ServiceProvider provider = Provider();
        using var measurements = new MeasurementRecorder(provider.GetRequiredService<MxResolverTelemetry>().Meter);
        var resolver = provider.GetRequiredService<IMxResolver>();

        await resolver.ResolveAsync("plain.mx.test", Ct).AsTask().WaitAsync(Bound, Ct);
        await resolver.ResolveAsync("plain.mx.test", Ct).AsTask().WaitAsync(Bound, Ct); // from the resolution cache
        await resolver.ResolveAsync("null-mx.mx.test", Ct).AsTask().WaitAsync(Bound, Ct);
        await resolver.ResolveAsync("not a domain", Ct).AsTask().WaitAsync(Bound, Ct);

        Assert.Equal(
            ["invalid-input", "null-mx", "success", "success"],
            measurements.Of("mxresolver.resolutions").Select(m => (string)m.Tags["mxresolver.status"]!).Order(StringComparer.Ordinal));
        Assert.Equal(8, measurements.Of("mxresolver.cache.misses").Length); // 7 for plain, 1 for null-mx: nothing counted twice
        Assert.Equal(8, measurements.Of("dns.lookup.duration").Length);
    }

    [Fact]
    public void Telemetry_AppMeterFactory_CreatesTheMeter()
    {
        using ServiceProvider provider = Provider(services => services.AddMetrics());

        Meter meter = provider.GetRequiredService<MxResolverTelemetry>().Meter;

        Assert.Equal("MxResolver", meter.Name);
        Assert.Same(provider.GetRequiredService<IMeterFactory>(), meter.Scope);
    }

    [Fact]
    public void Telemetry_LookupDuration_HasTheConventionsBuckets()
    {
        using var telemetry = new MxResolverTelemetry();

        Assert.Equal("s", telemetry.LookupDuration.Unit);
#if NET9_0_OR_GREATER
        Assert.Equal(
            [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10],
            telemetry.LookupDuration.Advice?.HistogramBucketBoundaries);
#else
        // The library's net8.0 build compiles against the framework's DiagnosticSource 8, which has no advice API.
        Assert.Null(telemetry.LookupDuration.Advice);
#endif
    }

    [Fact]
    public async Task ResolveAsync_ActivityListener_SeesOneResolutionSpanWithOneChildPerQuestion()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "MxResolver",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        using ServiceProvider provider = Provider();

        using var root = new Activity("test").Start();
        MxResolution result = await provider.GetRequiredService<IMxResolver>().ResolveAsync("user@implicit.mx.test", Ct).AsTask().WaitAsync(Bound, Ct);
        root.Stop();

        Assert.Equal(MxResolutionStatus.ImplicitMx, result.Status);
        Activity[] mine = spans.Where(span => span.TraceId == root.TraceId).ToArray(); // other tests run in parallel
        Activity resolution = Assert.Single(mine, span => span.OperationName == "MxResolver.Resolve");
        Assert.Equal(root.SpanId, resolution.ParentSpanId);
        Assert.Equal("implicit.mx.test", resolution.GetTagItem("mxresolver.domain"));
        Assert.Equal("implicit-mx", resolution.GetTagItem("mxresolver.status"));
        Assert.Null(resolution.GetTagItem("mxresolver.input")); // never the address: it may identify a person
        Activity[] queries = mine.Where(span => span.OperationName == "MxResolver.DnsQuery").ToArray();
        Assert.Equal(["A", "AAAA", "MX"], queries.Select(q => (string)q.GetTagItem("dns.question.type")!).Order(StringComparer.Ordinal));
        Assert.All(queries, query =>
        {
            Assert.Equal(resolution.SpanId, query.ParentSpanId);
            Assert.Equal(ActivityKind.Client, query.Kind);
            Assert.Equal("implicit.mx.test.", query.GetTagItem("dns.question.name"));
        });
        Assert.Equal("no_data", queries.Single(q => (string?)q.GetTagItem("dns.question.type") == "MX").GetTagItem("mxresolver.dns.answer"));
        Assert.Null(Activity.Current);
    }

    [Fact]
    public async Task ResolveAsync_FailedQuery_SpanHasErrorStatusAndType()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "MxResolver",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        using ServiceProvider provider = Provider();

        using var root = new Activity("test").Start();
        await provider.GetRequiredService<IMxResolver>().ResolveAsync("y.broken.mx.test", Ct).AsTask().WaitAsync(Bound, Ct);
        root.Stop();

        Activity[] mine = spans.Where(span => span.TraceId == root.TraceId).ToArray();
        Activity query = Assert.Single(mine, span => span.OperationName == "MxResolver.DnsQuery");
        Assert.Equal(ActivityStatusCode.Error, query.Status);
        Assert.Equal("server_failure", query.GetTagItem("error.type"));
        Activity resolution = Assert.Single(mine, span => span.OperationName == "MxResolver.Resolve");
        Assert.Equal(ActivityStatusCode.Error, resolution.Status);
        Assert.Equal("temporary-failure", resolution.GetTagItem("mxresolver.status"));
    }

    private readonly record struct Measurement(string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags);

    /// <summary>Records every measurement of one meter instance (other tests' meters share its name).</summary>
    private sealed class MeasurementRecorder : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentQueue<Measurement> _measurements = new();

        public MeasurementRecorder(Meter meter)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter, meter))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
            _listener.Start();
        }

        public Measurement[] Of(string instrument) => _measurements.Where(m => m.Instrument == instrument).ToArray();

        public void Dispose() => _listener.Dispose();

        private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var copy = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                copy[tag.Key] = tag.Value;
            }

            _measurements.Enqueue(new Measurement(instrument.Name, value, copy));
        }
    }
}
