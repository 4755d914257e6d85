namespace Pipelines;

/// <summary>
/// One container task of a DAG, immutable. Every setting here is common: each runtime honours it
/// or reports at render time that it cannot. Runtime-only settings live in <see cref="RuntimeOptions"/>.
/// String settings may hold <c>&lt;&lt; expr &gt;&gt;</c> templates, resolved when an attempt is rendered.
/// </summary>
public sealed record ContainerTask
{
    /// <summary>The task id, unique in its DAG: letters, digits, <c>_</c>, <c>.</c> and <c>-</c>.</summary>
    public required string Id { get; init; }

    /// <summary>The container image, such as <c>registry.localhost/etl/postgres-runner:0.1.0</c>.</summary>
    public required string Image { get; init; }

    /// <summary>When to pull the image; null leaves it to the runtime's default.</summary>
    public ImagePullPolicy? ImagePullPolicy { get; init; }

    /// <summary>The entrypoint; empty keeps the image's own.</summary>
    public ImmutableArray<string> Command { get; init; } = [];

    /// <summary>The arguments; empty keeps the image's own.</summary>
    public ImmutableArray<string> Args { get; init; } = [];

    /// <summary>Environment variables with literal values, in order.</summary>
    public ImmutableArray<EnvVar> Env { get; init; } = [];

    /// <summary>Environment variables whose values come from secret keys.</summary>
    public ImmutableArray<SecretEnvVar> SecretEnv { get; init; } = [];

    /// <summary>Whole secrets or config maps imported as environment variables.</summary>
    public ImmutableArray<EnvSource> EnvFrom { get; init; } = [];

    /// <summary>Volumes mounted into the container.</summary>
    public ImmutableArray<VolumeMount> Mounts { get; init; } = [];

    /// <summary>Cpu, memory, ephemeral storage and GPUs.</summary>
    public ResourceRequirements Resources { get; init; } = ResourceRequirements.None;

    /// <summary>The user id the process runs as.</summary>
    public long? RunAsUser { get; init; }

    /// <summary>The group id the process runs as.</summary>
    public long? RunAsGroup { get; init; }

    /// <summary>Refuse to start as root.</summary>
    public bool? RunAsNonRoot { get; init; }

    /// <summary>Mount the root filesystem read-only.</summary>
    public bool? ReadOnlyRootFilesystem { get; init; }

    /// <summary>Linux capabilities added.</summary>
    public ImmutableArray<string> CapabilitiesAdd { get; init; } = [];

    /// <summary>Linux capabilities dropped (<c>ALL</c> drops every one).</summary>
    public ImmutableArray<string> CapabilitiesDrop { get; init; } = [];

    /// <summary>Run privileged.</summary>
    public bool? Privileged { get; init; }

    /// <summary>The working directory; null keeps the image's own.</summary>
    public string? WorkingDir { get; init; }

    /// <summary>Extra host name → address lines.</summary>
    public ImmutableArray<HostAlias> ExtraHosts { get; init; } = [];

    /// <summary>Labels on the container or pod, beside the ones Pipelines sets.</summary>
    public ImmutableSortedDictionary<string, string> Labels { get; init; } = ImmutableSortedDictionary<string, string>.Empty;

    /// <summary>Annotations on the pod (Docker: labels), beside the ones Pipelines sets.</summary>
    public ImmutableSortedDictionary<string, string> Annotations { get; init; } = ImmutableSortedDictionary<string, string>.Empty;

    /// <summary>Retries after a failure.</summary>
    public RetryPolicy Retry { get; init; } = RetryPolicy.None;

    /// <summary>The longest one attempt may run before it is stopped and failed.</summary>
    public TimeSpan? ExecutionTimeout { get; init; }

    /// <summary>How long a stopped attempt gets between SIGTERM and SIGKILL.</summary>
    public TimeSpan? StopGracePeriod { get; init; }

    /// <summary>What happens to a finished attempt's container or pod.</summary>
    public CleanupPolicy Cleanup { get; init; } = CleanupPolicy.Delete;

    /// <summary>When the task runs, given its upstream states.</summary>
    public TriggerRule TriggerRule { get; init; } = TriggerRule.AllSuccess;

    /// <summary>Exit codes that mark the task skipped instead of failed.</summary>
    public ImmutableArray<int> SkipOnExitCodes { get; init; } = [];

    /// <summary>The pool whose slots bound how many such tasks run at once; null for none.</summary>
    public string? Pool { get; init; }

    /// <summary>Slots of <see cref="Pool"/> one attempt takes.</summary>
    public int PoolSlots { get; init; } = 1;

    /// <summary>The ids of the tasks this one depends on (direct upstream), in declaration order.</summary>
    public ImmutableArray<string> Upstream { get; init; } = [];

