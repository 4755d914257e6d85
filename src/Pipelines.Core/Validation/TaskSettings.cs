using Pipelines.Templating;
using Pipelines.Text;

namespace Pipelines.Validation;

/// <summary>
/// The rules for one task's settings: image, quantities, capabilities, environment variable names, volumes, ranges. A value
/// that holds a template is skipped when the DAG builds and checked again, with the same message, once an attempt's
/// templates are resolved (<c>TaskResolver</c>), so a value from a parameter is held to the same rules as one written out.
/// </summary>
internal static class TaskSettings
{
    /// <summary>
    /// The checks of one task's settings. Values that hold a template are skipped here and checked
    /// again, with the same messages, once an attempt's templates are rendered.
    /// </summary>
    public static void Check(ContainerTask task, Action<string, string> add)
    {
        if (string.IsNullOrWhiteSpace(task.Image))
        {
            add("image", "the image is empty; name one such as 'registry.localhost/etl/runner:1.0.0'");
        }
        else if (ImageReference.Problem(task.Image) is { } imageProblem)
        {
            add("image", imageProblem);
        }

        CheckQuantity(task.Resources.Requests.Cpu, "resources.requests.cpu", add);
        CheckQuantity(task.Resources.Requests.Memory, "resources.requests.memory", add);
        CheckQuantity(task.Resources.Requests.EphemeralStorage, "resources.requests.ephemeral-storage", add);
        CheckQuantity(task.Resources.Limits.Cpu, "resources.limits.cpu", add);
        CheckQuantity(task.Resources.Limits.Memory, "resources.limits.memory", add);
        CheckQuantity(task.Resources.Limits.EphemeralStorage, "resources.limits.ephemeral-storage", add);
        CheckRequestWithinLimit(task.Resources.Requests.Cpu, task.Resources.Limits.Cpu, "cpu", add);
        CheckRequestWithinLimit(task.Resources.Requests.Memory, task.Resources.Limits.Memory, "memory", add);
        CheckRequestWithinLimit(task.Resources.Requests.EphemeralStorage, task.Resources.Limits.EphemeralStorage, "ephemeral-storage", add);
        if (task.Resources.Gpus is < 0)
        {
            add("resources.gpus", $"{task.Resources.Gpus} is not a GPU count; use 0 or more");
        }

        for (var i = 0; i < task.Env.Length; i++)
        {
            CheckEnvName(task.Env[i].Name, "env", add);
        }

        foreach (var secret in task.SecretEnv)
        {
            CheckEnvName(secret.Name, "secretEnv", add);
            if (string.IsNullOrWhiteSpace(secret.Secret.Name) || string.IsNullOrWhiteSpace(secret.Secret.Key))
            {
                add($"secretEnv.{secret.Name}", "the secret reference needs a secret name and a key");
            }
        }

        for (var i = 0; i < task.EnvFrom.Length; i++)
        {
            if (task.EnvFrom[i].Prefix is { Length: > 0 } prefix && !TemplateText.MayContainTemplate(prefix) && !Names.IsEnvVarName(prefix))
            {
                add(new FieldPath("envFrom", "prefix", i).ToString(),
                    $"'{prefix}' is not a prefix every runtime accepts for environment variable names; use {Names.EnvVarNameExpected}");
            }
        }

        for (var i = 0; i < task.Mounts.Length; i++)
        {
            var mount = task.Mounts[i];
            if (!mount.MountPath.StartsWith('/') && !TemplateText.MayContainTemplate(mount.MountPath))
            {
                add(new FieldPath("mounts", "mountPath", i).ToString(), $"'{mount.MountPath}' is not an absolute path; mount paths start with '/'");
            }

            if (mount.Volume is TempVolume { SizeLimit: { } size })
            {
                CheckQuantity(size, new FieldPath("mounts", "volume.sizeLimit", i).ToString(), add);
            }

            CheckVolume(mount.Volume, i, add);
        }

        CheckCapabilities(task.CapabilitiesAdd, add);
        CheckCapabilities(task.CapabilitiesDrop, add);

        if (task.Retry.Retries < 0)
        {
            add("retries", $"{task.Retry.Retries} is not a retry count; use 0 or more");
        }

        if (task.Retry.Delay < TimeSpan.Zero)
        {
            add("retries.delay", "the retry delay is negative");
        }

        if (task.Retry.MaxDelay is { } maxDelay && maxDelay < task.Retry.Delay)
        {
            add("retries.maxDelay", $"the longest delay ({maxDelay}) is shorter than the first ({task.Retry.Delay})");
        }

        if (task.ExecutionTimeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            add("timeout", "the execution timeout must be longer than zero");
        }

        if (task.StopGracePeriod is { } grace && grace < TimeSpan.Zero)
        {
            add("stopGracePeriod", "the stop grace period is negative");
        }

        foreach (var code in task.SkipOnExitCodes)
        {
            if (code is < 0 or > 255)
            {
                add("skipOnExitCodes", $"{code} is not an exit code; use 0 to 255");
            }
        }

        if (task.Pool is not null && Names.IdProblem(task.Pool, "pool name") is { } poolProblem)
        {
            add("pool", poolProblem);
        }

        if (task.PoolSlots < 1)
        {
            add("pool.slots", $"{task.PoolSlots} is not a slot count; use 1 or more");
        }

        if ((!task.Labels.IsEmpty && task.Labels.Keys.Any(string.IsNullOrWhiteSpace))
            || (!task.Annotations.IsEmpty && task.Annotations.Keys.Any(string.IsNullOrWhiteSpace)))
        {
            add("labels", "a label or annotation key is empty");
        }

        foreach (var options in task.RuntimeOptions.All)
        {
            foreach (var (field, message) in options.Validate())
            {
                add(field, message);
            }
        }
    }

