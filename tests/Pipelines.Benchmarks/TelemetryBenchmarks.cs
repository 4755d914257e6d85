using System.Diagnostics;
using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using Pipelines.Execution;
using Pipelines.Execution.Telemetry;

namespace Pipelines.Benchmarks;

/// <summary>
/// What tracing and metrics cost the executor: the 10,000-task layered DAG of <see cref="ExecutorBenchmarks"/> at 64 slots
/// on the in-memory store, with nothing listening (the default: no span made, no tag list built), and with a listener that
/// records every span and measurement (as an OpenTelemetry SDK with an exporter does, minus the export). Leaves out the
/// exporter's own work (serialising and sending), which runs on the SDK's thread.
/// </summary>
/// <remarks>
/// dotnet run -c Release --project tests/Pipelines.Benchmarks -- --filter '*TelemetryBenchmarks*'
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(PerTaskConfig))]
public class TelemetryBenchmarks : ExecutorBenchmarkBase
{
    private RunContext _run = null!;
    private BenchmarkStore _store = null!;
    private ActivityListener? _spans;
    private MeterListener? _meters;
    private long _recorded;

    [Params(10_000)]
    public int Tasks { get; set; }

    [GlobalSetup]
    public void Setup() => _run = Plan(LayeredDag.Define(Tasks, width: 100, fanIn: 3).MaxActiveTasks(64));

    [IterationSetup(Target = nameof(NothingListens))]
    public void Quiet() => _store = new BenchmarkStore("memory");

    [Benchmark(Baseline = true)]
    public Task<RunOutcome> NothingListens() => Succeeded(Simulated(_store.Store).RunAsync(_run));

    [IterationSetup(Target = nameof(EverythingRecorded))]
    public void Listen()
    {
        _store = new BenchmarkStore("memory");
        _spans = new ActivityListener
        {
            ShouldListenTo = s => s.Name == PipelinesTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _ => Interlocked.Increment(ref _recorded),
        };
        ActivitySource.AddActivityListener(_spans);
        _meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == PipelinesTelemetry.Name)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _meters.SetMeasurementEventCallback<double>((_, _, _, _) => Interlocked.Increment(ref _recorded));
        _meters.SetMeasurementEventCallback<long>((_, _, _, _) => Interlocked.Increment(ref _recorded));
        _meters.Start();
    }

    [Benchmark]
    public Task<RunOutcome> EverythingRecorded() => Succeeded(Simulated(_store.Store).RunAsync(_run));

    [IterationCleanup]
    public void Cleanup()
    {
        _spans?.Dispose();
        _meters?.Dispose();
        _spans = null;
        _meters = null;
        _store.Dispose();
    }
}
