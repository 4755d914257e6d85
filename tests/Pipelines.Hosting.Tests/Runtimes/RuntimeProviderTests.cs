using System.Text.Json.Nodes;
using Pipelines.Execution.Runtimes;
using Pipelines.Execution.State;
using Pipelines.Hosting.Catalog;
using Pipelines.Hosting.Commands;
using Pipelines.Rendering;
using Pipelines.Resolution;
using Pipelines.Testing;

namespace Pipelines.Hosting.Tests.Runtimes;

/// <summary>
/// A host knows runtimes only through the providers in its options: their names are what <c>--runtime</c> and
/// <c>pipelines.json</c> accept, <c>auto</c> asks them in order, and a run renders with the chosen runtime's target first.
/// </summary>
public sealed class RuntimeProviderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("pipelines-providers-").FullName;
    private readonly StringWriter _out = new();
    private readonly StringWriter _error = new();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Auto_takes_the_first_runtime_in_order_whose_probe_says_it_can_and_says_why()
    {
        var engine = new FakeProvider("engine", automatic: true, usable: false, reason: "no engine answered at unix:///nowhere.sock");
        var local = new FakeProvider("local-sim", automatic: true, usable: true, reason: "simulated here");
        var cluster = new FakeProvider("cluster", automatic: false, usable: true, reason: "never picked by auto");

        var code = await RunAsync([engine, local, cluster], "run", "two_tasks", "--date", "2026-11-25");

        Assert.True(code == 0, _error.ToString());
        Assert.StartsWith("Runtime: local-sim — auto (environment 'local') tries engine, then local-sim; engine: no engine answered at unix:///nowhere.sock; local-sim: simulated here.", _out.ToString());
        Assert.Equal(["extract", "load"], local.Runtime!.History.Select(h => h.TaskId));
        Assert.Null(engine.Runtime);
        Assert.Null(cluster.Runtime);
    }

    [Fact]
    public async Task A_runtime_asked_for_whose_probe_says_no_stops_the_run_before_anything_starts()
    {
        var engine = new FakeProvider("engine", automatic: true, usable: false, reason: "no engine answered at unix:///nowhere.sock");

        var code = await RunAsync([engine], "run", "two_tasks", "--date", "2026-11-25", "--runtime", "engine");

        Assert.Equal(ExitCodes.UsageError, code);
        Assert.Contains("The engine runtime (--runtime) cannot run DAG 'two_tasks' here: no engine answered at unix:///nowhere.sock. Nothing started.", _error.ToString());
        Assert.False(Directory.Exists(Path.Combine(_folder, ".pipelines")));
    }

    [Fact]
    public async Task Only_the_registered_runtimes_are_accepted_by_name()
    {
        var code = await RunAsync([new FakeProvider("local-sim", true, true, "here")], "run", "two_tasks", "--date", "2026-11-25", "--runtime", "process");

        Assert.Equal(ExitCodes.UsageError, code);
        Assert.Contains("Argument 'process' not recognized. Must be one of:", _error.ToString(), StringComparison.Ordinal);
        Assert.Contains("'local-sim'", _error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_environment_that_names_an_unregistered_runtime_is_a_config_error_listing_the_registered_ones()
    {
        File.WriteAllText(Path.Combine(_folder, "pipelines.json"), """{ "environments": { "local": { "runtime": "docker" } } }""");

        var code = await RunAsync([new FakeProvider("local-sim", true, true, "here")], "run", "two_tasks", "--date", "2026-11-25");

        Assert.Equal(ExitCodes.UsageError, code);
        Assert.Contains("'docker' is not a runtime; use one of: auto, local-sim", _error.ToString());
    }

    [Fact]
    public async Task A_run_renders_each_attempt_for_its_runtime_s_target_first_and_an_error_stops_it_before_anything_starts()
    {
        var picky = new FakeProvider("picky", automatic: true, usable: true, reason: "here", refuse: "load");

        var code = await RunAsync([picky], "run", "two_tasks", "--date", "2026-11-25");

        Assert.Equal(ExitCodes.UsageError, code);
        Assert.Contains("error: dag 'two_tasks', task 'load', field 'image': picky-target: this target refuses task 'load'", _error.ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Nothing started", _error.ToString());
        Assert.Null(picky.Runtime);
    }

    [Fact]
    public async Task Render_offers_the_targets_of_the_registered_runtimes()
    {
        var code = await RunAsync([new FakeProvider("picky", true, true, "here")], "render", "two_tasks", "--date", "2026-11-25", "--target", "picky-target");

        Assert.True(code == 0, _error.ToString());
        Assert.Contains("name: \"two_tasks-extract\"", _out.ToString());
    }

    [Fact]
    public async Task A_run_left_running_on_another_runtime_is_refused_until_its_live_tasks_are_cleared()
    {
        var local = new FakeProvider("local-sim", automatic: true, usable: true, reason: "here");
        var dag = new DagBuilder();
        new TwoTasks().Define(dag);
        var run = RunContext.Create(dag.Build(), new DateOnly(2026, 11, 25), Environments.EnvironmentConfig.DefaultLocal);
        using (var store = new SqliteRunStore(RunPaths.DefaultStatePath(_folder)))
        {
            var batch = new StoreBatch();
            batch.Runs.Add(new DagRunRecord("two_tasks", run.RunId, run.LogicalDate, RunState.Running, "local", "engine", "{}", DateTimeOffset.UtcNow, null));
            batch.Tasks.Add(("two_tasks", run.RunId, new TaskInstanceRecord("extract", TaskState.Running, 1, null, DateTimeOffset.UtcNow)));
            batch.Attempts.Add(("two_tasks", run.RunId, new AttemptRecord("extract", 1, AttemptState.Running, DateTimeOffset.UtcNow, null, null, null, null, "container:abc", null, "engine")));
            store.Commit(batch);
        }

        var refused = await RunAsync([local], "run", "two_tasks", "--date", "2026-11-25");
        var refusal = _error.ToString();
        var cleared = await RunAsync([local], "clear", "two_tasks", "--date", "2026-11-25", "--task", "extract");
        var resumed = await RunAsync([local], "run", "two_tasks", "--date", "2026-11-25");

        Assert.Equal(ExitCodes.UsageError, refused);
        Assert.Contains("the engine runtime started 'extract', still recorded as running", refusal);
        Assert.Contains("Resume with --runtime engine", refusal);
        Assert.Equal((ExitCodes.Success, ExitCodes.Success), (cleared, resumed));
        Assert.Contains("extract try 1 was recorded as running on the engine runtime", _out.ToString());
        Assert.Equal([("extract", 2), ("load", 1)], local.Runtime!.History.Select(h => (h.TaskId, h.TryNumber)));
    }

    private Task<int> RunAsync(IRuntimeProvider[] runtimes, params string[] args) =>
        PipelineHost.RunAsync(args, PipelineCatalog.FromPipelines([new TwoTasks()]), new PipelineHostOptions
        {
            Out = _out,
            Error = _error,
            WorkingDirectory = _folder,
            GetEnvironmentVariable = _ => null,
            Runtimes = runtimes,
        });

    private sealed class TwoTasks : IPipeline
    {
        public void Define(DagBuilder dag)
        {
            dag.Id("two_tasks").Schedule("@daily");
            dag.Container("extract", "img").Command("true").Then(dag.Container("load", "img").Command("true"));
        }
    }

    private sealed class FakeProvider(string name, bool automatic, bool usable, string reason, string? refuse = null) : IRuntimeProvider
    {
        public SimulatedRuntime? Runtime { get; private set; }

        public string Name => name;

        public ISpecRenderer? Renderer { get; } = new FakeRenderer(name + "-target", refuse);

        public bool Automatic => automatic;

        public ValueTask<RuntimeProbe> ProbeAsync(RunContext run, string projectRoot, CancellationToken cancellationToken) =>
            ValueTask.FromResult(new RuntimeProbe(usable, reason));

        public IContainerRuntime Create(RuntimeSetup setup) => Runtime = new SimulatedRuntime(setup.Time);
    }

    private sealed class FakeRenderer(string target, string? refuse) : ISpecRenderer
    {
        public string Target => target;

        public RenderedSpec Render(ResolvedTask task, string projectRoot) =>
            new(task.Task.Id, target, $"{task.DagId}-{task.Task.Id}", new JsonObject { ["name"] = $"{task.DagId}-{task.Task.Id}" },
                task.Task.Id == refuse ? [new RenderDiagnostic(DiagnosticSeverity.Error, task.DagId, task.Task.Id, target, "image", $"this target refuses task '{task.Task.Id}'")] : []);

        public ImmutableArray<RenderDiagnostic> CheckDefinition(string dagId, ContainerTask task) => [];
    }
}
