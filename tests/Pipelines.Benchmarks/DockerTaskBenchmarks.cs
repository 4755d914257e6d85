using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Docker.DotNet;
using Docker.DotNet.Models;
using Pipelines.Docker.Images;
using Pipelines.Docker.Rendering;
using Pipelines.Docker.Runtime;
using Pipelines.Environments;
using Pipelines.Execution;
using Pipelines.Execution.State;

namespace Pipelines.Benchmarks;

/// <summary>
/// The cost of a real no-op task on the Docker runtime, side by side with its peer: a chain of <c>Tasks</c> tasks running
/// <c>true</c> in <see cref="DockerBenchmarkBase.Image"/> one after the other, run by the executor on the Docker runtime
/// with the SQLite run store (everything <c>run --runtime docker</c> does per task: the engine's version probe and event
/// watch once per run, then per task the image check, the output volume, create, the output file through the archive
/// API, start, the followed log and stats, wait, inspect, the output read back, and the container's and volume's removal
/// — off the critical path, beside the next task's start), against the docker CLI's <c>docker run --rm &lt;image&gt; true</c>
/// started as many times one after the other (create, attach, start, wait, auto-remove — on the critical path). Both
/// report per task; the Ratio column is the runtime's cost over the CLI's (1.0: the runtime costs what
/// <c>docker run --rm</c> does).
/// </summary>
/// <remarks>
/// <para>dotnet run -c Release --project tests/Pipelines.Benchmarks -- --filter '*DockerTaskBenchmarks*'</para>
/// <para>
/// Needs a Docker engine (the environment's, else <c>DOCKER_HOST</c>, else the local socket), the docker CLI at
/// <c>/usr/local/bin/docker</c> and Debian's busybox-static: the image is imported from <c>/bin/busybox</c> when the engine
/// lacks it, and removed at the end only then. Every container and volume of the runs' stores is removed after each
/// iteration.
/// </para>
/// <para>
/// Left out: the host program's own start and the runtime probe <c>run</c> makes before it (once per run), the live view,
/// and image pulls (the image is present). The CLI's own start (a Go program, about 10 ms) is in every one of its tasks.
/// </para>
/// </remarks>
[MedianColumn]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 10)]
public class DockerTaskBenchmarks : DockerBenchmarkBase
{
    private const int ChainTasks = 10;

    private RunContext _run = null!;
    private SqliteRunStore _store = null!;

    [Params(ChainTasks)]
    public int Tasks { get; set; }

    [GlobalSetup]
    public async Task Setup()
    {
        var dag = new DagBuilder().Id("docker_noop_chain").MaxActiveTasks(1);
        TaskBuilder? previous = null;
        for (var i = 0; i < Tasks; i++)
        {
            var task = dag.Container($"t{i}", Image).Command("true");
            previous?.Then(task);
            previous = task;
        }

        _run = Plan(dag);
        await SetUpEngineAsync();
    }

    // Both have an iteration setup, so both run one invocation per iteration in one job and the Ratio column compares them.
    [IterationSetup(Target = nameof(DockerRunRm))]
    public void NoSetup()
    {
    }

    [IterationSetup(Target = nameof(DockerRuntimeTask))]
    public void CreateStore() => _store = NewStore();

    /// <summary>The peer: <c>docker run --rm &lt;image&gt; true</c>, <c>Tasks</c> times, one after the other.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = ChainTasks)]
    public void DockerRunRm()
    {
        for (var i = 0; i < Tasks; i++)
        {
            DockerCli("run", "--rm", Image, "true");
        }
    }

    /// <summary>The chain run by the executor on the Docker runtime with the SQLite store, as <c>run --runtime docker</c> runs it.</summary>
    [Benchmark(OperationsPerInvoke = ChainTasks)]
    public Task<RunOutcome> DockerRuntimeTask() => Succeeded(OnDocker(Engine, _store).RunAsync(_run), _store);

    [IterationCleanup(Target = nameof(DockerRuntimeTask))]
    public void RemoveStore() => DisposeStore(_store);

    [GlobalCleanup]
    public Task Cleanup() => CleanUpEngineAsync();
}

/// <summary>
/// What slots buy on the Docker runtime: <c>Tasks</c> independent tasks each running <c>sh -c 'sleep 0.5'</c> at 4 slots,
/// against the same tasks as a chain (one at a time), both run by the executor on the Docker runtime with the SQLite run
/// store as <c>run --runtime docker</c> runs them. Each reports the makespan of the whole run; the Ratio column is what
/// 4 slots take of the sequential time: 0.25 when all of a task's time runs 4 at a time (the sleeps and any waiting do),
/// more where the engine's share of it queues for the machine's cores.
/// </summary>
/// <remarks>
/// <para>dotnet run -c Release --project tests/Pipelines.Benchmarks -- --filter '*DockerFanOutBenchmarks*'</para>
/// <para>Needs what <see cref="DockerTaskBenchmarks"/> needs; cleans up as it does.</para>
/// <para>Left out: the host program's own start, the runtime probe, the live view and image pulls.</para>
/// </remarks>
[MedianColumn]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 10)]
public class DockerFanOutBenchmarks : DockerBenchmarkBase
{
    private RunContext _chain = null!;
    private RunContext _fanOut = null!;
    private SqliteRunStore _store = null!;

    [Params(20)]
    public int Tasks { get; set; }

