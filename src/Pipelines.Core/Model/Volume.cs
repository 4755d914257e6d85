namespace Pipelines;

/// <summary>
/// Where a mount's data lives. One volume kind translates to every runtime: a named volume is a
/// Docker volume and a PersistentVolumeClaim; a host path is a bind mount and a hostPath volume;
/// a temp volume is a tmpfs and an emptyDir; secrets and config maps are files.
/// </summary>
public abstract record Volume
{
    private protected Volume()
    {
    }

    /// <summary>A persistent named volume: a Docker volume, a PersistentVolumeClaim on Kubernetes.</summary>
    public static Volume Named(string name) => new NamedVolume(name);

    /// <summary>A directory of the machine that runs the container (use with care on Kubernetes).</summary>
    public static Volume HostPath(string path) => new HostPathVolume(path);

    /// <summary>Scratch space that lives as long as the attempt: tmpfs on Docker, emptyDir on Kubernetes.</summary>
    /// <param name="sizeLimit">A quantity such as <c>1Gi</c>, or null for no limit.</param>
    /// <param name="inMemory">Back it by memory (Kubernetes medium <c>Memory</c>).</param>
    public static Volume Temp(string? sizeLimit = null, bool inMemory = false) => new TempVolume(sizeLimit, inMemory);

    /// <summary>The keys of a secret as files; all keys, or only <paramref name="items"/>.</summary>
    public static Volume Secret(string secretName, params KeyToPath[] items) => new SecretVolume(secretName, [.. items]);

    /// <summary>The keys of a config map as files; all keys, or only <paramref name="items"/>.</summary>
    public static Volume ConfigMap(string name, params KeyToPath[] items) => new ConfigMapVolume(name, [.. items]);
}

/// <summary>One key of a secret or config map written to a relative file path.</summary>
public sealed record KeyToPath(string Key, string Path);

/// <summary>A persistent named volume (Docker volume, Kubernetes PersistentVolumeClaim).</summary>
public sealed record NamedVolume(string Name) : Volume;

/// <summary>A directory of the host.</summary>
public sealed record HostPathVolume(string Path) : Volume;

/// <summary>Scratch space for one attempt.</summary>
public sealed record TempVolume(string? SizeLimit, bool InMemory) : Volume;

/// <summary>A secret's keys as files.</summary>
public sealed record SecretVolume(string SecretName, ImmutableArray<KeyToPath> Items) : Volume;

/// <summary>A config map's keys as files.</summary>
public sealed record ConfigMapVolume(string Name, ImmutableArray<KeyToPath> Items) : Volume;

/// <summary>A volume mounted into the task's container.</summary>
public sealed record VolumeMount(Volume Volume, string MountPath, bool ReadOnly = false, string? SubPath = null);
