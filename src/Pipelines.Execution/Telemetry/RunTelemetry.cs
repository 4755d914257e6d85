using System.Diagnostics;
using Pipelines.Execution.State;
using Pipelines.Secrets;
using static Pipelines.Execution.Telemetry.PipelinesTelemetry;

namespace Pipelines.Execution.Telemetry;

/// <summary>
/// One run's spans and measurements: the run's span, a child span per attempt (started when the attempt is launched or
/// adopted, ended when the loop records its end), and the meter's instruments. Called on the scheduling loop only.
/// Costs a branch per call when nothing listens.
/// </summary>
internal sealed class RunTelemetry
{
    private readonly RunContext _run;
    private readonly string _runtime;
    private readonly SecretMasker? _masker;
    private readonly Activity? _activity;
    private readonly Dictionary<(int Task, int Try), Activity> _attempts = [];

    public RunTelemetry(RunContext run, string runtime, SecretMasker? masker, DateTimeOffset startedAt)
    {
        _run = run;
        _runtime = runtime;
        _masker = masker;
        StartedAt = startedAt;
        if (Source.HasListeners())
        {
            var previous = Activity.Current;
            _activity = Source.StartActivity($"run {run.Dag.Id}", ActivityKind.Internal, previous?.Context ?? default, startTime: startedAt);
            _activity?.SetTag(DagTag, run.Dag.Id)
                .SetTag(RunTag, run.RunId)
                .SetTag(LogicalDateTag, run.LogicalDate.ToString("O", System.Globalization.CultureInfo.InvariantCulture))
                .SetTag(EnvironmentTag, run.Environment.Name)
                .SetTag(RuntimeTag, runtime);
            Activity.Current = previous;
        }
    }

    public DateTimeOffset StartedAt { get; }

    /// <summary>An attempt starts (or is adopted, <paramref name="queuedAt"/> null): its span, and how long it queued.</summary>
    public Activity? AttemptStarted(int task, int tryNumber, string taskId, DateTimeOffset startedAt, DateTimeOffset? queuedAt)
    {
        if (queuedAt is { } queued && QueueWait.Enabled)
        {
            QueueWait.Record(Math.Max(0, (startedAt - queued).TotalSeconds), new(DagTag, _run.Dag.Id), new(TaskTag, taskId));
        }

        if (_activity is null || !Source.HasListeners())
        {
            return null;
        }

        var previous = Activity.Current;
        var activity = Source.StartActivity($"task {taskId}", ActivityKind.Internal, _activity.Context, startTime: startedAt);
        Activity.Current = previous;
        if (activity is null)
        {
            return null;
        }

        activity.SetTag(DagTag, _run.Dag.Id).SetTag(TaskTag, taskId).SetTag(TryTag, tryNumber).SetTag(RuntimeTag, _runtime);
        _attempts[(task, tryNumber)] = activity;
        return activity;
    }

    /// <summary>An attempt ended: its span gets the exit code and state, the meter counts it and its duration.</summary>
    public void AttemptEnded(int task, int tryNumber, string taskId, AttemptState state, int? exitCode, string? reason, DateTimeOffset startedAt, DateTimeOffset endedAt)
    {
        var stateName = Name(state);
        if (_attempts.Remove((task, tryNumber), out var activity))
        {
            activity.SetTag(ExitCodeTag, exitCode).SetTag(StateTag, stateName);
            if (state == AttemptState.Failed)
            {
                activity.SetStatus(ActivityStatusCode.Error, reason is null ? null : _masker?.Mask(reason) ?? reason);
            }

            activity.SetEndTime(endedAt.UtcDateTime);
            activity.Stop();
        }

        if (AttemptCount.Enabled)
        {
            AttemptCount.Add(1, new(DagTag, _run.Dag.Id), new(TaskTag, taskId), new(RuntimeTag, _runtime), new(StateTag, stateName));
        }

        if (AttemptDuration.Enabled)
        {
            AttemptDuration.Record(Math.Max(0, (endedAt - startedAt).TotalSeconds), new(DagTag, _run.Dag.Id), new(TaskTag, taskId), new(StateTag, stateName));
        }
    }

    /// <summary>The run ended: its span gets its state, the meter counts it. Attempts still open (a stopped run) end with it.</summary>
    public void RunEnded(RunState state, DateTimeOffset endedAt)
    {
        var stateName = state.ToString().ToLowerInvariant();
        foreach (var open in _attempts.Values)
        {
            open.SetTag(StateTag, "cancelled").SetEndTime(endedAt.UtcDateTime);
            open.Stop();
        }

        _attempts.Clear();
        if (_activity is not null)
        {
            _activity.SetTag(StateTag, stateName);
            if (state == RunState.Failed)
            {
                _activity.SetStatus(ActivityStatusCode.Error, "the run failed");
            }

            _activity.SetEndTime(endedAt.UtcDateTime);
            _activity.Stop();
        }

        if (RunCount.Enabled)
        {
            RunCount.Add(1, new(DagTag, _run.Dag.Id), new(StateTag, stateName));
        }

        if (RunDuration.Enabled)
        {
            RunDuration.Record(Math.Max(0, (endedAt - StartedAt).TotalSeconds), new(DagTag, _run.Dag.Id), new(StateTag, stateName));
        }
    }

    private static string Name(AttemptState state) => state switch
    {
        AttemptState.Success => "success",
        AttemptState.Failed => "failed",
        AttemptState.Skipped => "skipped",
        AttemptState.Cancelled => "cancelled",
        _ => state.ToString().ToLowerInvariant(),
    };
}
