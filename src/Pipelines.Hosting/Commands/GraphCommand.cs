using System.CommandLine;
using Pipelines.Graph;

namespace Pipelines.Hosting.Commands;

/// <summary><c>graph DAG [--format mermaid|dot]</c>: the DAG's tasks and edges.</summary>
internal static class GraphCommand
{
    public static Command Create(HostContext context)
    {
        var dag = new Argument<string>("dag") { Description = "The DAG to draw." };
        var format = new Option<string>("--format") { Description = "mermaid (default) or dot.", DefaultValueFactory = _ => "mermaid" };
        format.AcceptOnlyFromAmong([.. GraphFormat.Formats]);
        var command = new Command("graph", "Print a DAG's graph as Mermaid or Graphviz DOT.") { dag, format };
        command.SetAction(result => Run(context, result.GetValue(dag)!, result.GetValue(format)!));
        return command;
    }

    private static int Run(HostContext context, string dagId, string format)
    {
        var entry = context.FindOrReport(dagId);
        if (entry is null)
        {
            return ExitCodes.UsageError;
        }

        if (!entry.IsValid)
        {
            context.WriteProblems(entry, context.Error);
            return ExitCodes.UsageError;
        }

        context.Out.Write(GraphFormat.Write(entry.Dag!, format));
        return ExitCodes.Success;
    }
}