    private static void CheckCapabilities(ImmutableArray<string> capabilities, Action<string, string> add)
    {
        foreach (var capability in capabilities)
        {
            if (!TemplateText.MayContainTemplate(capability) && (capability.Length == 0 || !capability.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) || c == '_')))
            {
                add("capabilities", $"'{capability}' is not a capability name; write it like NET_BIND_SERVICE, SYS_PTRACE or ALL");
            }
        }
    }

    private static void CheckEnvName(string name, string field, Action<string, string> add)
    {
        if (!Names.IsEnvVarName(name))
        {
            add($"{field}.{name}", $"'{name}' is not an environment variable name every runtime accepts; use {Names.EnvVarNameExpected}");
        }
    }

    // What no target accepts; each target's own narrower rules are checked by validate and at render.
    // A templated name is checked once rendered; a path that does not start with a template cannot become absolute.
    private static void CheckVolume(Volume volume, int index, Action<string, string> add)
    {
        switch (volume)
        {
            case NamedVolume { Name: var name } when !TemplateText.MayContainTemplate(name) && !Names.IsVolumeName(name):
                add(new FieldPath("mounts", "volume.name", index).ToString(),
                    $"'{name}' is not a volume name; use {Names.VolumeNameExpected} — it names a Docker volume, a PersistentVolumeClaim and a folder of a local runtime");
                break;
            case HostPathVolume { Path: var path } when !path.StartsWith('/') && !path.StartsWith("<<", StringComparison.Ordinal):
                add(new FieldPath("mounts", "volume.path", index).ToString(),
                    $"'{path}' is not an absolute path; a host path is a folder of the machine that runs the container, written from '/' (such as /data/shared)");
                break;
            case SecretVolume { SecretName: "" } or ConfigMapVolume { Name: "" }:
                add(new FieldPath("mounts", "volume", index).ToString(), "the volume has no name");
                break;
        }
    }

    private static void CheckQuantity(string? value, string field, Action<string, string> add)
    {
        if (value is null || TemplateText.MayContainTemplate(value))
        {
            return; // templated quantities are checked after rendering, with the same message
        }

        if (!Quantity.IsValidResource(value))
        {
            add(field, $"'{value}' is not a valid quantity; use {Quantity.Expected}");
        }
    }

    private static void CheckRequestWithinLimit(string? request, string? limit, string resource, Action<string, string> add)
    {
        if (Quantity.TryParse(request, out var r) && Quantity.TryParse(limit, out var l) && r > l)
        {
            add($"resources.requests.{resource}", $"the request ({request}) is more than the limit ({limit}); Kubernetes rejects such a pod");
        }
    }
}
