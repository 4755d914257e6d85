using System.Diagnostics;
using System.Globalization;
using Pipelines.Environments;
using Pipelines.Execution;
using Pipelines.Execution.Runtimes;
using Pipelines.Execution.State;
using Pipelines.Rendering;
using Pipelines.Resolution;

namespace Pipelines.Benchmarks;

/// <summary>
/// The executor issue's second figure: upstream-done → downstream-start ≤ 1 ms median, on the real clock with
/// the in-memory store. A chain of N tasks runs on <see cref="ChainRuntime"/>, which stamps
/// <see cref="Stopwatch.GetTimestamp"/> when an attempt ends and when the executor hands it the next
/// one; the latency of link k is start(k) − end(k − 1). One unmeasured warm-up run, then
/// <c>--runs</c> measured runs per attempt duration.
/// </summary>
internal static class LatencyProbe
{
    public static async Task<int> RunAsync(string[] args)
    {
        var tasks = 2_000;
        var runs = 5;
        var store = "memory";
        int[] durations = [0, 1];
        for (var a = 0; a < args.Length; a++)
        {
            switch (args[a])
            {
                case "--tasks": tasks = int.Parse(args[++a], CultureInfo.InvariantCulture); break;
                case "--runs": runs = int.Parse(args[++a], CultureInfo.InvariantCulture); break;
                case "--store": store = args[++a]; break;
                case "--duration-ms": durations = [.. args[++a].Split(',').Select(d => int.Parse(d, CultureInfo.InvariantCulture))]; break;
                default:
                    Console.Error.WriteLine($"unknown option '{args[a]}'; use --tasks N --runs R --duration-ms 0,1 --store memory|sqlite");
                    return 2;
            }
        }

        Console.WriteLine($"command: dotnet run -c Release --project tests/Pipelines.Benchmarks -- --latency {string.Join(' ', args)}".TrimEnd());
        Console.WriteLine($"chain of {tasks} tasks, {runs} measured runs (+1 warm-up) per duration, {store} store, TimeProvider.System, " +
            $"{Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}");
        Console.WriteLine("latency = downstream attempt handed to the runtime − upstream attempt ended (Stopwatch), one sample per link");
        Console.WriteLine();

        var dag = Chain(tasks);
        var date = new DateOnly(2026, 1, 1);
        foreach (var ms in durations)
        {
            var duration = TimeSpan.FromMilliseconds(ms);
            await RunOnceAsync(dag, date, duration, store); // warm-up: JIT, tiering, thread pool
            date = date.AddDays(1);
            var all = new List<double>();
            var medians = new List<double>();
            var wall = new List<double>();
            Console.WriteLine($"attempt duration {ms} ms");
            Console.WriteLine("  run    median µs     p95 µs     p99 µs     max µs    mean µs    wall s");
            for (var r = 1; r <= runs; r++)
            {
                var (samples, seconds) = await RunOnceAsync(dag, date, duration, store);
                date = date.AddDays(1);
                Array.Sort(samples);
                medians.Add(Percentile(samples, 0.5));
                wall.Add(seconds);
                all.AddRange(samples);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {r,3} {Percentile(samples, 0.5),12:0.0} {Percentile(samples, 0.95),10:0.0} {Percentile(samples, 0.99),10:0.0} {samples[^1],10:0.0} {samples.Average(),10:0.0} {seconds,9:0.000}"));
            }

            var sorted = all.Order().ToArray();
            var meanOfMedians = medians.Average();
            var sdOfMedians = Math.Sqrt(medians.Sum(m => (m - meanOfMedians) * (m - meanOfMedians)) / Math.Max(1, medians.Count - 1));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  all  {Percentile(sorted, 0.5),11:0.0} {Percentile(sorted, 0.95),10:0.0} {Percentile(sorted, 0.99),10:0.0} {sorted[^1],10:0.0} {sorted.Average(),10:0.0} {wall.Average(),9:0.000}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  median of {sorted.Length} links: {Percentile(sorted, 0.5):0.0} µs; per-run medians {meanOfMedians:0.0} ± {sdOfMedians:0.0} µs (mean ± sd over {runs} runs)"));
            Console.WriteLine();
        }

        return 0;
    }

