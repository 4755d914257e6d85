using Docker.DotNet.Models;
using Pipelines.Attempts;
using Pipelines.Rendering;

namespace Pipelines.Docker.Rendering;

/// <summary>
/// Maps the task's mounts to Docker mounts (the <c>Mounts</c> API, never <c>Binds</c>, so every
/// option is explicit), plus the per-attempt output volume at <see cref="AttemptContract.OutputDirectory"/>.
/// </summary>
internal sealed class MountMapping
{
    private readonly List<Mount> _mounts = [];
    private readonly List<DockerVolume> _volumes = [];
    private readonly ImmutableArray<DockerSecretFiles>.Builder _secretFiles = ImmutableArray.CreateBuilder<DockerSecretFiles>();
    private readonly HashSet<string> _targets = new(StringComparer.Ordinal);
    private readonly string _containerName;
    private readonly ImmutableSortedDictionary<string, string> _identity;
    private readonly DiagnosticCollector _diagnostics;

    private MountMapping(string containerName, ImmutableSortedDictionary<string, string> identity, DiagnosticCollector diagnostics)
    {
        _containerName = containerName;
        _identity = identity;
        _diagnostics = diagnostics;
    }

    public List<Mount> Mounts => _mounts;

    public ImmutableArray<DockerVolume> Volumes => [.. _volumes];

    public ImmutableArray<DockerSecretFiles> SecretFiles => _secretFiles.ToImmutable();

    public static MountMapping Map(ContainerTask task, string containerName, ImmutableSortedDictionary<string, string> identity, DiagnosticCollector diagnostics)
    {
        var mapping = new MountMapping(containerName, identity, diagnostics);
        for (var i = 0; i < task.Mounts.Length; i++)
        {
            mapping.Add(task.Mounts[i], i);
        }

        // The output file lives in a volume of its own: no host bind, so a remote engine works, and
        // the runtime creates and reads the file through the archive API (DESIGN: Outputs).
        var output = $"{containerName}-output";
        mapping._mounts.Add(AttemptVolumeMount(output, AttemptContract.OutputDirectory));
        mapping._volumes.Add(new DockerVolume(output, PerAttempt: true, identity));
        return mapping;
    }

    private void Add(VolumeMount mount, int index)
    {
        var field = $"mounts[{index}]";
        if (mount.Volume is not ConfigMapVolume && !_targets.Add(mount.MountPath.TrimEnd('/')))
        {
            _diagnostics.Error($"{field}.mountPath", $"{mount.MountPath} is mounted more than once; Docker refuses two mounts at one path");
        }

        if (mount.MountPath.TrimEnd('/') == AttemptContract.OutputDirectory || mount.MountPath == AttemptContract.OutputPath)
        {
            _diagnostics.Error($"{field}.mountPath", $"{mount.MountPath} holds the task's output on Docker ({AttemptContract.OutputPath}); mount elsewhere");
        }

        if (mount.SubPath is { } sub && (sub.StartsWith('/') || sub.Split('/').Contains("..")))
        {
            _diagnostics.Error($"{field}.subPath", $"'{sub}' must be a relative path inside the volume, without '..'");
        }

        switch (mount.Volume)
        {
            case NamedVolume v:
                CheckVolumeName(v.Name, $"{field}.volume.name");
                _mounts.Add(new Mount
                {
                    Type = "volume",
                    Source = v.Name,
                    Target = mount.MountPath,
                    ReadOnly = ReadOnly(mount),
                    // Engine API 1.45+ mounts a sub-directory of a volume, as Kubernetes' subPath does.
                    VolumeOptions = mount.SubPath is null ? null : new VolumeOptions { Subpath = mount.SubPath },
                });
                if (!_volumes.Any(existing => existing.Name == v.Name))
                {
                    _volumes.Add(new DockerVolume(v.Name, PerAttempt: false, ImmutableSortedDictionary<string, string>.Empty));
                }

                break;

            case HostPathVolume v:
                if (!v.Path.StartsWith('/'))
                {
                    _diagnostics.Error($"{field}.volume.path", $"'{v.Path}' is not an absolute path; Docker binds absolute paths of the engine's host only");
                }

                _mounts.Add(new Mount
                {
                    Type = "bind",
                    // A sub-path of a bind is the joined host path: the same files as Kubernetes' subPath.
                    Source = mount.SubPath is null ? v.Path : $"{v.Path.TrimEnd('/')}/{mount.SubPath}",
                    Target = mount.MountPath,
                    ReadOnly = ReadOnly(mount),
                });
                break;

            case TempVolume v:
                // Every Docker tmpfs is in memory, so InMemory needs nothing. A sub-path of a fresh,
                // unshared scratch volume is an empty directory just like the volume's root, so it is honoured as is.
                var size = v.SizeLimit is null ? null : DockerQuantity.Bytes(v.SizeLimit, $"{field}.volume.sizeLimit", _diagnostics);
                _mounts.Add(new Mount
                {
                    Type = "tmpfs",
                    Target = mount.MountPath,
                    ReadOnly = ReadOnly(mount),
                    TmpfsOptions = size is null ? null : new TmpfsOptions { SizeBytes = size },
                });
                break;

            case SecretVolume v:
                AddSecretFiles(v, mount, index, field);
                break;

            case ConfigMapVolume v:
                _diagnostics.Warning(field, $"Docker has no config maps; config map '{v.Name}' is not mounted at {mount.MountPath}");
                break;

            default:
                _diagnostics.Error(field, $"the volume kind {mount.Volume.GetType().Name} is unknown to the Docker renderer; it is not mounted");
                break;
        }
    }

    // A per-attempt volume that the runtime fills with the secret's files before start. It must be
    // writable: Docker's archive API refuses to write into a read-only mount.
    private void AddSecretFiles(SecretVolume secret, VolumeMount mount, int index, string field)
    {
        var volume = $"{_containerName}-secret-{index}";
        if (mount.ReadOnly)
        {
            _diagnostics.Warning($"{field}.readOnly", $"the secret files at {mount.MountPath} are writable on Docker: the runtime writes them through the engine's archive API before start, which Docker refuses for a read-only mount");
        }

        if (mount.SubPath is not null)
        {
            _diagnostics.Warning($"{field}.subPath", $"a sub-path of a secret volume is not honoured on Docker; every file of secret '{secret.SecretName}' is at {mount.MountPath}");
        }

        _mounts.Add(AttemptVolumeMount(volume, mount.MountPath));
        _volumes.Add(new DockerVolume(volume, PerAttempt: true, _identity));
        _secretFiles.Add(new DockerSecretFiles(volume, mount.MountPath, secret.SecretName, secret.Items));
    }

    // The engine's ReadOnly is a plain bool: absent means writable, so only true is sent.
    private static bool? ReadOnly(VolumeMount mount) => mount.ReadOnly ? true : null;

    // Writable, and NoCopy: a per-attempt volume starts empty instead of with the image's files at that path.
    private static Mount AttemptVolumeMount(string volume, string target) => new()
    {
        Type = "volume",
        Source = volume,
        Target = target,
        VolumeOptions = new VolumeOptions { NoCopy = true },
    };

    // Docker's rule for volume names: [a-zA-Z0-9][a-zA-Z0-9_.-]+
    private void CheckVolumeName(string name, string field)
    {
        var valid = name.Length >= 2 && char.IsAsciiLetterOrDigit(name[0])
            && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-');
        if (!valid)
        {
            _diagnostics.Error(field, $"'{name}' is not a Docker volume name; use letters, digits, '_', '.' and '-', starting with a letter or digit (two characters or more)");
        }
    }
}
