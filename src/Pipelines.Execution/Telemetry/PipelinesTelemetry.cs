using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;

namespace Pipelines.Execution.Telemetry;

/// <summary>
/// The names OpenTelemetry listens to: the <see cref="ActivitySource"/> with a span per DAG run and per task attempt, and
/// the <see cref="Meter"/> with attempts, durations and queue wait. Add both with <c>AddSource(PipelinesTelemetry.Name)</c>
/// and <c>AddMeter(PipelinesTelemetry.Name)</c>. When nothing listens, no span is made and no tag list built.
/// </summary>
public static class PipelinesTelemetry
{
    /// <summary>The name of the activity source and of the meter.</summary>
    public const string Name = "Pipelines";

    /// <summary>Tag: the DAG id.</summary>
    public const string DagTag = "pipelines.dag";

    /// <summary>Tag: the run id.</summary>
    public const string RunTag = "pipelines.run_id";

    /// <summary>Tag: the run's logical date (ISO 8601).</summary>
    public const string LogicalDateTag = "pipelines.logical_date";

    /// <summary>Tag: the environment.</summary>
    public const string EnvironmentTag = "pipelines.environment";

    /// <summary>Tag: the task id.</summary>
    public const string TaskTag = "pipelines.task";

    /// <summary>Tag: the try number, 1 for the first attempt.</summary>
    public const string TryTag = "pipelines.try";

    /// <summary>Tag: the runtime (<c>process</c>, <c>docker</c>, <c>kubernetes</c>, …).</summary>
    public const string RuntimeTag = "pipelines.runtime";

    /// <summary>Tag: the attempt's exit code, when it had one.</summary>
    public const string ExitCodeTag = "pipelines.exit_code";

    /// <summary>Tag: how it ended — an attempt's state (<c>success</c>, <c>failed</c>, <c>skipped</c>, <c>cancelled</c>) or a run's.</summary>
    public const string StateTag = "pipelines.state";

    private static readonly string? Version = typeof(PipelinesTelemetry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    internal static readonly ActivitySource Source = new(Name, Version);

    internal static readonly Meter Meter = new(Name, Version);

    internal static readonly Counter<long> AttemptCount = Meter.CreateCounter<long>("pipelines.attempts", "{attempt}", "Attempts that ended, by DAG, task, runtime and state.");

    internal static readonly Histogram<double> AttemptDuration = Meter.CreateHistogram<double>("pipelines.attempt.duration", "s", "How long attempts ran, from start to end.");

    internal static readonly Histogram<double> QueueWait = Meter.CreateHistogram<double>("pipelines.queue.wait", "s", "How long a ready task waited for a slot before its attempt started.");

    internal static readonly Counter<long> RunCount = Meter.CreateCounter<long>("pipelines.runs", "{run}", "DAG runs that ended, by DAG and state.");

    internal static readonly Histogram<double> RunDuration = Meter.CreateHistogram<double>("pipelines.run.duration", "s", "How long DAG runs took, from start (or resume) to end.");
}