    [GlobalSetup]
    public async Task Setup()
    {
        var chain = new DagBuilder().Id("docker_sleep_chain").MaxActiveTasks(1);
        var fanOut = new DagBuilder().Id("docker_sleep_fan_out").MaxActiveTasks(4);
        TaskBuilder? previous = null;
        for (var i = 0; i < Tasks; i++)
        {
            var task = chain.Container($"t{i}", Image).Command("sh", "-c", "sleep 0.5");
            previous?.Then(task);
            previous = task;
            fanOut.Container($"t{i}", Image).Command("sh", "-c", "sleep 0.5");
        }

        _chain = Plan(chain);
        _fanOut = Plan(fanOut);
        await SetUpEngineAsync();
    }

    [IterationSetup]
    public void CreateStore() => _store = NewStore();

    /// <summary>The tasks one after the other.</summary>
    [Benchmark(Baseline = true)]
    public Task<RunOutcome> Sequential() => Succeeded(OnDocker(Engine, _store).RunAsync(_chain), _store);

    /// <summary>The tasks at 4 slots.</summary>
    [Benchmark]
    public Task<RunOutcome> FourSlots() => Succeeded(OnDocker(Engine, _store).RunAsync(_fanOut), _store);

    [IterationCleanup]
    public void RemoveStore() => DisposeStore(_store);

    [GlobalCleanup]
    public Task Cleanup() => CleanUpEngineAsync();
}

/// <summary>
/// What the Docker benchmarks share: the engine and its busybox image (imported once when missing, removed at the end only
/// then), a fresh SQLite run store per iteration (so a fresh store id in every container's name and labels), the removal
/// of every container and volume of those stores, and the docker CLI.
/// </summary>
public abstract class DockerBenchmarkBase : ExecutorBenchmarkBase
{
    /// <summary>The image every task runs: busybox, made here from <c>/bin/busybox</c>.</summary>
    protected const string Image = "registry.localhost/bench/busybox:1";

    /// <summary>The docker CLI, on the same engine.</summary>
    protected const string DockerProgram = "/usr/local/bin/docker";

    private readonly List<string> _storeIds = [];
    private DockerClient _client = null!;
    private string _root = null!;
    private bool _imageMade;
    private int _iteration;

    /// <summary>The engine the runs use, as <c>run</c> finds it for the embedded environment.</summary>
    protected DockerEngine Engine { get; private set; } = null!;

    /// <summary>Connects to the engine, makes the image when it lacks it, and makes the stores' folder.</summary>
    protected async Task SetUpEngineAsync()
    {
        Engine = DockerEngine.For(EnvironmentConfig.DefaultLocal);
        _client = await Engine.ConnectAsync(DockerEngine.ProbeTimeout, CancellationToken.None);
        try
        {
            await _client.Images.InspectImageAsync(Image);
        }
        catch (DockerImageNotFoundException)
        {
            await BusyboxImage.ImportAsync(_client, Image);
            _imageMade = true;
        }

        _root = Directory.CreateTempSubdirectory("pipelines-bench-docker-").FullName;
    }

    /// <summary>A fresh run store (with a fresh store id) for one iteration.</summary>
    protected SqliteRunStore NewStore()
    {
        var store = new SqliteRunStore(Path.Combine(_root, $"state-{_iteration++}.db"));
        _storeIds.Add(store.StoreId);
        return store;
    }

    /// <summary>Closes an iteration's store and removes every container and volume its runs left on the engine.</summary>
    protected void DisposeStore(SqliteRunStore store)
    {
        store.Dispose();
        RemoveContainersAsync(store.StoreId).GetAwaiter().GetResult();
    }

    /// <summary>Runs the docker CLI and throws unless it exits 0.</summary>
    protected static void DockerCli(params string[] arguments)
    {
        using var docker = Process.Start(DockerProgram, arguments);
        docker.WaitForExit();
        if (docker.ExitCode != 0)
        {
            throw new InvalidOperationException($"'docker {string.Join(' ', arguments)}' exited {docker.ExitCode}.");
        }
    }

    /// <summary>Removes every store's containers and volumes, the image when it was made here, and the stores' folder.</summary>
    protected async Task CleanUpEngineAsync()
    {
        foreach (var storeId in _storeIds)
        {
            await RemoveContainersAsync(storeId);
        }

        if (_imageMade)
        {
            await _client.Images.DeleteImageAsync(Image, new ImageDeleteParameters { Force = true });
        }

        _client.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    // Every container and volume labelled with the store's id (the runtime removes its own as each attempt ends: any found
    // here is reported, as a run that left something behind).
    private async Task RemoveContainersAsync(string storeId)
    {
        var filter = new Dictionary<string, IDictionary<string, bool>>
        {
            ["label"] = new Dictionary<string, bool> { [$"{ContainerRenderer.StoreLabel}={storeId}"] = true },
        };
        var containers = await _client.Containers.ListContainersAsync(new ContainersListParameters { All = true, Filters = filter });
        foreach (var container in containers)
        {
            await _client.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true, RemoveVolumes = true });
        }

        var volumes = (await _client.Volumes.ListAsync(new VolumesListParameters { Filters = filter })).Volumes ?? [];
        foreach (var volume in volumes)
        {
            await _client.Volumes.RemoveAsync(volume.Name, force: true);
        }

        if (containers.Count + volumes.Count > 0)
        {
            Console.WriteLine($"// store {storeId} left {containers.Count} container(s) and {volumes.Count} volume(s); removed");
        }
    }
}
