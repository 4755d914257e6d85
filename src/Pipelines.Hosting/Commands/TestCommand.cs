using System.CommandLine;
using Pipelines.Execution.State;

namespace Pipelines.Hosting.Commands;

/// <summary>
/// <c>test DAG TASK --date D</c>: runs one task alone, ignoring its dependencies, as
/// <c>airflow tasks test</c> does. It reads the outputs the DAG's run for that date recorded, and
/// records nothing.
/// </summary>
internal static class TestCommand
{
    public static Command Create(HostContext context)
    {
        var dag = CommonOptions.DagArgument("The DAG.");
        var task = new Argument<string>("task") { Description = "The task to run alone." };
        var date = CommonOptions.Date();
        var runtime = RunCommand.Runtime();
        var environment = CommonOptions.Environment();
        var parameters = CommonOptions.Params();
        var state = CommonOptions.State();
        var command = new Command("test", "Run one task alone, ignoring its dependencies; nothing is recorded.") { dag, task, date, runtime, environment, parameters, state };
        command.SetAction((result, _) => RunCommand.RunAsync(
            context,
            result.GetValue(dag)!,
            result.GetValue(date),
            result.GetValue(environment),
            result.GetValue(parameters)!,
            result.GetValue(runtime),
            maxActive: null,
            plain: true,
            result.GetValue(state),
            new HashSet<string>(StringComparer.Ordinal) { result.GetValue(task)! },
            Snapshot));
        return command;
    }

    // A copy of the recorded run in memory: the test reads upstream outputs and writes nothing back.
    private static InMemoryRunStore Snapshot(IRunStore recorded, string dagId, string runId)
    {
        var copy = new InMemoryRunStore();
        if (recorded.FindRun(dagId, runId) is { } run)
        {
            var batch = new StoreBatch();
            batch.Runs.Add(run);
            batch.Tasks.AddRange(recorded.LoadTasks(dagId, runId).Select(t => (dagId, runId, t)));
            batch.Attempts.AddRange(recorded.LoadAttempts(dagId, runId).Select(a => (dagId, runId, a)));
            copy.Commit(batch);
        }

        return copy;
    }
}
