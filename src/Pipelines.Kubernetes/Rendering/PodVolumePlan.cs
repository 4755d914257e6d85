using System.Security.Cryptography;
using System.Text;
using k8s;
using k8s.Models;
using Pipelines.Attempts;
using Pipelines.Rendering;
using Pipelines.Validation;

namespace Pipelines.Kubernetes.Rendering;

/// <summary>
/// Turns the task's mounts into pod volumes and volume mounts. Each volume gets a readable,
/// deterministic DNS-1123 name from its kind and source (<c>pvc-airflow-shared-pvc</c>,
/// <c>secret-database-credentials</c>, <c>temp-tmp</c>); mounts of the same source share one volume;
/// a template volume with the very same source is reused by its name, so a template's init
/// container and the task see one volume.
/// </summary>
internal sealed class PodVolumePlan
{
    private PodVolumePlan(ImmutableArray<V1Volume> volumes, ImmutableArray<V1VolumeMount> mounts)
    {
        Volumes = volumes;
        Mounts = mounts;
    }

    /// <summary>The pod volumes the task's mounts need (template volumes that are reused are not repeated).</summary>
    public ImmutableArray<V1Volume> Volumes { get; }

    /// <summary>The base container's mounts, in the task's order.</summary>
    public ImmutableArray<V1VolumeMount> Mounts { get; }

    /// <param name="task">The task.</param>
    /// <param name="templateVolumes">The template's volumes: their names are taken, and their sources may be reused.</param>
    /// <param name="diagnostics">Where problems go.</param>
    public static PodVolumePlan Create(ContainerTask task, IReadOnlyList<V1Volume> templateVolumes, DiagnosticCollector diagnostics)
    {
        var taken = new HashSet<string>(templateVolumes.Select(v => v.Name), StringComparer.Ordinal) { PodRenderer.OutputVolumeName };
        var bySource = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var volume in templateVolumes)
        {
            if (volume.EmptyDir is null)
            {
                bySource.TryAdd(SourceKey(volume), volume.Name);
            }
        }

        var volumes = ImmutableArray.CreateBuilder<V1Volume>();
        var mounts = ImmutableArray.CreateBuilder<V1VolumeMount>(task.Mounts.Length);
        var paths = new HashSet<string>(StringComparer.Ordinal) { AttemptContract.OutputDirectory };
        for (var i = 0; i < task.Mounts.Length; i++)
        {
            var mount = task.Mounts[i];
            CheckMount(mount, i, paths, diagnostics);
            var (volume, readable) = Translate(mount, i, diagnostics);

            // Scratch space is never shared: each temp mount is its own emptyDir, as each is its own tmpfs on Docker.
            var key = volume.EmptyDir is null ? SourceKey(volume) : $"temp#{i}";
            if (!bySource.TryGetValue(key, out var name))
            {
                name = UniqueName(readable, key, taken);
                taken.Add(name);
                bySource[key] = name;
                volume.Name = name;
                volumes.Add(volume);
            }

            mounts.Add(new V1VolumeMount
            {
                Name = name,
                MountPath = mount.MountPath,
                ReadOnlyProperty = mount.ReadOnly ? true : null,
                SubPath = mount.SubPath,
            });
        }

