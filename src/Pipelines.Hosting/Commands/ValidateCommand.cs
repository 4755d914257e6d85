using System.CommandLine;

namespace Pipelines.Hosting.Commands;

/// <summary><c>validate [DAG]</c>: every definition problem; exit 2 if there is any.</summary>
internal static class ValidateCommand
{
    public static Command Create(HostContext context)
    {
        var dag = new Argument<string?>("dag") { Description = "The DAG to check; all of them when left out.", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("validate", "Check DAG definitions and report every problem; exit 2 if there is any.") { dag };
        command.SetAction(result => Run(context, result.GetValue(dag)));
        return command;
    }

    private static int Run(HostContext context, string? dagId)
    {
        IEnumerable<PipelineEntry> entries;
        if (dagId is null)
        {
            entries = context.Catalog.Entries;
        }
        else
        {
            var entry = context.FindOrReport(dagId);
            if (entry is null)
            {
                return ExitCodes.UsageError;
            }

            entries = [entry];
        }

        var valid = true;
        foreach (var entry in entries)
        {
            if (entry.IsValid)
            {
                context.Out.WriteLine($"✓ {entry.DagId}: {entry.Dag!.Tasks.Length} task{(entry.Dag.Tasks.Length == 1 ? "" : "s")}, valid");
            }
            else
            {
                valid = false;
                context.WriteProblems(entry, context.Out);
            }
        }

        return valid ? ExitCodes.Success : ExitCodes.UsageError;
    }
}
