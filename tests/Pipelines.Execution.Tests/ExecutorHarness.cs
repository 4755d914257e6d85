using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;
using Pipelines.Environments;
using Pipelines.Execution;
using Pipelines.Execution.State;
using Pipelines.Rendering;
using Pipelines.Testing;

namespace Pipelines.Execution.Tests;

/// <summary>An executor on a simulated runtime, an in-memory store and a fake clock, driven in virtual time.</summary>
internal sealed class ExecutorHarness
{
    public static readonly DateTimeOffset Start = new(2026, 11, 25, 6, 0, 0, TimeSpan.Zero);

    public ExecutorHarness(ExecutorOptions? options = null, IRunStore? store = null)
    {
        Runtime = new SimulatedRuntime(Time);
        Store = store ?? new InMemoryRunStore();
        Executor = new Executor(Runtime, Store, Time, (options ?? new ExecutorOptions()) with { Jitter = () => 0 });
    }

    public FakeTimeProvider Time { get; } = new(Start);

    public SimulatedRuntime Runtime { get; }

    public IRunStore Store { get; }

    public Executor Executor { get; }

    public RecordingObserver Observer { get; } = new();

    public static RunContext Run(Dag dag) => RunContext.Create(dag, new DateOnly(2026, 11, 25), EnvironmentConfig.DefaultLocal);

    /// <summary>Runs the DAG, advancing the fake clock one step at a time whenever the executor is idle.</summary>
    public async Task<RunOutcome> RunAsync(Dag dag, CancellationTokenSource? cancel = null, TimeSpan? step = null, Action<TimeSpan>? onStep = null)
    {
        var run = Executor.RunAsync(Run(dag), Observer, cancel?.Token ?? CancellationToken.None);
        var elapsed = TimeSpan.Zero;
        while (!run.IsCompleted)
        {
            await Executor.WhenIdleAsync();
            if (run.IsCompleted)
            {
                break;
            }

            Time.Advance(step ?? TimeSpan.FromSeconds(1));
            elapsed += step ?? TimeSpan.FromSeconds(1);
            onStep?.Invoke(elapsed);
        }

        return await run;
    }

    public SimulatedRun Attempt(string taskId, int tryNumber = 1) =>
        Runtime.History.Single(h => h.TaskId == taskId && h.TryNumber == tryNumber);

    public static Dag Dag(Action<DagBuilder> define, int maxActive = 16)
    {
        var builder = new DagBuilder().Id("d").Schedule("@daily").MaxActiveTasks(maxActive);
        define(builder);
        return builder.Build();
    }
}

internal sealed class RecordingObserver : IRunObserver
{
    public ConcurrentQueue<(string Task, TaskState State, int Try, string? Reason)> Changes { get; } = new();

    public ConcurrentQueue<(string Task, int Try, string Line)> Lines { get; } = new();

    public void TaskChanged(string taskId, TaskState state, int tryNumber, string? reason) => Changes.Enqueue((taskId, state, tryNumber, reason));

    public ConcurrentQueue<string> Notices { get; } = new();

    public void Log(string taskId, int tryNumber, string line) => Lines.Enqueue((taskId, tryNumber, line));

    public void Notice(string message) => Notices.Enqueue(message);
}
