using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Pipelines.Execution.State;
using Pipelines.Execution.Telemetry;
using Pipelines.Testing;

namespace Pipelines.Execution.Tests.Telemetry;

public sealed class TelemetryTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task A_run_is_a_span_with_a_child_span_per_attempt_and_the_meter_counts_attempts_durations_and_queue_wait()
    {
        // Listeners are process-wide and other tests run at the same time: only this DAG's spans and measurements count.
        const string DagId = "telemetry_three_tasks";
        var spans = new ConcurrentQueue<Activity>();
        using var activities = new ActivityListener
        {
            ShouldListenTo = s => s.Name == PipelinesTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                if (a.GetTagItem(PipelinesTelemetry.DagTag) as string == DagId)
                {
                    spans.Enqueue(a);
                }
            },
        };
        ActivitySource.AddActivityListener(activities);
        var measurements = new ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)>();
        using var meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == PipelinesTelemetry.Name)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        void Measured(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var map = new Dictionary<string, object?>();
            foreach (var tag in tags)
            {
                map[tag.Key] = tag.Value;
            }

            if (map.GetValueOrDefault(PipelinesTelemetry.DagTag) as string == DagId)
            {
                measurements.Enqueue((instrument.Name, value, map));
            }
        }

        meters.SetMeasurementEventCallback<double>((i, v, t, _) => Measured(i, v, t));
        meters.SetMeasurementEventCallback<long>((i, v, t, _) => Measured(i, v, t));
        meters.Start();

        var h = new ExecutorHarness();
        h.Runtime.Script("extract", new SimulatedAttempt(Minute));
        h.Runtime.Script("transform", new SimulatedAttempt(Minute, ExitCode: 2), new SimulatedAttempt(2 * Minute));
        h.Runtime.Script("load", new SimulatedAttempt(Minute));
        var builder = new DagBuilder().Id(DagId).Schedule("@daily").MaxActiveTasks(1);
        var extract = builder.Container("extract", "img");
        builder.Container("transform", "img").Retries(1, delay: Minute).DependsOn(extract);
        builder.Container("load", "img").DependsOn(extract);

        var outcome = await h.RunAsync(builder.Build());

        Assert.Equal(RunState.Success, outcome.State);
        var run = Assert.Single(spans, s => s.OperationName == $"run {DagId}");
        Assert.Equal(outcome.Run.RunId, run.GetTagItem(PipelinesTelemetry.RunTag));
        Assert.Equal("simulated", run.GetTagItem(PipelinesTelemetry.RuntimeTag));
        Assert.Equal("success", run.GetTagItem(PipelinesTelemetry.StateTag));
        var attempts = spans.Where(s => s != run).OrderBy(s => s.StartTimeUtc).ThenBy(s => s.OperationName, StringComparer.Ordinal).ToList();
        Assert.All(attempts, a => Assert.Equal((run.TraceId, run.SpanId), (a.TraceId, a.ParentSpanId)));
        Assert.Equal(
            [("task extract", 1, 0, "success"), ("task load", 1, 0, "success"), ("task transform", 1, 2, "failed"), ("task transform", 2, 0, "success")],
            attempts.OrderBy(a => a.OperationName, StringComparer.Ordinal).ThenBy(a => a.GetTagItem(PipelinesTelemetry.TryTag))
                .Select(a => (a.OperationName, (int)a.GetTagItem(PipelinesTelemetry.TryTag)!, (int)a.GetTagItem(PipelinesTelemetry.ExitCodeTag)!, (string)a.GetTagItem(PipelinesTelemetry.StateTag)!)));
        Assert.All(attempts, a => Assert.Equal("simulated", a.GetTagItem(PipelinesTelemetry.RuntimeTag)));
        var failedTry = attempts.Single(a => a.GetTagItem(PipelinesTelemetry.StateTag) as string == "failed");
        Assert.Equal(ActivityStatusCode.Error, failedTry.Status);
        Assert.Contains("exit code 2", failedTry.StatusDescription);
        Assert.Equal(2 * Minute, attempts.Single(a => a.OperationName == "task transform" && (int)a.GetTagItem(PipelinesTelemetry.TryTag)! == 2).Duration);
        Assert.True(run.StartTimeUtc <= attempts[0].StartTimeUtc && run.StartTimeUtc + run.Duration >= attempts[^1].StartTimeUtc + attempts[^1].Duration);

        var counted = measurements.Where(m => m.Instrument == "pipelines.attempts").ToList();
        Assert.Equal(4, counted.Sum(m => m.Value));
        Assert.Equal(3, counted.Where(m => (string)m.Tags[PipelinesTelemetry.StateTag]! == "success").Sum(m => m.Value));
        Assert.Equal(
            [60.0, 60.0, 60.0, 120.0],
            measurements.Where(m => m.Instrument == "pipelines.attempt.duration").Select(m => m.Value).Order());
        // One slot: of the two tasks ready when extract ended, one waited a minute for the other; a retry waits for its
        // delay before it is queued again, so that delay is no queue wait.
        Assert.Equal(
            [0.0, 0.0, 0.0, 60.0],
            measurements.Where(m => m.Instrument == "pipelines.queue.wait").Select(m => m.Value).Order());
        Assert.Equal(1, measurements.Where(m => m.Instrument == "pipelines.runs").Sum(m => m.Value));
    }

    [Fact]
    public async Task The_OpenTelemetry_sdk_exports_the_runs_spans_and_metrics_by_their_names()
    {
        // What a user's host adds: the SDK with AddSource/AddMeter by PipelinesTelemetry.Name, and any exporter.
        const string DagId = "telemetry_sdk_export";
        var exportedSpans = new List<Activity>();
        var exportedMetrics = new List<Metric>();
        using (var tracing = Sdk.CreateTracerProviderBuilder().AddSource(PipelinesTelemetry.Name).AddInMemoryExporter(exportedSpans).Build())
        using (var metering = Sdk.CreateMeterProviderBuilder().AddMeter(PipelinesTelemetry.Name).AddInMemoryExporter(exportedMetrics).Build())
        {
            var h = new ExecutorHarness();
            var builder = new DagBuilder().Id(DagId).Schedule("@daily");
            builder.Container("only", "img");

            Assert.Equal(RunState.Success, (await h.RunAsync(builder.Build())).State);
            metering.ForceFlush();
        }

        var mine = exportedSpans.Where(s => s.GetTagItem(PipelinesTelemetry.DagTag) as string == DagId).ToList();
        Assert.Equal(["run " + DagId, "task only"], mine.Select(s => s.OperationName).Order(StringComparer.Ordinal));
        Assert.Contains(exportedMetrics, m => m.Name == "pipelines.attempts");
        Assert.Contains(exportedMetrics, m => m.Name == "pipelines.attempt.duration" && m.Unit == "s");
        Assert.Contains(exportedMetrics, m => m.Name == "pipelines.queue.wait");
        Assert.Contains(exportedMetrics, m => m.Name == "pipelines.runs");
    }
}
