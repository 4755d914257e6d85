using Pipelines.Rendering;
using Pipelines.Resolution;
using Pipelines.Secrets;
using Pipelines.Templating;

namespace Pipelines.Execution;

/// <summary>
/// What is checked before a run starts anything: every task whose templates do not read upstream outputs resolves
/// (those that do resolve when their upstream is done) and renders for the runtime's target without an error — so
/// <c>run</c> and <c>render --target</c> never disagree — and every secret a local runtime must resolve is there.
/// Each resolved secret value is added to the masker.
/// </summary>
public static class RunPreflight
{
    /// <summary>Every problem found; empty when the run may start.</summary>
    /// <param name="run">The run.</param>
    /// <param name="secrets">Resolves secrets for a local runtime; null when the runtime resolves them itself (Kubernetes).</param>
    /// <param name="masker">Receives every secret value resolved.</param>
    /// <param name="taskIds">The tasks that will run; all when null.</param>
    /// <param name="target">The renderer of the runtime's target and the project root it reads from; null for a runtime that renders no spec.</param>
    /// <param name="warnings">Receives what the target cannot honour (its warnings); an error is a problem.</param>
    public static IReadOnlyList<DefinitionProblem> Check(
        RunContext run,
        ISecretResolver? secrets,
        SecretMasker? masker,
        IReadOnlySet<string>? taskIds = null,
        (ISpecRenderer Renderer, string ProjectRoot)? target = null,
        ICollection<RenderDiagnostic>? warnings = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        var problems = new List<DefinitionProblem>();
        foreach (var task in run.Dag.Tasks)
        {
            if (taskIds is not null && !taskIds.Contains(task.Id))
            {
                continue;
            }

            if (!ReadsOutputs(task))
            {
                try
                {
                    var attempt = TaskResolver.Resolve(run, task);
                    if (target is var (renderer, root))
                    {
                        Render(renderer, attempt, root, problems, warnings);
                    }
                }
                catch (PipelineDefinitionException ex)
                {
                    problems.AddRange(ex.Problems);
                }
            }

            if (secrets is not null)
            {
                CheckSecrets(run.Dag.Id, task, secrets, masker, problems);
            }
        }

        return problems;
    }

    private static void Render(ISpecRenderer renderer, ResolvedTask attempt, string projectRoot, List<DefinitionProblem> problems, ICollection<RenderDiagnostic>? warnings)
    {
        foreach (var diagnostic in renderer.Render(attempt, projectRoot).Diagnostics)
        {
            if (diagnostic.Severity == DiagnosticSeverity.Error)
            {
                problems.Add(new DefinitionProblem(diagnostic.DagId, diagnostic.TaskId, diagnostic.Field, $"{diagnostic.Target}: {diagnostic.Message}"));
            }
            else
            {
                warnings?.Add(diagnostic);
            }
        }
    }

    /// <summary>True when a template of the task reads <c>tasks.*</c> (upstream outputs).</summary>
    public static bool ReadsOutputs(ContainerTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        var reads = false;
        task.MapStrings((value, _) =>
        {
            reads |= TemplateText.MayContainTemplate(value) && TemplateText.Analyze(value).References.Any(r => r.Root == "tasks");
            return value;
        });
        return reads;
    }

    private static void CheckSecrets(string dagId, ContainerTask task, ISecretResolver secrets, SecretMasker? masker, List<DefinitionProblem> problems)
    {
        foreach (var env in task.SecretEnv)
        {
            if (secrets.TryResolve(env.Secret, out var value))
            {
                masker?.Add(value, SecretSource(env.Secret.Name, env.Secret.Key));
            }
            else
            {
                problems.Add(new DefinitionProblem(dagId, task.Id, $"secretEnv.{env.Name}", MissingSecret(env.Secret)));
            }
        }

        foreach (var source in task.EnvFrom.Where(e => e.Kind == EnvSourceKind.Secret))
        {
            RequireAll(dagId, task.Id, "envFrom", source.Name, secrets, masker, problems);
        }

        foreach (var mount in task.Mounts)
        {
            if (mount.Volume is SecretVolume volume)
            {
                RequireAll(dagId, task.Id, $"mounts.{mount.MountPath}", volume.SecretName, secrets, masker, problems);
            }
        }
    }

    /// <summary>How a secret value is named in messages and warnings: <c>secret 'db' key 'PASSWORD'</c>.</summary>
    public static string SecretSource(string secretName, string key) => $"secret '{secretName}' key '{key}'";

    /// <summary>What to say when a local runtime (or the host) cannot resolve <paramref name="secret"/>: where its value may come from.</summary>
    public static string MissingSecret(SecretRef secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return $"{SecretSource(secret.Name, secret.Key)} is not set here; set {EnvironmentSecretResolver.VariableName(secret.Name, secret.Key)} or add it to the environment's secretsFile";
    }

    private static void RequireAll(string dagId, string taskId, string field, string secretName, ISecretResolver secrets, SecretMasker? masker, List<DefinitionProblem> problems)
    {
        var all = secrets.TryResolveAll(secretName);
        if (all is null || all.Count == 0)
        {
            problems.Add(new DefinitionProblem(dagId, taskId, field,
                $"secret '{secretName}' is not set here; set {EnvironmentSecretResolver.VariablePrefix}<NAME>_<KEY> variables or add it to the environment's secretsFile"));
            return;
        }

        foreach (var (key, value) in all)
        {
            masker?.Add(value, SecretSource(secretName, key));
        }
    }
}
