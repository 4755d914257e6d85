using System.CommandLine;
using System.Globalization;
using Pipelines.Execution;
using Pipelines.Execution.State;
using Pipelines.Hosting.Running;

namespace Pipelines.Hosting.Commands;

/// <summary>
/// <c>scheduler [DAG…] [--env NAME] [--runtime …] [--state FILE]</c>: runs until Ctrl+C or SIGTERM and starts each DAG's
/// run when its data interval closes (run id <c>scheduled__&lt;logical date&gt;</c>), up to the DAG's
/// <c>MaxActiveRuns</c> at once. With <c>Catchup()</c> every interval that closed since the start date is run, oldest
/// first; without, only the latest. A run the store already has is never started again: one that ended is left, one a
/// dead host left running (or a stopped scheduler left cancelled) is resumed, adopting what still runs. One scheduler
/// starts runs from a store at a time (an OS file lock); a second waits and takes over when the first dies.
/// </summary>
internal static class SchedulerCommand
{
    private static readonly TimeSpan Retake = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan BlockedFor = TimeSpan.FromSeconds(30);

    public static Command Create(HostContext context)
    {
        var dags = new Argument<string[]>("dags") { Description = "The DAGs to schedule (default: every DAG with a recurring schedule).", Arity = ArgumentArity.ZeroOrMore };
        var runtime = RunCommand.Runtime(context);
        var environment = CommonOptions.Environment();
        var state = CommonOptions.State();
        var command = new Command("scheduler", "Run DAGs on their schedules until stopped (Ctrl+C, SIGTERM).") { dags, runtime, environment, state };
        command.SetAction((result, cancellationToken) => RunAsync(context, result.GetValue(dags) ?? [], result.GetValue(runtime), result.GetValue(environment), result.GetValue(state)));
        return command;
    }

