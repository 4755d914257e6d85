using System.CommandLine;
using Pipelines.Rendering;
using Pipelines.Resolution;

namespace Pipelines.Hosting.Commands;

/// <summary>
/// <c>render DAG --date D --target kubernetes|docker [--out DIR] [--strict] [--env NAME]</c>: exactly
/// what a runtime would receive for each task, deterministic, so it diffs cleanly in review.
/// </summary>
internal static class RenderCommand
{
    public static Command Create(HostContext context)
    {
        var dag = CommonOptions.DagArgument("The DAG to render.");
        var date = CommonOptions.Date();
        var target = new Option<string>("--target") { Description = "kubernetes (pods) or docker (create requests).", Required = true };
        target.AcceptOnlyFromAmong([.. context.Renderers.Keys]);
        var output = new Option<DirectoryInfo?>("--out") { Description = "Write one <task_id>.yaml per task into this folder instead of stdout." };
        var strict = new Option<bool>("--strict") { Description = "Treat settings the target cannot honour as errors." };
        var environment = CommonOptions.Environment();
        var parameters = CommonOptions.Params();
        var command = new Command("render", "Render each task of a DAG as its target receives it (pods as YAML).")
        {
            dag, date, target, output, strict, environment, parameters,
        };
        command.SetAction(result => Run(
            context,
            result.GetValue(dag)!,
            result.GetValue(date),
            context.Renderers[result.GetValue(target)!],
            result.GetValue(output),
            result.GetValue(strict),
            result.GetValue(environment),
            result.GetValue(parameters)!));
        return command;
    }

    private static int Run(
        HostContext context,
        string dagId,
        RunDate date,
        ISpecRenderer renderer,
        DirectoryInfo? output,
        bool strict,
        string? environmentName,
        Dictionary<string, string> parameters)
    {
        var dag = context.ValidDagOrReport(dagId);
        var run = dag is null ? null : context.RunOrReport(dag, date, environmentName, parameters);
        if (run is null)
        {
            return ExitCodes.UsageError;
        }

        var specs = new List<RenderedSpec>();
        var problems = new List<DefinitionProblem>();
        foreach (var taskId in dag!.TopologicalOrder)
        {
            try
            {
                specs.Add(renderer.Render(TaskResolver.Preview(run, dag[taskId]), context.Config!.RootDirectory));
            }
            catch (PipelineDefinitionException ex)
            {
                problems.AddRange(ex.Problems);
            }
        }

        // Under --strict a setting the target cannot honour is an error, not a warning.
        var diagnostics = specs.SelectMany(s => s.Diagnostics)
            .Select(d => strict ? d with { Severity = DiagnosticSeverity.Error } : d)
            .ToList();
        foreach (var problem in problems)
        {
            context.Error.WriteLine($"error: {problem}");
        }

        foreach (var diagnostic in diagnostics)
        {
            context.Error.WriteLine(diagnostic.ToString());
        }

        var errors = problems.Count + diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error);
        if (errors > 0)
        {
            context.Error.WriteLine($"Nothing rendered: {errors} error(s){(strict ? " (--strict)" : string.Empty)}.");
            return ExitCodes.UsageError;
        }

        if (output is null)
        {
            context.Out.Write(CanonicalYaml.Join(specs.Select(s => s.ToYaml())));
        }
        else
        {
            output.Create();
            foreach (var spec in specs)
            {
                File.WriteAllText(Path.Combine(output.FullName, spec.TaskId + ".yaml"), spec.ToYaml());
            }

            context.Error.WriteLine($"Wrote {specs.Count} file(s) to {output.FullName}");
        }

        return ExitCodes.Success;
    }
}
