using System.CommandLine;
using Pipelines.Execution;

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
        var runtime = RunCommand.Runtime(context);
        var environment = CommonOptions.Environment();
        var parameters = CommonOptions.Params();
        var state = CommonOptions.State();
        var command = new Command("test", "Run one task alone, ignoring its dependencies; nothing is recorded.") { dag, task, date, runtime, environment, parameters, state };
        command.SetAction((result, cancellationToken) => RunCommand.RunAsync(
            context,
            new RunRequest(
                result.GetValue(dag)!,
                result.GetValue(date),
                result.GetValue(environment),
                result.GetValue(parameters)!,
                result.GetValue(runtime),
                MaxActive: null,
                Plain: true,
                result.GetValue(state),
                RunScope.Alone([result.GetValue(task)!]),
                Records: false),
            cancellationToken));
        return command;
    }
}
