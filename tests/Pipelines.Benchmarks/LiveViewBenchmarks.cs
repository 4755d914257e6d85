using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Pipelines.Execution;
using Pipelines.Execution.State;
using Pipelines.Hosting.Running;
using Spectre.Console;

namespace Pipelines.Benchmarks;

/// <summary>
/// What the live view costs a run: 5,000 independent no-op tasks (<c>true</c>) on the process runtime with
/// the SQLite store, observed by the live view (redrawn 5 times a second, as on a terminal, here into a
/// 120×40 console whose output is discarded) against the plain observer (one line per event, discarded).
/// The figure: the live run within 10% of the plain one (Ratio ≤ 1.10).
/// </summary>
/// <remarks>
/// <para>dotnet run -c Release --project tests/Pipelines.Benchmarks -- --filter '*LiveViewBenchmarks*'</para>
/// <para>Left out: writing the frames to a real terminal (the terminal's own work runs in another process).</para>
/// </remarks>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class LiveViewBenchmarks : ExecutorBenchmarkBase
{
    private RunContext _run = null!;
    private string _root = null!;
    private SqliteRunStore _store = null!;
    private int _iteration;

    [Params(5_000)]
    public int Tasks { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var dag = new DagBuilder().Id("wide_noop");
        for (var i = 0; i < Tasks; i++)
        {
            dag.Container($"t{i}", "busybox:stable").Command("true");
        }

        _run = Plan(dag);
        _root = Directory.CreateTempSubdirectory("pipelines-bench-live-").FullName;
    }

    [IterationSetup]
    public void NewStore() => _store = new SqliteRunStore(Path.Combine(_root, $"state-{_iteration++}.db"));

    [Benchmark(Baseline = true)]
    public Task<RunOutcome> Plain() => Succeeded(OnProcesses(_root, _store).RunAsync(_run, new PlainProgress(TextWriter.Null, TimeProvider.System)));

    [Benchmark]
    public async Task<RunOutcome> LiveView()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.Yes,
            ColorSystem = ColorSystemSupport.TrueColor,
            Interactive = InteractionSupport.Yes,
            Out = new AnsiConsoleOutput(TextWriter.Null),
        });
        console.Profile.Width = 120;
        console.Profile.Height = 40;
        var view = new LiveProgress(_run.Dag);
        var running = OnProcesses(_root, _store).RunAsync(_run, view);
        await view.ShowAsync(console, running).ConfigureAwait(false);
        return await Succeeded(running).ConfigureAwait(false);
    }

    [IterationCleanup]
    public void DisposeStore() => _store.Dispose();

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_root, recursive: true);

}
