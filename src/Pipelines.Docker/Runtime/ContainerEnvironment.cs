using Pipelines.Attempts;
using Pipelines.Docker.Rendering;
using Pipelines.Execution;
using Pipelines.Secrets;

namespace Pipelines.Docker.Runtime;

/// <summary>
/// What the Docker runtime adds to a rendered container when its attempt starts, and nothing else: the values of its
/// secrets (registered with the masker before anything can print them), and Kubernetes' <c>$(VAR)</c> expansion — as the
/// kubelet and the process runtime do it — so one definition runs one process on every runtime. The order is a pod's:
/// variables of whole secrets, then <c>PIPELINES_OUTPUT</c> and the task's variables (each expanded with those before
/// it), then secret variables; command and args are expanded with all of them.
/// </summary>
internal static class ContainerEnvironment
{
    /// <summary>Completes <paramref name="spec"/>'s create request; the problems (a missing secret or key) when it cannot.</summary>
    public static IReadOnlyList<string> Complete(DockerContainerSpec spec, ISecretResolver secrets, SecretMasker masker)
    {
        var problems = new List<string>();
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        var order = new List<string>();
        void Set(string name, string value)
        {
            if (!environment.ContainsKey(name))
            {
                order.Add(name);
            }

            environment[name] = value;
        }

        foreach (var source in spec.SecretEnvFrom)
        {
            if (secrets.TryResolveAll(source.SecretName) is not { } keys)
            {
                problems.Add($"secret '{source.SecretName}' (envFrom) was not found");
                continue;
            }

            foreach (var (key, value) in keys)
            {
                var name = source.Prefix + key;
                if (name.Length == 0 || name.Contains('=', StringComparison.Ordinal) || name.Contains('\0', StringComparison.Ordinal))
                {
                    problems.Add($"key '{key}' of secret '{source.SecretName}' (envFrom) is not a valid variable name");
                    continue;
                }

                masker.Add(value, RunPreflight.SecretSource(source.SecretName, key));
                Set(name, value);
            }
        }

        foreach (var entry in spec.Create.Env ?? [])
        {
            var equals = entry.IndexOf('=', StringComparison.Ordinal);
            var (name, value) = equals < 0 ? (entry, string.Empty) : (entry[..equals], entry[(equals + 1)..]);
            Set(name, name == AttemptContract.OutputVariable ? value : VariableExpansion.Expand(value, environment.GetValueOrDefault));
        }

        foreach (var variable in spec.SecretEnv)
        {
            if (secrets.TryResolve(variable.Secret, out var value))
            {
                masker.Add(value, RunPreflight.SecretSource(variable.Secret.Name, variable.Secret.Key));
                Set(variable.Name, value);
            }
            else
            {
                problems.Add($"secret '{variable.Secret.Name}' has no key '{variable.Secret.Key}' (env {variable.Name})");
            }
        }

        // PIPELINES_OUTPUT is the runtime's, whatever a secret imported whole says.
        Set(AttemptContract.OutputVariable, AttemptContract.OutputPath);
        spec.Create.Env = [.. order.Select(name => $"{name}={environment[name]}")];
        if (spec.Create.Entrypoint is { Count: > 0 } entrypoint)
        {
            spec.Create.Entrypoint = [.. entrypoint.Select(a => VariableExpansion.Expand(a, environment.GetValueOrDefault))];
        }

        if (spec.Create.Cmd is { Count: > 0 } cmd)
        {
            spec.Create.Cmd = [.. cmd.Select(a => VariableExpansion.Expand(a, environment.GetValueOrDefault))];
        }

        return problems;
    }

    /// <summary>Every secret file the spec mounts, resolved: (volume mount path, relative path, value); the problems when one is missing.</summary>
    public static (List<(string MountPath, string Path, string Value)> Files, List<string> Problems) SecretFiles(DockerContainerSpec spec, ISecretResolver secrets, SecretMasker masker)
    {
        var files = new List<(string, string, string)>();
        var problems = new List<string>();
        foreach (var volume in spec.SecretFiles)
        {
            if (secrets.TryResolveAll(volume.SecretName) is not { } keys)
            {
                problems.Add($"secret '{volume.SecretName}' (mounted at {volume.MountPath}) was not found");
                continue;
            }

            var items = volume.Items.IsDefaultOrEmpty ? [.. keys.Keys.Order(StringComparer.Ordinal).Select(k => new KeyToPath(k, k))] : volume.Items;
            foreach (var item in items)
            {
                if (!keys.TryGetValue(item.Key, out var value))
                {
                    problems.Add($"secret '{volume.SecretName}' has no key '{item.Key}' (mounted at {volume.MountPath})");
                    continue;
                }

                masker.Add(value, RunPreflight.SecretSource(volume.SecretName, item.Key));
                files.Add((volume.MountPath, item.Path, value));
            }
        }

        return (files, problems);
    }
}
