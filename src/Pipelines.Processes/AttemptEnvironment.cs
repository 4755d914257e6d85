using Pipelines.Attempts;
using Pipelines.Execution;
using Pipelines.Secrets;

namespace Pipelines.Processes;

/// <summary>
/// The environment of an attempt's process, built from nothing so that the host's variables do not
/// leak in: the host's <c>PATH</c>, <c>HOME</c>, <c>LANG</c> and <c>TZ</c> (when set); then envFrom secrets
/// (every key, with the prefix); then env values (mount paths rewritten); then secret env; last
/// <c>PIPELINES_OUTPUT</c> and <c>PIPELINES_ATTEMPT</c>, which the task cannot override.
/// </summary>
internal static class AttemptEnvironment
{
    /// <summary>The variable holding the attempt id; it marks the attempt's processes and their children in <c>/proc</c>.</summary>
    public const string AttemptVariable = "PIPELINES_ATTEMPT";

    /// <summary>The only host variables passed on.</summary>
    public static readonly ImmutableArray<string> HostVariables = ["PATH", "HOME", "LANG", "TZ"];

    /// <summary>Builds the environment, registering every secret value with <paramref name="masker"/>.</summary>
    /// <exception cref="AttemptLostException">A secret or key is missing, or a config map is named; every one is listed.</exception>
    public static Dictionary<string, string> Build(
        ContainerTask task,
        MountPathRewriter paths,
        ISecretResolver secrets,
        SecretMasker masker,
        string outputFile,
        string attemptId,
        Func<string, string?> hostVariable)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in HostVariables)
        {
            if (hostVariable(name) is { } value)
            {
                environment[name] = value;
            }
        }

        var problems = new List<string>();
        foreach (var source in task.EnvFrom)
        {
            if (source.Kind == EnvSourceKind.ConfigMap)
            {
                problems.Add($"config map '{source.Name}' (envFrom) is not available to the process runtime; config maps exist on Kubernetes only");
                continue;
            }

            if (secrets.TryResolveAll(source.Name) is not { } keys)
            {
                problems.Add($"secret '{source.Name}' (envFrom) was not found{Hint(secrets, source.Name, null)}");
                continue;
            }

            foreach (var (key, value) in keys)
            {
                var name = source.Prefix + key;
                if (name.Length == 0 || name.Contains('=', StringComparison.Ordinal) || name.Contains('\0', StringComparison.Ordinal))
                {
                    problems.Add($"key '{key}' of secret '{source.Name}' (envFrom) is not a valid variable name");
                    continue;
                }

                masker.Add(value, RunPreflight.SecretSource(source.Name, key));
                environment[name] = value;
            }
        }

        // As the kubelet does: PIPELINES_OUTPUT first (a pod defines it first), then each env value
        // expands $(VAR) with the variables defined before it.
        environment[AttemptContract.OutputVariable] = outputFile;
        foreach (var variable in task.Env)
        {
            environment[variable.Name] = VariableExpansion.Expand(paths.Rewrite(variable.Value), environment.GetValueOrDefault);
        }

        foreach (var variable in task.SecretEnv)
        {
            if (secrets.TryResolve(variable.Secret, out var value))
            {
                masker.Add(value, RunPreflight.SecretSource(variable.Secret.Name, variable.Secret.Key));
                environment[variable.Name] = value;
            }
            else
            {
                problems.Add($"secret '{variable.Secret.Name}' has no key '{variable.Secret.Key}' (env {variable.Name}){Hint(secrets, variable.Secret.Name, variable.Secret.Key)}");
            }
        }

        if (problems.Count > 0)
        {
            throw new AttemptLostException(string.Join("; ", problems));
        }

        environment[AttemptContract.OutputVariable] = outputFile;
        environment[AttemptVariable] = attemptId;
        return environment;
    }

    // Says where the default resolver looks; other resolvers know their own sources.
    private static string Hint(ISecretResolver secrets, string name, string? key) => secrets switch
    {
        EnvironmentSecretResolver when key is null => $" (set variables {EnvironmentSecretResolver.VariableName(name, "")}<KEY> or add it to the secrets file)",
        EnvironmentSecretResolver => $" (set {EnvironmentSecretResolver.VariableName(name, key)} or add it to the secrets file)",
        _ => "",
    };
}
