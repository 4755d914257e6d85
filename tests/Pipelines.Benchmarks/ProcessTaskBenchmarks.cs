using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Pipelines.Execution;
using Pipelines.Execution.State;

namespace Pipelines.Benchmarks;

/// <summary>
/// The cost of a real no-op task on the process runtime, side by side with its physical floor: a chain of
/// <c>Tasks</c> tasks running <c>true</c> one after the other (the executor, the SQLite run store, the
/// runtime's workspace, cgroup, shim and log — everything a <c>run</c> does per task), against a shell
/// starting <c>setsid true</c> as many times in a loop (a new session and a program, and nothing else).
/// The Ratio column is the figure (≤ 1.5).
/// </summary>
/// <remarks>
/// <para>dotnet run -c Release --project tests/Pipelines.Benchmarks -- --filter '*ProcessTaskBenchmarks*'</para>
/// <para>
/// Left out: the host program's own start (about 0.1 s, once per run) and the live view; the floor's
/// shell is started once per iteration, 1/<c>Tasks</c> of a start per task.
/// </para>
/// </remarks>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 8, iterationCount: 20)]
public class ProcessTaskBenchmarks : ExecutorBenchmarkBase
{
    private RunContext _run = null!;
    private string _root = null!;
    private SqliteRunStore _store = null!;
    private int _iteration;

    [Params(200)]
    public int Tasks { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var dag = new DagBuilder().Id("noop_chain").MaxActiveTasks(1);
        TaskBuilder? previous = null;
        for (var i = 0; i < Tasks; i++)
        {
            var task = dag.Container($"t{i}", "busybox:stable").Command("true");
            previous?.Then(task);
            previous = task;
        }

        _run = Plan(dag);
        _root = Directory.CreateTempSubdirectory("pipelines-bench-process-").FullName;
    }

    // Both have an iteration setup, so both run one invocation per iteration in one job and the Ratio column compares them.
    [IterationSetup(Target = nameof(ShellSetsidTrue))]
    public void NoSetup()
    {
    }

    [IterationSetup(Target = nameof(ProcessRuntimeChain))]
    public void NewStore() => _store = new SqliteRunStore(Path.Combine(_root, $"state-{_iteration++}.db"));

    /// <summary>The floor: <c>setsid true</c>, <c>Tasks</c> times, from a shell loop.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = 200)]
    public void ShellSetsidTrue()
    {
        using var shell = Process.Start("bash", ["-c", $"for i in $(seq {Tasks}); do setsid true; done"])!;
        shell.WaitForExit();
    }

    /// <summary>The chain run by the executor on the process runtime with the SQLite store, as <c>run</c> runs it.</summary>
    [Benchmark(OperationsPerInvoke = 200)]
    public Task<RunOutcome> ProcessRuntimeChain() => Succeeded(OnProcesses(_root, _store).RunAsync(_run));

    [IterationCleanup(Target = nameof(ProcessRuntimeChain))]
    public void DisposeStore() => _store.Dispose();

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_root, recursive: true);
}