        return new PodVolumePlan(volumes.ToImmutable(), mounts.MoveToImmutable());
    }

    private static void CheckMount(VolumeMount mount, int index, HashSet<string> paths, DiagnosticCollector diagnostics)
    {
        var path = mount.MountPath.Length > 1 ? mount.MountPath.TrimEnd('/') : mount.MountPath;
        if (path == AttemptContract.OutputDirectory)
        {
            diagnostics.Error(new FieldPath("mounts", "mountPath", index).ToString(),
                $"'{AttemptContract.OutputDirectory}' is where Pipelines collects the task's output ({AttemptContract.OutputPath}); mount the volume elsewhere");
        }
        else if (!paths.Add(path))
        {
            diagnostics.Error(new FieldPath("mounts", "mountPath", index).ToString(),
                $"'{mount.MountPath}' is mounted twice; Kubernetes rejects a container with two mounts at one path");
        }

        if (mount.SubPath is { } subPath && !KubernetesRules.IsSafeRelativePath(subPath))
        {
            diagnostics.Error(new FieldPath("mounts", "subPath", index).ToString(),
                $"'{subPath}' is not a sub path Kubernetes accepts: it must be relative and without '..'");
        }
    }

    private static (V1Volume Volume, string Readable) Translate(VolumeMount mount, int index, DiagnosticCollector diagnostics)
    {
        switch (mount.Volume)
        {
            case NamedVolume named:
                if (!KubernetesNames.IsDnsSubdomain(named.Name))
                {
                    diagnostics.Error(new FieldPath("mounts", "volume.name", index).ToString(),
                        $"'{named.Name}' is not a PersistentVolumeClaim name: use lowercase letters, digits, '-' and '.' (a DNS-1123 subdomain, at most 253), " +
                        "starting and ending with a letter or digit");
                }

                return (new V1Volume { PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = named.Name } }, "pvc-" + named.Name);

            case HostPathVolume host:
                diagnostics.Warning(new FieldPath("mounts", "volume.path", index).ToString(),
                    $"hostPath '{host.Path}' ties the pod to the node it lands on: another node has other data there, or none; prefer Volume.Named (a PersistentVolumeClaim)");
                if (host.Path.Split('/').Contains(".."))
                {
                    diagnostics.Error(new FieldPath("mounts", "volume.path", index).ToString(), $"'{host.Path}' holds '..'; Kubernetes rejects such a hostPath");
                }

                return (new V1Volume { HostPath = new V1HostPathVolumeSource { Path = host.Path } }, "host-" + host.Path);

            case TempVolume temp:
                return (new V1Volume
                {
                    EmptyDir = new V1EmptyDirVolumeSource
                    {
                        Medium = temp.InMemory ? "Memory" : null,
                        // Only a template (a definition check, or a preview of a run-time value) is no quantity here: it has no size yet.
                        SizeLimit = Quantity.IsValidResource(temp.SizeLimit) ? new ResourceQuantity(temp.SizeLimit) : null,
                    },
                }, "temp-" + mount.MountPath);

            case SecretVolume secret:
                if (!KubernetesNames.IsDnsSubdomain(secret.SecretName))
                {
                    diagnostics.Error(new FieldPath("mounts", "volume.secretName", index).ToString(),
                        $"'{secret.SecretName}' is not a Secret name: use lowercase letters, digits, '-' and '.' (a DNS-1123 subdomain)");
                }

                return (new V1Volume { Secret = new V1SecretVolumeSource { SecretName = secret.SecretName, Items = Items(secret.Items, index, diagnostics) } },
                    "secret-" + secret.SecretName);

            case ConfigMapVolume configMap:
                if (!KubernetesNames.IsDnsSubdomain(configMap.Name))
                {
                    diagnostics.Error(new FieldPath("mounts", "volume.configMap", index).ToString(),
                        $"'{configMap.Name}' is not a ConfigMap name: use lowercase letters, digits, '-' and '.' (a DNS-1123 subdomain)");
                }

                return (new V1Volume { ConfigMap = new V1ConfigMapVolumeSource { Name = configMap.Name, Items = Items(configMap.Items, index, diagnostics) } },
                    "configmap-" + configMap.Name);

            default:
                throw new NotSupportedException($"Unknown volume kind {mount.Volume.GetType().Name}.");
        }
    }

    private static List<V1KeyToPath>? Items(ImmutableArray<KeyToPath> items, int index, DiagnosticCollector diagnostics)
    {
        if (items.IsDefaultOrEmpty)
        {
            return null;
        }

        foreach (var item in items)
        {
            if (!KubernetesRules.IsConfigKey(item.Key))
            {
                diagnostics.Error(new FieldPath("mounts", "volume.items.key", index).ToString(),
                    $"'{item.Key}' is not a key Kubernetes accepts: letters, digits, '-', '_' and '.'");
            }

            if (item.Path.Length == 0 || !KubernetesRules.IsSafeRelativePath(item.Path))
            {
                diagnostics.Error(new FieldPath("mounts", "volume.items.path", index).ToString(),
                    $"'{item.Path}' is not an item path Kubernetes accepts: it must be relative, non-empty and without '..'");
            }
        }

        return [.. items.Select(i => new V1KeyToPath { Key = i.Key, Path = i.Path })];
    }

    // The source with no name: two volumes with equal keys mount the same data.
    private static string SourceKey(V1Volume volume)
    {
        var name = volume.Name;
        volume.Name = null;
        var key = KubernetesJson.Serialize(volume);
        volume.Name = name;
        return key;
    }

    // Readable when that is unique, else the readable part cut and a hash of the source.
    private static string UniqueName(string readable, string key, HashSet<string> taken)
    {
        var name = Sanitise(readable);
        if (name.Length <= 63 && !taken.Contains(name))
        {
            return name;
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..8];
        var head = name.Length > 63 - 9 ? name[..(63 - 9)].TrimEnd('-') : name;
        return $"{head}-{hash}";
    }

    private static string Sanitise(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text.ToLowerInvariant())
        {
            var keep = char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c);
            if (keep || (builder.Length > 0 && builder[^1] != '-'))
            {
                builder.Append(keep ? c : '-');
            }
        }

        return builder.ToString().TrimEnd('-');
    }
}
