using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using Pipelines.Environments;
using Pipelines.Execution;
using Pipelines.Execution.State;
using Pipelines.Rendering;
using Pipelines.Testing;

namespace Pipelines.Benchmarks;

/// <summary>
/// The executor issue's third figure, a quality one: on layered random DAGs with far more tasks than slots
/// (2,000 tasks, 16 slots, durations 1–100 s), makespan ÷ max(critical path, total work ÷ slots) ≤ 1.05.
/// Each DAG runs in virtual time (<see cref="FakeTimeProvider"/>, 1 s steps; every duration is whole
/// seconds, so the steps are exact) twice on one store: "cold", the first run, when the executor
/// ranks tasks by path length in tasks (it knows no durations), and "warm", a second run that ranks
/// them by the medians of the first run's durations.
/// </summary>
internal static class MakespanProbe
{
    private static readonly DateTimeOffset Start = new(2026, 11, 25, 6, 0, 0, TimeSpan.Zero);

    public static async Task<int> RunAsync(string[] args)
    {
        var tasks = 2_000;
        var slots = 16;
        var seeds = 5;
        for (var a = 0; a < args.Length; a++)
        {
            switch (args[a])
            {
                case "--tasks": tasks = int.Parse(args[++a], CultureInfo.InvariantCulture); break;
                case "--slots": slots = int.Parse(args[++a], CultureInfo.InvariantCulture); break;
                case "--seeds": seeds = int.Parse(args[++a], CultureInfo.InvariantCulture); break;
                default:
                    Console.Error.WriteLine($"unknown option '{args[a]}'; use --tasks N --slots S --seeds K");
                    return 2;
            }
        }

        Console.WriteLine($"command: dotnet run -c Release --project tests/Pipelines.Benchmarks -- --makespan {string.Join(' ', args)}".TrimEnd());
        Console.WriteLine($"{tasks} tasks, {slots} slots, integer durations uniform in 1..100 s, FakeTimeProvider in 1 s steps, in-memory store");
        Console.WriteLine("ratio = makespan ÷ max(critical path, total work ÷ slots); makespan = last end − first start of the run's attempts");
        Console.WriteLine();
        Console.WriteLine("family                         seed   layers  crit.path s  work/slots s   bound s   cold makespan  cold ratio   warm makespan  warm ratio");

        (string Family, int MinWidth, int MaxWidth, int MinFanIn, int MaxFanIn)[] families =
        [
            ("width 100, fan-in 3", 100, 100, 3, 3),
            ("width 10–190, fan-in 1–3", 10, 190, 1, 3),
            ("width 8–40, fan-in 1–3", 8, 40, 1, 3),
        ];

        double worstCold = 0, worstWarm = 0;
        for (var f = 0; f < families.Length; f++)
        {
            var (family, minWidth, maxWidth, minFanIn, maxFanIn) = families[f];
            for (var seed = 1; seed <= seeds; seed++)
            {
                var (dag, layers) = RandomLayered(tasks, slots, seed, minWidth, maxWidth, minFanIn, maxFanIn);
                var durations = new Random((seed * 7_919) + (f * 104_729) + 17);
                var duration = dag.Tasks.ToDictionary(t => t.Id, _ => durations.Next(1, 101), StringComparer.Ordinal);
                var critical = CriticalPath(dag, duration);
                var perSlot = duration.Values.Sum() / (double)slots;
                var bound = Math.Max(critical, perSlot);

                var store = new InMemoryRunStore();
                var cold = await MakespanAsync(dag, duration, store, new DateOnly(2026, 11, 25));
                var warm = await MakespanAsync(dag, duration, store, new DateOnly(2026, 11, 26));
                worstCold = Math.Max(worstCold, cold / bound);
                worstWarm = Math.Max(worstWarm, warm / bound);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{family,-30} {seed,4} {layers,8} {critical,12:0} {perSlot,13:0.0} {bound,9:0.0} {cold,15:0} {cold / bound,11:0.0000} {warm,15:0} {warm / bound,11:0.0000}"));
            }
        }

        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"worst ratio: cold {worstCold:0.0000}, warm {worstWarm:0.0000} (target ≤ 1.05)"));
        return 0;
    }

    // Runs the DAG to its end in virtual time and returns its makespan in seconds.
    private static async Task<double> MakespanAsync(Dag dag, Dictionary<string, int> duration, IRunStore store, DateOnly date)
    {
        var time = new FakeTimeProvider(Start);
        var runtime = new SimulatedRuntime(time)
        {
            Default = t => new SimulatedAttempt(TimeSpan.FromSeconds(duration[t.Task.Id])),
        };
        var executor = new Executor(runtime, store, time);
        var run = executor.RunAsync(RunContext.Create(dag, date, EnvironmentConfig.DefaultLocal));
        while (true)
        {
            await executor.WhenIdleAsync();
            if (run.IsCompleted)
            {
                break;
            }

            time.Advance(TimeSpan.FromSeconds(1));
        }

        var outcome = await run;
        var history = runtime.History;
        if (outcome.State != RunState.Success || history.Count != dag.Tasks.Length)
        {
            throw new InvalidOperationException($"The run ended {outcome.State} after {history.Count} attempts of {dag.Tasks.Length} tasks.");
        }

        foreach (var attempt in history)
        {
            if (attempt.End - attempt.Start != TimeSpan.FromSeconds(duration[attempt.TaskId]))
            {
                throw new InvalidOperationException($"{attempt.TaskId} ran {attempt.End - attempt.Start}, not {duration[attempt.TaskId]} s.");
            }
        }

        return (history.Max(h => h.End) - history.Min(h => h.Start)).TotalSeconds;
    }

    private static double CriticalPath(Dag dag, Dictionary<string, int> duration)
    {
        var finish = new Dictionary<string, double>(StringComparer.Ordinal);
        var tasks = dag.Tasks.ToDictionary(t => t.Id, StringComparer.Ordinal);
        foreach (var id in dag.TopologicalOrder)
        {
            var ready = 0.0;
            foreach (var up in tasks[id].Upstream)
            {
                ready = Math.Max(ready, finish[up]);
            }

            finish[id] = ready + duration[id];
        }

        return finish.Values.Max();
    }

    /// <summary>
    /// Layers of random width in [minWidth, maxWidth] (the last one takes what is left); each task past
    /// the first layer depends on a random number in [minFanIn, maxFanIn] of distinct tasks of the layer before.
    /// </summary>
    public static (Dag Dag, int Layers) RandomLayered(int tasks, int slots, int seed, int minWidth, int maxWidth, int minFanIn, int maxFanIn)
    {
        var random = new Random(seed);
        var dag = new DagBuilder().Id("random_layered").Schedule("@daily").MaxActiveTasks(slots).Param("table", "orders");
        var previous = new List<TaskBuilder>();
        var layers = 0;
        var made = 0;
        while (made < tasks)
        {
            var width = Math.Min(tasks - made, random.Next(minWidth, maxWidth + 1));
            var current = new List<TaskBuilder>(width);
            for (var w = 0; w < width; w++, made++)
            {
                var task = dag.Container($"task_{made}", "registry.localhost/etl/runner:1.0")
                    .Command("run", "--table", "<< params.table >>", "--date", "<< ds >>");
                if (previous.Count > 0)
                {
                    var fanIn = Math.Min(previous.Count, random.Next(minFanIn, maxFanIn + 1));
                    foreach (var up in previous.OrderBy(_ => random.Next()).Take(fanIn))
                    {
                        task.DependsOn(up);
                    }
                }

                current.Add(task);
            }

            previous = current;
            layers++;
        }

        return (dag.Build(), layers);
    }
}