    /// <summary>Settings only one runtime understands.</summary>
    public RuntimeOptionsSet RuntimeOptions { get; init; } = RuntimeOptionsSet.Empty;

    /// <summary>What the executor calls when an attempt of the task ends: on success, on failure with no retry left, on retry. Not part of any spec.</summary>
    public Callbacks Callbacks { get; init; } = Callbacks.None;

    /// <summary>
    /// Returns a copy with every string setting passed through <paramref name="map"/> — the one
    /// place that lists the task's templated fields, so that no field is left out of templating.
    /// The id, the pool and the upstream ids are names, not templates. When the mapper returns
    /// every value unchanged, the same instance comes back and nothing is allocated for copies.
    /// </summary>
    public ContainerTask MapStrings(StringFieldMapper map)
    {
        ArgumentNullException.ThrowIfNull(map);
        var image = map(Image, new("image"));
        var command = MapList(Command, "command", map);
        var args = MapList(Args, "args", map);
        var env = MapEach(Env, map, static (e, _, m) => Same(e, e.Value, m(e.Value, new("env", e.Name)), static (e, v) => e with { Value = v }));
        var secretEnv = MapEach(SecretEnv, map, static (e, _, m) =>
        {
            var name = m(e.Secret.Name, new("secretEnv", e.Name + ".name"));
            var key = m(e.Secret.Key, new("secretEnv", e.Name + ".key"));
            return ReferenceEquals(name, e.Secret.Name) && ReferenceEquals(key, e.Secret.Key) ? e : e with { Secret = new SecretRef(name, key) };
        });
        var envFrom = MapEach(EnvFrom, map, static (e, i, m) =>
        {
            var name = m(e.Name, new("envFrom", "name", i));
            var prefix = e.Prefix is null ? null : m(e.Prefix, new("envFrom", "prefix", i));
            return ReferenceEquals(name, e.Name) && ReferenceEquals(prefix, e.Prefix) ? e : e with { Name = name, Prefix = prefix };
        });
        var mounts = MapEach(Mounts, map, static (mount, i, m) =>
        {
            var volume = MapVolume(mount.Volume, i, m);
            var path = m(mount.MountPath, new("mounts", "mountPath", i));
            var subPath = mount.SubPath is null ? null : m(mount.SubPath, new("mounts", "subPath", i));
            return ReferenceEquals(volume, mount.Volume) && ReferenceEquals(path, mount.MountPath) && ReferenceEquals(subPath, mount.SubPath)
                ? mount
                : mount with { Volume = volume, MountPath = path, SubPath = subPath };
        });
        var requests = MapResources(Resources.Requests, "resources.requests", map);
        var limits = MapResources(Resources.Limits, "resources.limits", map);
        var capAdd = MapList(CapabilitiesAdd, "capabilities.add", map);
        var capDrop = MapList(CapabilitiesDrop, "capabilities.drop", map);
        var workingDir = WorkingDir is null ? null : map(WorkingDir, new("workingDir"));
        var extraHosts = MapEach(ExtraHosts, map, static (h, i, m) =>
        {
            var host = m(h.Host, new("extraHosts", "host", i));
            var ip = m(h.Ip, new("extraHosts", "ip", i));
            return ReferenceEquals(host, h.Host) && ReferenceEquals(ip, h.Ip) ? h : new HostAlias(host, ip);
        });
        var labels = MapValues(Labels, "labels", map);
        var annotations = MapValues(Annotations, "annotations", map);
        var runtimeOptions = RuntimeOptions.MapStrings(map);

        if (ReferenceEquals(image, Image) && command == Command && args == Args && env == Env && secretEnv == SecretEnv
            && envFrom == EnvFrom && mounts == Mounts && ReferenceEquals(requests, Resources.Requests)
            && ReferenceEquals(limits, Resources.Limits) && capAdd == CapabilitiesAdd && capDrop == CapabilitiesDrop
            && ReferenceEquals(workingDir, WorkingDir) && extraHosts == ExtraHosts && ReferenceEquals(labels, Labels)
            && ReferenceEquals(annotations, Annotations) && ReferenceEquals(runtimeOptions, RuntimeOptions))
        {
            return this;
        }

        return this with
        {
            Image = image,
            Command = command,
            Args = args,
            Env = env,
            SecretEnv = secretEnv,
            EnvFrom = envFrom,
            Mounts = mounts,
            Resources = ReferenceEquals(requests, Resources.Requests) && ReferenceEquals(limits, Resources.Limits)
                ? Resources
                : Resources with { Requests = requests, Limits = limits },
            CapabilitiesAdd = capAdd,
            CapabilitiesDrop = capDrop,
            WorkingDir = workingDir,
            ExtraHosts = extraHosts,
            Labels = labels,
            Annotations = annotations,
            RuntimeOptions = runtimeOptions,
        };
    }