    private static async Task<int> RunAsync(HostContext context, string[] names, string? runtime, string? environment, string? statePath)
    {
        var dags = new List<Dag>();
        foreach (var name in names.Length > 0 ? names : [.. context.Catalog.Entries.Where(e => e.Dag?.Schedule.IsRecurring == true).Select(e => e.DagId)])
        {
            if (context.ValidDagOrReport(name) is not { } dag)
            {
                return ExitCodes.UsageError;
            }

            if (!dag.Schedule.IsRecurring)
            {
                context.Error.WriteLine($"DAG '{dag.Id}' has no recurring schedule ({dag.Schedule}); the scheduler has nothing to run for it.");
                return ExitCodes.UsageError;
            }

            dags.Add(dag);
        }

        if (dags.Count == 0 || context.ConfigOrReport() is not { } config)
        {
            context.Error.WriteLine(dags.Count == 0 ? "No DAG has a recurring schedule; nothing to schedule." : string.Empty);
            return ExitCodes.UsageError;
        }

        using var signals = new StopSignals();
        using var store = new SqliteRunStore(statePath ?? RunPaths.DefaultStatePath(config.RootDirectory));
        var held = store.TryLockScheduler(out var holder);
        if (held is null)
        {
            context.Out.WriteLine($"Another scheduler holds {store.Location} ({holder}); waiting to take over.");
            while (held is null)
            {
                try
                {
                    await Task.Delay(Retake, context.Time, signals.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return signals.ExitCode ?? ExitCodes.Interrupted;
                }

                held = store.TryLockScheduler(out _);
            }
        }

        using (held)
        {
            context.Out.WriteLine($"Scheduler of {string.Join(", ", dags.Select(d => $"{d.Id} ({d.Schedule}{(d.Catchup ? ", catchup" : string.Empty)})"))}; store {store.Location}.");
            return await LoopAsync(context, dags, store, runtime, environment, statePath, signals).ConfigureAwait(false);
        }
    }

    private static async Task<int> LoopAsync(HostContext context, List<Dag> dags, SqliteRunStore store, string? runtime, string? environment, string? statePath, StopSignals signals)
    {
        var output = TextWriter.Synchronized(context.Out);
        var errors = TextWriter.Synchronized(context.Error);
        var active = new Dictionary<(string Dag, DateTimeOffset Logical), Task<int>>();
        var blocked = new Dictionary<(string Dag, DateTimeOffset Logical), DateTimeOffset>(); // could not start: tried again later
        while (!signals.Token.IsCancellationRequested)
        {
            var now = context.Time.GetUtcNow();
            foreach (var dag in dags)
            {
                var running = active.Keys.Count(k => k.Dag == dag.Id);
                foreach (var logical in Due(dag, store, now))
                {
                    if (running >= dag.MaxActiveRuns || signals.Token.IsCancellationRequested)
                    {
                        break; // no new run once a stop signal came
                    }

                    if (active.ContainsKey((dag.Id, logical)) || (blocked.TryGetValue((dag.Id, logical), out var until) && until > now))
                    {
                        continue;
                    }

                    var mark = $"[{dag.Id} {RunDate.Iso(logical)}] ";
                    var request = new RunRequest(dag.Id, RunDate.At(logical), environment, new Dictionary<string, string>(), runtime, null, Plain: true, statePath, RunScope.All, Records: true, RunKind: "scheduled");
                    active[(dag.Id, logical)] = RunOneAsync(context, request, new LinePrefixWriter(output, mark), new LinePrefixWriter(errors, mark));
                    running++;
                }
            }

            foreach (var done in active.Where(a => a.Value.IsCompleted).Select(a => a.Key).ToList())
            {
                if (active[done].Result == ExitCodes.UsageError)
                {
                    blocked[done] = now + BlockedFor; // another host holds it, or it cannot start as defined: not in a tight loop
                }

                active.Remove(done);
            }

            // Sleep until the next interval closes or a run ends (its slot frees, or a catchup has more).
            var wake = dags.Select(d => d.Schedule.Next(now)).Where(t => t is not null).Min() ?? now.AddMinutes(1);
            using var nap = CancellationTokenSource.CreateLinkedTokenSource(signals.Token);
            var delay = Task.Delay(wake - now < TimeSpan.Zero ? TimeSpan.Zero : wake - now + TimeSpan.FromMilliseconds(5), context.Time, nap.Token);
            await Task.WhenAny([delay, .. active.Values]).ConfigureAwait(false);
            await nap.CancelAsync().ConfigureAwait(false);
        }

        context.Out.WriteLine($"Scheduler stopping: {active.Count} run(s) are being stopped; the next scheduler resumes them.");
        await Task.WhenAll(active.Values).ConfigureAwait(false);
        return signals.ExitCode ?? ExitCodes.Interrupted;
    }

    private static async Task<int> RunOneAsync(HostContext context, RunRequest request, LinePrefixWriter output, LinePrefixWriter error)
    {
        using (output)
        using (error)
        {
            await Task.Yield();
            return await RunCommand.RunAsync(context.WritingTo(output, error), request, CancellationToken.None).ConfigureAwait(false);
        }
    }

    // The logical dates whose run is due at now and not ended in the store, oldest first: with catchup every closed
    // interval since the start date, else the latest; and any scheduled run left unfinished (a dead host's, a stopped
    // scheduler's), which resumes.
    private static IEnumerable<DateTimeOffset> Due(Dag dag, IRunStore store, DateTimeOffset now)
    {
        var runs = store.ListRuns(dag.Id).Where(r => r.RunId.StartsWith("scheduled__", StringComparison.Ordinal)).ToDictionary(r => r.RunId, StringComparer.Ordinal);
        foreach (var unfinished in runs.Values.Where(r => r.State is RunState.Running or RunState.Cancelled).OrderBy(r => r.LogicalDate))
        {
            yield return unfinished.LogicalDate;
        }

        var closedEnd = dag.Schedule.IsTick(now) ? dag.Schedule.InZone(now) : dag.Schedule.Previous(now);
        var latest = closedEnd is { } end ? dag.Schedule.Previous(end) : null;
        var first = dag.Catchup && dag.StartDate is { } start ? (dag.Schedule.IsTick(start) ? start : dag.Schedule.Next(start)) : latest;
        for (var tick = first; tick is { } t && latest is { } last && t <= last; tick = dag.Schedule.Next(t))
        {
            if ((dag.StartDate is { } s && t < s) || (dag.EndDate is { } e && t > e))
            {
                continue;
            }

            if (!runs.ContainsKey(RunContext.RunIdFor(dag, t, "scheduled")))
            {
                yield return t; // lazily: the caller takes as many as it has slots for
            }
        }
    }

}
