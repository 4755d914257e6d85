using System.Runtime.Versioning;
using Pipelines.Execution;
using Pipelines.Secrets;

namespace Pipelines.Processes;

/// <summary>
/// Maps a task's mounts to host directories for the process runtime:
/// a named volume → <c>&lt;projectRoot&gt;/.pipelines/volumes/&lt;name&gt;</c> (kept between attempts);
/// a host path → itself (absolute: Build() refuses a relative one); a temp volume → a directory of the
/// attempt's workspace; a secret → a workspace directory with one 0600 file per key; a config map →
/// not available (the attempt is lost). A sub-path selects a directory (or, for a secret, a file) inside.
/// Read-only mounts, size limits and in-memory temp volumes are not enforced: a process sees the host's files.
/// </summary>
[UnsupportedOSPlatform("windows")]
internal static class VolumeMapper
{
    /// <summary>Maps every mount or throws <see cref="AttemptLostException"/> naming every mount that cannot be mapped.</summary>
    public static MountPathRewriter Map(
        ContainerTask task, string projectRoot, AttemptWorkspace workspace, ISecretResolver secrets, SecretMasker masker)
    {
        var problems = new List<string>();
        var mapped = new List<(string, string)>();
        for (var i = 0; i < task.Mounts.Length; i++)
        {
            var mount = task.Mounts[i];
            var mountPath = MountPathRewriter.Normalise(mount.MountPath);
            if (!mountPath.StartsWith('/') || mountPath == "/")
            {
                problems.Add($"mount path '{mount.MountPath}' cannot be mapped to a host directory");
                continue;
            }

            if (mount.SubPath is { } sub && !IsRelativeInside(sub))
            {
                problems.Add($"sub-path '{sub}' of mount '{mountPath}' must be a relative path without '..'");
                continue;
            }

            var host = mount.Volume switch
            {
                NamedVolume v => NamedDirectory(projectRoot, v.Name, mountPath, problems),
                HostPathVolume v => Path.GetFullPath(v.Path, projectRoot),
                TempVolume => workspace.VolumeDirectory("temp", i),
                SecretVolume v => WriteSecret(v, workspace.VolumeDirectory("secret", i), mountPath, secrets, masker, problems),
                ConfigMapVolume v => Problem(problems, $"config map '{v.Name}' (mount '{mountPath}') is not available to the process runtime; config maps exist on Kubernetes only"),
                _ => Problem(problems, $"volume kind {mount.Volume.GetType().Name} (mount '{mountPath}') is not supported by the process runtime"),
            };
            if (host is null)
            {
                continue;
            }

            if (mount.SubPath is { Length: > 0 } subPath)
            {
                host = Path.Combine(host, subPath);
            }

            // Docker and Kubernetes create missing bind and sub-path directories; so does this runtime.
            if (mount.Volume is not SecretVolume)
            {
                Directory.CreateDirectory(host);
            }

            mapped.Add((mountPath, host));
        }

        return problems.Count > 0 ? throw new AttemptLostException(string.Join("; ", problems)) : new MountPathRewriter(mapped);
    }

    private static string? NamedDirectory(string projectRoot, string name, string mountPath, List<string> problems)
    {
        // Docker's rule for volume names; anything else could escape the volumes directory.
        var valid = name.Length > 0 && char.IsAsciiLetterOrDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-');
        return valid
            ? Path.Combine(projectRoot, ".pipelines", "volumes", name)
            : Problem(problems, $"volume name '{name}' (mount '{mountPath}') must start with a letter or digit and hold only letters, digits, '_', '.' and '-'");
    }

    private static string? WriteSecret(SecretVolume volume, string directory, string mountPath, ISecretResolver secrets, SecretMasker masker, List<string> problems)
    {
        var files = new List<(string Path, string Key, string Value)>();
        if (volume.Items.IsDefaultOrEmpty)
        {
            var all = secrets.TryResolveAll(volume.SecretName);
            if (all is null)
            {
                return Problem(problems, $"secret '{volume.SecretName}' (mount '{mountPath}') was not found");
            }

            foreach (var (key, value) in all)
            {
                if (!IsRelativeInside(key) || key.Contains('/', StringComparison.Ordinal))
                {
                    return Problem(problems, $"key '{key}' of secret '{volume.SecretName}' (mount '{mountPath}') cannot be a file name");
                }

                files.Add((key, key, value));
            }
        }
        else
        {
            foreach (var item in volume.Items)
            {
                if (!IsRelativeInside(item.Path))
                {
                    problems.Add($"path '{item.Path}' of secret '{volume.SecretName}' (mount '{mountPath}') must be a relative path without '..'");
                }
                else if (secrets.TryResolve(new SecretRef(volume.SecretName, item.Key), out var value))
                {
                    files.Add((item.Path, item.Key, value));
                }
                else
                {
                    problems.Add($"secret '{volume.SecretName}' has no key '{item.Key}' (mount '{mountPath}')");
                }
            }
        }

        foreach (var (path, key, value) in files)
        {
            masker.Add(value, RunPreflight.SecretSource(volume.SecretName, key));
            AttemptWorkspace.WriteSecretFile(Path.Combine(directory, path), value);
        }

        return directory;
    }

    private static bool IsRelativeInside(string path) =>
        path.Length > 0 && !path.StartsWith('/') && path.Split('/').All(segment => segment is not (".." or "."));

    private static string? Problem(List<string> problems, string problem)
    {
        problems.Add(problem);
        return null;
    }
}
