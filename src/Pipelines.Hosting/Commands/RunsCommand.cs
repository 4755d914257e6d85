using System.CommandLine;
using System.Globalization;
using Pipelines.Execution;
using Pipelines.Execution.State;

namespace Pipelines.Hosting.Commands;

/// <summary><c>runs DAG [--state FILE]</c>: the DAG's run history, newest first, with task counts.</summary>
internal static class RunsCommand
{
    public static Command Create(HostContext context)
    {
        var dag = CommonOptions.DagArgument("The DAG.");
        var state = CommonOptions.State();
        var orphans = new Option<bool>("--orphans") { Description = "List the containers (Docker) or pods (Kubernetes) the DAG's attempts left that no live run owns ('clean' removes them)." };
        var environment = CommonOptions.Environment();
        var command = new Command("runs", "List a DAG's runs with their state and task counts.") { dag, state, orphans, environment };
        command.SetAction((result, cancellationToken) => result.GetValue(orphans)
            ? ListOrphansAsync(context, result.GetValue(dag)!, result.GetValue(state), result.GetValue(environment), cancellationToken)
            : Task.FromResult(Run(context, result.GetValue(dag)!, result.GetValue(state))));
        return command;
    }

    private static async Task<int> ListOrphansAsync(HostContext context, string dagId, string? statePath, string? environmentName, CancellationToken cancellationToken)
    {
        var (found, exitCode) = await Orphans.FindAsync(context, dagId, statePath, environmentName, cancellationToken).ConfigureAwait(false);
        if (found is null)
        {
            return exitCode;
        }

        foreach (var left in found)
        {
            using (left)
            {
                if (left.Mine.Count == 0 && left.Others.Count == 0)
                {
                    context.Out.WriteLine($"No {left.Kinds()} of '{dagId}' are left at {left.Inventory.Location}.");
                }

                if (left.Mine.Count > 0)
                {
                    Orphans.Write(context.Out, $"{left.Kinds(capital: true)} of '{dagId}' that no live run owns ('clean {dagId}' removes them):", left.Mine);
                }

                if (left.Others.Count > 0)
                {
                    Orphans.Write(context.Out, $"{left.Kinds(capital: true)} of '{dagId}' of other run stores (not this project's; 'clean' leaves them):", left.Others);
                }
            }
        }

        return ExitCodes.Success;
    }

    /// <summary>
    /// Opens the run store without creating one: null when there is none (<paramref name="missing"/>), or
    /// when <c>pipelines.json</c> is invalid (with a message). A store that cannot be opened throws
    /// <see cref="RunStoreException"/>, which <see cref="PipelineHost"/> reports.
    /// </summary>
    public static IRunStore? OpenExisting(HostContext context, string? statePath, out bool missing)
    {
        missing = false;
        if (context.ConfigOrReport() is not { } config)
        {
            return null;
        }

        // A directory is not "no store": opening it says what is wrong.
        var path = statePath ?? RunPaths.DefaultStatePath(config.RootDirectory);
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            missing = true;
            return null;
        }

        return new SqliteRunStore(path);
    }

    private static int Run(HostContext context, string dagId, string? statePath)
    {
        if (context.FindOrReport(dagId) is null)
        {
            return ExitCodes.UsageError;
        }

        using var store = OpenExisting(context, statePath, out var missing);
        if (store is null)
        {
            if (!missing)
            {
                return ExitCodes.UsageError;
            }

            context.Out.WriteLine($"No runs of '{dagId}' yet.");
            return ExitCodes.Success;
        }

        var runs = store.ListRuns(dagId);
        if (runs.Count == 0)
        {
            context.Out.WriteLine($"No runs of '{dagId}' yet.");
            return ExitCodes.Success;
        }

        context.Out.WriteLine($"{"RUN",-42}  {"STATE",-11}  {"RUNTIME",-9}  {"ENV",-10}  {"STARTED",-19}  {"PEAK MEM",-9}  {"CPU",-8}  TASKS");
        foreach (var run in runs)
        {
            var tasks = store.LoadTasks(dagId, run.RunId).GroupBy(t => t.State).OrderBy(g => g.Key).Select(g => $"{g.Count()} {g.Key.ToAirflowName()}");
            var started = run.StartedAt.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
            var (peak, cpu) = Usage(store.LoadAttempts(dagId, run.RunId));
            context.Out.WriteLine($"{run.RunId,-42}  {StateOf(store, run),-11}  {run.Runtime,-9}  {run.Environment,-10}  {started,-19}  {peak,-9}  {cpu,-8}  {string.Join(", ", tasks)}");
        }

        return ExitCodes.Success;
    }

    // The largest peak memory of the run's attempts and the CPU seconds of all of them, where the runtime measured them
    // (Docker); "-" where none did (local processes).
    private static (string Peak, string Cpu) Usage(IReadOnlyList<AttemptRecord> attempts)
    {
        var peaks = attempts.Where(a => a.MemoryPeakBytes is not null).Select(a => a.MemoryPeakBytes!.Value).ToList();
        var cpus = attempts.Where(a => a.CpuSeconds is not null).Select(a => a.CpuSeconds!.Value).ToList();
        return (
            peaks.Count == 0 ? "-" : TaskHistory.Mebibytes(peaks.Max()),
            cpus.Count == 0 ? "-" : cpus.Sum().ToString("0.00", CultureInfo.InvariantCulture) + " s");
    }

    // A run recorded as running whose lock is free has no live host: it died, or stopped without
    // recording its end (a full disk). A re-run resumes it.
    private static string StateOf(IRunStore store, DagRunRecord run)
    {
        if (run.State != RunState.Running)
        {
            return run.State.ToAirflowName();
        }

        try
        {
            using var probe = store.TryLockRun(run.DagId, run.RunId, out _);
            return probe is null ? "running" : "interrupted";
        }
        catch (RunStoreException)
        {
            return "running"; // the lock cannot be looked at (a read-only folder): the record is all there is
        }
    }
}