    private static async Task<(double[] Samples, double Seconds)> RunOnceAsync(Dag dag, DateOnly date, TimeSpan duration, string storeKind)
    {
        var folder = storeKind == "sqlite" ? Path.Combine(Path.GetTempPath(), "pipelines-latency-" + Guid.NewGuid().ToString("N")) : null;
        IRunStore store = folder is null ? new InMemoryRunStore() : new SqliteRunStore(Path.Combine(folder, "state.db"));
        try
        {
            var runtime = new ChainRuntime(dag, duration, TimeProvider.System);
            var executor = new Executor(runtime, store, TimeProvider.System);
            var started = Stopwatch.GetTimestamp();
            var outcome = await executor.RunAsync(RunContext.Create(dag, date, EnvironmentConfig.DefaultLocal));
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            if (outcome.State != RunState.Success)
            {
                throw new InvalidOperationException($"The chain run ended {outcome.State}.");
            }

            return (runtime.LinkLatenciesMicroseconds(), seconds);
        }
        finally
        {
            store.Dispose();
            if (folder is not null)
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    /// <summary>task_0 → task_1 → … → task_{n−1}, each rendering two templates like the layered DAG's tasks.</summary>
    public static Dag Chain(int tasks)
    {
        var dag = new DagBuilder().Id("chain").Schedule("@daily").Param("table", "orders");
        TaskBuilder? previous = null;
        for (var i = 0; i < tasks; i++)
        {
            var task = dag.Container($"task_{i}", "registry.localhost/etl/runner:1.0")
                .Command("run", "--table", "<< params.table >>", "--date", "<< ds >>");
            if (previous is not null)
            {
                task.DependsOn(previous);
            }

            previous = task;
        }

        return dag.Build();
    }

    internal static double Percentile(double[] sorted, double p)
    {
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var rank = p * (sorted.Length - 1);
        var low = (int)Math.Floor(rank);
        var high = (int)Math.Ceiling(rank);
        return sorted[low] + ((sorted[high] - sorted[low]) * (rank - low));
    }
}

/// <summary>
/// A runtime for a chain DAG that stamps when each attempt is handed to it and when it ends.
/// Zero-length attempts end synchronously; others wait on the given clock, like a real container.
/// </summary>
internal sealed class ChainRuntime : IContainerRuntime, IRuntimeSession
{
    public Task ForgetAsync(AttemptKey attempt) => Task.CompletedTask;

    public ValueTask<IRuntimeSession> OpenAsync(RunContext run, CancellationToken cancellationToken) => ValueTask.FromResult<IRuntimeSession>(this);

    public Task<IReadOnlyList<Leftover>> FindLeftoversAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<Leftover>>([]);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private readonly Dictionary<string, int> _index;
    private readonly string[] _order;
    private readonly long[] _start;
    private readonly long[] _end;
    private readonly TimeSpan _duration;
    private readonly TimeProvider _time;

    public ChainRuntime(Dag dag, TimeSpan duration, TimeProvider time)
    {
        _order = [.. dag.TopologicalOrder];
        _index = new Dictionary<string, int>(_order.Length, StringComparer.Ordinal);
        for (var i = 0; i < _order.Length; i++)
        {
            _index[_order[i]] = i;
        }

        _start = new long[_order.Length];
        _end = new long[_order.Length];
        _duration = duration;
        _time = time;
    }

    public string Name => "chain";

    public Task<AttemptResult> RunAsync(ResolvedTask attempt, IAttemptSink sink, CancellationToken cancellationToken)
    {
        var i = _index[attempt.Task.Id];
        _start[i] = Stopwatch.GetTimestamp();
        _ = sink.StartedAsync("chain:" + attempt.Task.Id);
        if (_duration <= TimeSpan.Zero)
        {
            _end[i] = Stopwatch.GetTimestamp();
            return Task.FromResult(AttemptResult.Exited(0));
        }

        return WaitAsync(i, cancellationToken);
    }

    public Task<AttemptResult?> AdoptAsync(ResolvedTask attempt, string? handle, LogCursor? resumeAfter, IAttemptSink sink, CancellationToken cancellationToken) =>
        Task.FromResult<AttemptResult?>(null);

    /// <summary>start(k) − end(k − 1) for each link of the chain, in microseconds.</summary>
    public double[] LinkLatenciesMicroseconds()
    {
        var samples = new double[_order.Length - 1];
        for (var k = 1; k < _order.Length; k++)
        {
            samples[k - 1] = (_start[k] - _end[k - 1]) * 1_000_000.0 / Stopwatch.Frequency;
        }

        return samples;
    }

    private async Task<AttemptResult> WaitAsync(int i, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(_duration, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _end[i] = Stopwatch.GetTimestamp();
            return AttemptResult.Stopped("stopped");
        }

        _end[i] = Stopwatch.GetTimestamp();
        return AttemptResult.Exited(0);
    }
}
