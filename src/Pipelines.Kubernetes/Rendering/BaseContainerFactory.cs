using k8s.Models;
using Pipelines.Attempts;

namespace Pipelines.Kubernetes.Rendering;

/// <summary>Builds the task's own container, named <c>base</c>, from the common task settings.</summary>
internal static class BaseContainerFactory
{
    public static V1Container Create(ContainerTask task, PodVolumePlan volumes)
    {
        return new V1Container
        {
            Name = KubernetesNames.BaseContainer,
            Image = task.Image,
            ImagePullPolicy = task.ImagePullPolicy?.ToString(),
            Command = task.Command.IsDefaultOrEmpty ? null : [.. task.Command],
            Args = task.Args.IsDefaultOrEmpty ? null : [.. task.Args],
            WorkingDir = task.WorkingDir,
            Env = Env(task),
            EnvFrom = EnvFrom(task),
            Resources = Resources(task.Resources),
            SecurityContext = SecurityContext(task),
            VolumeMounts = [new V1VolumeMount { Name = PodRenderer.OutputVolumeName, MountPath = AttemptContract.OutputDirectory }, .. volumes.Mounts],

            // The kubelet copies this file (at most 4096 bytes) into the pod status when the
            // container ends: the task's JSON output comes back without a sidecar or an exec.
            TerminationMessagePath = AttemptContract.OutputPath,
            TerminationMessagePolicy = "File",
        };
    }

    private static List<V1EnvVar> Env(ContainerTask task)
    {
        // First, so later values and the command can refer to it as $(PIPELINES_OUTPUT).
        var env = new List<V1EnvVar> { new() { Name = AttemptContract.OutputVariable, Value = AttemptContract.OutputPath } };
        env.AddRange(task.Env.Where(e => e.Name != AttemptContract.OutputVariable).Select(e => new V1EnvVar { Name = e.Name, Value = e.Value }));
        env.AddRange(task.SecretEnv.Where(e => e.Name != AttemptContract.OutputVariable).Select(e => new V1EnvVar
        {
            Name = e.Name,
            ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = e.Secret.Name, Key = e.Secret.Key } },
        }));
        return env;
    }

    private static List<V1EnvFromSource>? EnvFrom(ContainerTask task) =>
        task.EnvFrom.IsDefaultOrEmpty
            ? null
            : [.. task.EnvFrom.Select(e => new V1EnvFromSource
            {
                Prefix = e.Prefix,
                SecretRef = e.Kind == EnvSourceKind.Secret ? new V1SecretEnvSource { Name = e.Name } : null,
                ConfigMapRef = e.Kind == EnvSourceKind.ConfigMap ? new V1ConfigMapEnvSource { Name = e.Name } : null,
            })];

    private static V1ResourceRequirements? Resources(ResourceRequirements resources)
    {
        var requests = Quantities(resources.Requests);
        var limits = Quantities(resources.Limits);
        if (resources.Gpus is > 0 and var gpus)
        {
            // Extended resources are set as limits; the request defaults to the limit.
            limits ??= [];
            limits["nvidia.com/gpu"] = new ResourceQuantity(gpus.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return requests is null && limits is null ? null : new V1ResourceRequirements { Requests = requests, Limits = limits };
    }

    private static Dictionary<string, ResourceQuantity>? Quantities(ResourceSet set)
    {
        if (set.IsEmpty)
        {
            return null;
        }

        var quantities = new Dictionary<string, ResourceQuantity>(StringComparer.Ordinal);
        if (set.Cpu is not null)
        {
            quantities["cpu"] = new ResourceQuantity(set.Cpu);
        }

        if (set.Memory is not null)
        {
            quantities["memory"] = new ResourceQuantity(set.Memory);
        }

        if (set.EphemeralStorage is not null)
        {
            quantities["ephemeral-storage"] = new ResourceQuantity(set.EphemeralStorage);
        }

        return quantities;
    }

    /// <summary>Kubernetes names capabilities without Docker's optional <c>CAP_</c> prefix (the container runtime adds it).</summary>
    public static string CapabilityName(string capability) =>
        capability.StartsWith("CAP_", StringComparison.Ordinal) ? capability[4..] : capability;

    private static V1SecurityContext? SecurityContext(ContainerTask task)
    {
        var capabilities = task.CapabilitiesAdd.IsDefaultOrEmpty && task.CapabilitiesDrop.IsDefaultOrEmpty
            ? null
            : new V1Capabilities
            {
                Add = task.CapabilitiesAdd.IsDefaultOrEmpty ? null : [.. task.CapabilitiesAdd.Select(CapabilityName)],
                Drop = task.CapabilitiesDrop.IsDefaultOrEmpty ? null : [.. task.CapabilitiesDrop.Select(CapabilityName)],
            };
        if (task.RunAsUser is null && task.RunAsGroup is null && task.RunAsNonRoot is null && task.ReadOnlyRootFilesystem is null
            && task.Privileged is null && capabilities is null)
        {
            return null;
        }

        return new V1SecurityContext
        {
            RunAsUser = task.RunAsUser,
            RunAsGroup = task.RunAsGroup,
            RunAsNonRoot = task.RunAsNonRoot,
            ReadOnlyRootFilesystem = task.ReadOnlyRootFilesystem,
            Privileged = task.Privileged,
            Capabilities = capabilities,
        };
    }
}
