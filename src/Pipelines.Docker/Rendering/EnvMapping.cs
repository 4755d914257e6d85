using Pipelines.Attempts;
using Pipelines.Rendering;

namespace Pipelines.Docker.Rendering;

/// <summary>
/// Literal variables become <c>NAME=value</c> entries of the create request; secret ones stay
/// references for the runtime to resolve when the attempt starts, so no value is ever rendered.
/// </summary>
internal static class EnvMapping
{
    public static List<string> Literal(ContainerTask task, DiagnosticCollector diagnostics)
    {
        if (task.Env.Any(e => e.Name == AttemptContract.OutputVariable) || task.SecretEnv.Any(e => e.Name == AttemptContract.OutputVariable))
        {
            diagnostics.Warning($"env.{AttemptContract.OutputVariable}", $"{AttemptContract.OutputVariable} is set by Pipelines to {AttemptContract.OutputPath}; the task's value is not used");
        }

        // First, in the same place as in a rendered pod, so the two targets list the same variables.
        List<string> env = [$"{AttemptContract.OutputVariable}={AttemptContract.OutputPath}"];
        env.AddRange(task.Env.Where(e => e.Name != AttemptContract.OutputVariable).Select(e => $"{e.Name}={e.Value}"));
        return env;
    }

    public static ImmutableArray<DockerSecretEnv> Secrets(ContainerTask task) =>
        [.. task.SecretEnv.Where(s => s.Name != AttemptContract.OutputVariable).Select(s => new DockerSecretEnv(s.Name, s.Secret))];

    public static ImmutableArray<DockerSecretEnvSource> SecretSources(ContainerTask task, DiagnosticCollector diagnostics)
    {
        var sources = ImmutableArray.CreateBuilder<DockerSecretEnvSource>();
        for (var i = 0; i < task.EnvFrom.Length; i++)
        {
            var source = task.EnvFrom[i];
            if (source.Kind == EnvSourceKind.Secret)
            {
                sources.Add(new DockerSecretEnvSource(source.Name, source.Prefix));
            }
            else
            {
                diagnostics.Warning($"envFrom[{i}]", $"Docker has no config maps; the variables of config map '{source.Name}' are not set");
            }
        }

        return sources.ToImmutable();
    }
}
