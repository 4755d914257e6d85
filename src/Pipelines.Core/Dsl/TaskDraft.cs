namespace Pipelines;

/// <summary>
/// The mutable state one task's settings are applied to when its DAG is built: a fresh draft per
/// task, so task defaults are replayed into each task and never shared between two.
/// </summary>
internal sealed class TaskDraft(string id, string image)
{
    public string Id { get; } = id;

    public string Image { get; set; } = image;

    public ImagePullPolicy? PullPolicy { get; set; }

    public List<string> Command { get; set; } = [];

    public List<string> Args { get; set; } = [];

    private List<EnvVar>? _env;

    public List<EnvVar> Env => _env ??= [];

    private List<SecretEnvVar>? _secretEnv;

    public List<SecretEnvVar> SecretEnv => _secretEnv ??= [];

    private List<EnvSource>? _envFrom;

    public List<EnvSource> EnvFrom => _envFrom ??= [];

    private List<VolumeMount>? _mounts;

    public List<VolumeMount> Mounts => _mounts ??= [];

    public ResourceSet Requests { get; set; } = ResourceSet.None;

    public ResourceSet Limits { get; set; } = ResourceSet.None;

    public int? Gpus { get; set; }

    public long? RunAsUser { get; set; }

    public long? RunAsGroup { get; set; }

    public bool? RunAsNonRoot { get; set; }

    public bool? ReadOnlyRootFilesystem { get; set; }

    private List<string>? _capabilitiesAdd;

    public List<string> CapabilitiesAdd => _capabilitiesAdd ??= [];

    private List<string>? _capabilitiesDrop;

    public List<string> CapabilitiesDrop => _capabilitiesDrop ??= [];

    public bool? Privileged { get; set; }

    public string? WorkingDir { get; set; }

    private List<HostAlias>? _extraHosts;

    public List<HostAlias> ExtraHosts => _extraHosts ??= [];

    private SortedDictionary<string, string>? _labels;

    public SortedDictionary<string, string> Labels => _labels ??= new(StringComparer.Ordinal);

    private SortedDictionary<string, string>? _annotations;

    public SortedDictionary<string, string> Annotations => _annotations ??= new(StringComparer.Ordinal);

    public RetryPolicy Retry { get; set; } = RetryPolicy.None;

    public TimeSpan? ExecutionTimeout { get; set; }

    public TimeSpan? StopGracePeriod { get; set; }

    public CleanupPolicy Cleanup { get; set; } = CleanupPolicy.Delete;

    public TriggerRule TriggerRule { get; set; } = TriggerRule.AllSuccess;

    private List<int>? _skipOnExitCodes;

    public List<int> SkipOnExitCodes => _skipOnExitCodes ??= [];

    public string? Pool { get; set; }

    public Callbacks Callbacks { get; set; } = Callbacks.None;

    public int PoolSlots { get; set; } = 1;

    private Dictionary<Type, RuntimeOptionsBuilder>? _runtimeOptions;

    public Dictionary<Type, RuntimeOptionsBuilder> RuntimeOptions => _runtimeOptions ??= [];

    /// <summary>Sets a variable, replacing one of the same name where it stands.</summary>
    public void SetEnv(string name, string value)
    {
        RemoveNamed(_secretEnv, name, static e => e.Name);
        var i = IndexOfNamed(_env, name, static e => e.Name);
        if (i >= 0)
        {
            Env[i] = new EnvVar(name, value);
        }
        else
        {
            Env.Add(new EnvVar(name, value));
        }
    }

    /// <summary>Sets a secret variable, replacing a literal or secret one of the same name.</summary>
    public void SetSecretEnv(string name, SecretRef secret)
    {
        RemoveNamed(_env, name, static e => e.Name);
        var i = IndexOfNamed(_secretEnv, name, static e => e.Name);
        if (i >= 0)
        {
            SecretEnv[i] = new SecretEnvVar(name, secret);
        }
        else
        {
            SecretEnv.Add(new SecretEnvVar(name, secret));
        }
    }

    private static int IndexOfNamed<T>(List<T>? list, string name, Func<T, string> nameOf)
    {
        for (var i = 0; list is not null && i < list.Count; i++)
        {
            if (nameOf(list[i]) == name)
            {
                return i;
            }
        }

        return -1;
    }

    private static void RemoveNamed<T>(List<T>? list, string name, Func<T, string> nameOf)
    {
        var i = IndexOfNamed(list, name, nameOf);
        if (i >= 0)
        {
            list!.RemoveAt(i);
        }
    }

    private static ImmutableArray<T> Freeze<T>(List<T>? list) => list is null or { Count: 0 } ? [] : [.. list];

    private static ImmutableSortedDictionary<string, string> Freeze(SortedDictionary<string, string>? map) =>
        map is null or { Count: 0 } ? ImmutableSortedDictionary<string, string>.Empty : map.ToImmutableSortedDictionary(StringComparer.Ordinal);

    public ContainerTask ToTask(ImmutableArray<string> upstream) => new()
    {
        Id = Id,
        Image = Image,
        ImagePullPolicy = PullPolicy,
        Command = Freeze(Command),
        Args = Freeze(Args),
        Env = Freeze(_env),
        SecretEnv = Freeze(_secretEnv),
        EnvFrom = Freeze(_envFrom),
        Mounts = Freeze(_mounts),
        Resources = Requests.IsEmpty && Limits.IsEmpty && Gpus is null
            ? ResourceRequirements.None
            : new ResourceRequirements(Requests, Limits, Gpus),
        RunAsUser = RunAsUser,
        RunAsGroup = RunAsGroup,
        RunAsNonRoot = RunAsNonRoot,
        ReadOnlyRootFilesystem = ReadOnlyRootFilesystem,
        CapabilitiesAdd = Freeze(_capabilitiesAdd),
        CapabilitiesDrop = Freeze(_capabilitiesDrop),
        Privileged = Privileged,
        WorkingDir = WorkingDir,
        ExtraHosts = Freeze(_extraHosts),
        Labels = Freeze(_labels),
        Annotations = Freeze(_annotations),
        Retry = Retry,
        ExecutionTimeout = ExecutionTimeout,
        StopGracePeriod = StopGracePeriod,
        Cleanup = Cleanup,
        TriggerRule = TriggerRule,
        SkipOnExitCodes = Freeze(_skipOnExitCodes),
        Pool = Pool,
        PoolSlots = PoolSlots,
        Upstream = upstream,
        Callbacks = Callbacks,
        RuntimeOptions = _runtimeOptions is null or { Count: 0 }
            ? RuntimeOptionsSet.Empty
            : RuntimeOptionsSet.Of(_runtimeOptions.Values.Select(b => b.Build())),
    };
}