    private static T Same<T>(T item, string before, string after, Func<T, string, T> change) =>
        ReferenceEquals(before, after) ? item : change(item, after);

    // Maps each item; returns the same array when no item changed (copy-on-first-change).
    private static ImmutableArray<T> MapEach<T>(ImmutableArray<T> items, StringFieldMapper map, Func<T, int, StringFieldMapper, T> mapItem)
        where T : class
    {
        ImmutableArray<T>.Builder? changed = null;
        for (var i = 0; i < items.Length; i++)
        {
            var mapped = mapItem(items[i], i, map);
            if (changed is null && !ReferenceEquals(mapped, items[i]))
            {
                changed = ImmutableArray.CreateBuilder<T>(items.Length);
                changed.AddRange(items, i);
            }

            changed?.Add(mapped);
        }

        return changed is null ? items : changed.MoveToImmutable();
    }

    private static ImmutableArray<string> MapList(ImmutableArray<string> items, string name, StringFieldMapper map)
    {
        ImmutableArray<string>.Builder? changed = null;
        for (var i = 0; i < items.Length; i++)
        {
            var mapped = map(items[i], new(name, null, i));
            if (changed is null && !ReferenceEquals(mapped, items[i]))
            {
                changed = ImmutableArray.CreateBuilder<string>(items.Length);
                changed.AddRange(items, i);
            }

            changed?.Add(mapped);
        }

        return changed is null ? items : changed.MoveToImmutable();
    }

    private static ImmutableSortedDictionary<string, string> MapValues(
        ImmutableSortedDictionary<string, string> values, string name, StringFieldMapper map)
    {
        ImmutableSortedDictionary<string, string>.Builder? changed = null;
        foreach (var (key, value) in values)
        {
            var mapped = map(value, new(name, key));
            if (!ReferenceEquals(mapped, value))
            {
                changed ??= values.ToBuilder();
                changed[key] = mapped;
            }
        }

        return changed is null ? values : changed.ToImmutable();
    }

    private static ResourceSet MapResources(ResourceSet set, string name, StringFieldMapper map)
    {
        if (set.IsEmpty)
        {
            return set;
        }

        var cpu = set.Cpu is null ? null : map(set.Cpu, new(name, "cpu"));
        var memory = set.Memory is null ? null : map(set.Memory, new(name, "memory"));
        var storage = set.EphemeralStorage is null ? null : map(set.EphemeralStorage, new(name, "ephemeral-storage"));
        return ReferenceEquals(cpu, set.Cpu) && ReferenceEquals(memory, set.Memory) && ReferenceEquals(storage, set.EphemeralStorage)
            ? set
            : new ResourceSet(cpu, memory, storage);
    }

    private static Volume MapVolume(Volume volume, int index, StringFieldMapper map)
    {
        switch (volume)
        {
            case NamedVolume v:
                return Same(v, v.Name, map(v.Name, new("mounts", "volume.name", index)), static (v, s) => v with { Name = s });
            case HostPathVolume v:
                return Same(v, v.Path, map(v.Path, new("mounts", "volume.path", index)), static (v, s) => v with { Path = s });
            case TempVolume { SizeLimit: { } size } v:
                return Same(v, size, map(size, new("mounts", "volume.sizeLimit", index)), static (v, s) => v with { SizeLimit = s });
            case TempVolume v:
                return v;
            case SecretVolume v:
                {
                    var name = map(v.SecretName, new("mounts", "volume.secretName", index));
                    var items = MapItems(v.Items, index, map);
                    return ReferenceEquals(name, v.SecretName) && items == v.Items ? v : v with { SecretName = name, Items = items };
                }

            case ConfigMapVolume v:
                {
                    var name = map(v.Name, new("mounts", "volume.configMap", index));
                    var items = MapItems(v.Items, index, map);
                    return ReferenceEquals(name, v.Name) && items == v.Items ? v : v with { Name = name, Items = items };
                }

            default:
                throw new NotSupportedException($"Unknown volume kind {volume.GetType().Name}.");
        }
    }

    private static ImmutableArray<KeyToPath> MapItems(ImmutableArray<KeyToPath> items, int index, StringFieldMapper map) =>
        MapEach(items, map, (k, _, m) =>
        {
            var key = m(k.Key, new("mounts", "volume.items.key", index));
            var path = m(k.Path, new("mounts", "volume.items.path", index));
            return ReferenceEquals(key, k.Key) && ReferenceEquals(path, k.Path) ? k : new KeyToPath(key, path);
        });
}
