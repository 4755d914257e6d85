using System.CommandLine;
using Pipelines.Hosting.Catalog;

namespace Pipelines.Hosting.Commands;

/// <summary>
/// <c>validate [DAG]</c>: every definition problem — what <c>Build()</c> finds, and for a DAG that
/// builds, what each target an environment of <c>pipelines.json</c> uses would refuse (Secret and claim
/// names on Kubernetes, volume names on Docker, …); exit 2 if there is any.
/// </summary>
internal static class ValidateCommand
{
    public static Command Create(HostContext context)
    {
        var dag = new Argument<string?>("dag") { Description = "The DAG to check; all of them when left out.", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("validate", "Check DAG definitions, also against the targets of every environment, and report every problem; exit 2 if there is any.") { dag };
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

        if (context.ConfigOrReport() is not { } config)
        {
            return ExitCodes.UsageError;
        }

        var targets = EnvironmentTarget.Of(config, context.Runtimes);
        var valid = true;
        foreach (var entry in entries)
        {
            var problems = entry.Dag is { } built && entry.IsValid ? TargetProblems(built, targets) : entry.Problems;
            if (problems.Count == 0)
            {
                context.Out.WriteLine($"✓ {entry.DagId}: {entry.Dag!.Tasks.Length} task{(entry.Dag.Tasks.Length == 1 ? "" : "s")}, valid");
            }
            else
            {
                valid = false;
                context.WriteProblems(entry.DagId, problems, context.Out);
            }
        }

        return valid ? ExitCodes.Success : ExitCodes.UsageError;
    }

    // Each task's problems together, target by target.
    private static List<DefinitionProblem> TargetProblems(Dag dag, IReadOnlyList<EnvironmentTarget> targets)
    {
        var problems = new List<DefinitionProblem>();
        foreach (var task in dag.Tasks)
        {
            foreach (var target in targets)
            {
                foreach (var error in target.Renderer.CheckDefinition(dag.Id, task))
                {
                    problems.Add(new DefinitionProblem(dag.Id, task.Id, error.Field, $"on {error.Target} ({target.Environments}): {error.Message}"));
                }
            }
        }

        return problems;
    }
}
