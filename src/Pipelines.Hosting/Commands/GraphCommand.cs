using System.CommandLine;
using Pipelines.Graph;
using Pipelines.Hosting.Reports;

namespace Pipelines.Hosting.Commands;

/// <summary><c>graph DAG [--format mermaid|dot|svg]</c>: the DAG's tasks and edges.</summary>
internal static class GraphCommand
{
    /// <summary>The format <see cref="GraphSvg"/> draws; the others are <see cref="GraphFormat"/>'s.</summary>
    private const string Svg = "svg";

    public static Command Create(HostContext context)
    {
        var dag = new Argument<string>("dag") { Description = "The DAG to draw." };
        var format = new Option<string>("--format") { Description = "mermaid (default), dot, or svg (a layered drawing).", DefaultValueFactory = _ => "mermaid" };
        format.AcceptOnlyFromAmong([.. GraphFormat.Formats, Svg]);
        var command = new Command("graph", "Print a DAG's graph as Mermaid, Graphviz DOT or SVG.") { dag, format };
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

        context.Out.Write(format == Svg ? GraphSvg.Render(entry.Dag!) : GraphFormat.Write(entry.Dag!, format));
        return ExitCodes.Success;
    }
}
