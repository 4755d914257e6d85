using Pipelines.Execution;
using Pipelines.Execution.Runtimes;
using Pipelines.Execution.State;
using Pipelines.Hosting.Commands;
using Pipelines.Processes;
using Pipelines.Rendering;
using Pipelines.Secrets;

namespace Pipelines.Hosting.Commands;

/// <summary>Everything a run needs, checked before anything starts.</summary>
internal sealed record RunSetup(RunContext Run, IContainerRuntime Runtime, IRunStore Store, ExecutorOptions Options, SecretMasker Masker, string RuntimeLine) : IDisposable
{
    public void Dispose() => Store.Dispose();
}

/// <summary>
/// Prepares a run for <c>run</c> and <c>test</c>: the environment, the runtime (and why), the run
/// store, secrets, and a preflight of templates and secrets — every problem is reported and nothing
/// starts (exit 2).
/// </summary>
internal static class RunLauncher
{
    public static readonly string[] RuntimeNames = ["auto", "process", "docker", "kubernetes"];

    public static RunSetup? Prepare(
        HostContext context,
        Dag dag,
        DateOnly date,
        string? environmentName,
        IReadOnlyDictionary<string, string> parameters,
        string? runtimeName,
        int? maxActive,
        string? statePath,
        IReadOnlySet<string>? onlyTasks)
    {
        var run = context.RunOrReport(dag, date, environmentName, parameters);
        if (run is null)
        {
            return null;
        }

        var root = context.Config!.RootDirectory;
        var environment = run.Environment;
        var requested = runtimeName ?? environment.Runtime;
        string line;
        switch (requested)
        {
            case "auto":
                line = $"Runtime: process — 'auto' (environment '{environment.Name}') picks Docker only when an engine answers and every image is present; " +
                    "this version has no Docker runtime yet, so tasks run as local processes and their images are not used.";
                break;
            case "process":
                line = $"Runtime: process ({(runtimeName is null ? $"environment '{environment.Name}'" : "--runtime process")}); images are not used.";
                break;
            default:
                context.Error.WriteLine(
                    $"The {requested} runtime ({(runtimeName is null ? $"from environment '{environment.Name}'" : "--runtime")}) is not in this version yet; " +
                    "run with --runtime process (or auto), or render the specs with 'render --target " + requested + "'.");
                return null;
        }

        ISecretResolver secrets;
        try
        {
            secrets = new EnvironmentSecretResolver(environment.SecretsFile is { } file ? Path.Combine(root, file) : null);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            context.Error.WriteLine($"The secrets file of environment '{environment.Name}' cannot be read: {ex.Message}");
            return null;
        }

        var masker = new SecretMasker();
        var problems = RunPreflight.Check(run, secrets, masker, onlyTasks);
        if (problems.Count > 0)
        {
            foreach (var problem in problems)
            {
                context.Error.WriteLine($"error: {problem}");
            }

            context.Error.WriteLine($"Nothing started: {problems.Count} problem(s).");
            return null;
        }

        foreach (var source in masker.TooShort)
        {
            context.Error.WriteLine(
                $"warning: {source} is shorter than {SecretMasker.MinimumLength} characters, so it is not masked in logs and messages; " +
                "a value that short is guessed easily — use a longer one");
        }

        // A store that cannot be opened throws RunStoreException: PipelineHost reports it (exit 2).
        var store = new SqliteRunStore(statePath ?? RunPaths.DefaultStatePath(root));
        var options = new ExecutorOptions
        {
            MaxActiveTasks = maxActive,
            Pools = environment.Pools,
            LogFolder = RunPaths.LogFolder(store.Location),
            Masker = masker,
            OnlyTasks = onlyTasks,
        };
        var runtime = new ProcessRuntime(root, secrets, TimeProvider.System, masker, store.StoreId);
        return new RunSetup(run, runtime, store, options, masker, line);
    }
}
