namespace Pipelines;

/// <summary>
/// Declares one container task. Every call records a setting; the settings are applied when the
/// DAG is built — task defaults first, then the task's own calls, so the task wins. Calls return
/// the builder, so they chain. The builder is also the task's handle for dependencies:
/// <c>extract.Then(transform)</c>.
/// </summary>
public sealed class TaskBuilder
{
    private readonly DagBuilder? _dag;
    private readonly List<Action<TaskDraft>> _settings = [];

    internal TaskBuilder(DagBuilder? dag, string id, string image)
    {
        _dag = dag;
        Id = id;
        Image = image;
    }

    /// <summary>The task id.</summary>
    public string Id { get; }

    internal string Image { get; }

    internal IReadOnlyList<Action<TaskDraft>> Settings => _settings;

    /// <summary>When to pull the image.</summary>
    public TaskBuilder PullPolicy(ImagePullPolicy policy) => Record(d => d.PullPolicy = policy);

    /// <summary>The entrypoint (Kubernetes <c>command</c>, Docker <c>Entrypoint</c>), replacing any earlier one.</summary>
    public TaskBuilder Command(params string[] command)
    {
        var copy = Copy(command);
        return Record(d => d.Command = [.. copy]);
    }

    /// <summary>The arguments (Kubernetes <c>args</c>, Docker <c>Cmd</c>), replacing any earlier ones.</summary>
    public TaskBuilder Args(params string[] args)
    {
        var copy = Copy(args);
        return Record(d => d.Args = [.. copy]);
    }

    /// <summary>Sets an environment variable; the value may be templated.</summary>
    public TaskBuilder Env(string name, string value)
    {
        NotNull(name);
        NotNull(value);
        return Record(d => d.SetEnv(name, value));
    }

    /// <summary>Sets several environment variables.</summary>
    public TaskBuilder Env(IEnumerable<KeyValuePair<string, string>> variables)
    {
        var copy = NotNull(variables).ToArray();
        return Record(d =>
        {
            foreach (var (name, value) in copy)
            {
                d.SetEnv(name, value);
            }
        });
    }

    /// <summary>Sets an environment variable from a secret key, resolved only at run time.</summary>
    public TaskBuilder SecretEnv(string name, SecretRef secret)
    {
        NotNull(name);
        NotNull(secret);
        return Record(d => d.SetSecretEnv(name, secret));
    }

    /// <summary>Imports every key of a secret as environment variables.</summary>
    public TaskBuilder EnvFromSecret(string secretName, string? prefix = null)
    {
        var source = new EnvSource(EnvSourceKind.Secret, NotNull(secretName), prefix);
        return Record(d => d.EnvFrom.Add(source));
    }

    /// <summary>Imports every key of a config map as environment variables.</summary>
    public TaskBuilder EnvFromConfigMap(string configMapName, string? prefix = null)
    {
        var source = new EnvSource(EnvSourceKind.ConfigMap, NotNull(configMapName), prefix);
        return Record(d => d.EnvFrom.Add(source));
    }

    /// <summary>Mounts a volume at <paramref name="path"/>; a later mount at the same path replaces it.</summary>
    public TaskBuilder Mount(Volume volume, string path, bool readOnly = false, string? subPath = null)
    {
        var mount = new VolumeMount(NotNull(volume), NotNull(path), readOnly, subPath);
        return Record(d =>
        {
            d.Mounts.RemoveAll(m => m.MountPath == mount.MountPath);
            d.Mounts.Add(mount);
        });
    }

    /// <summary>Cpu, memory and ephemeral storage requests and limits (Kubernetes quantities).</summary>
    public TaskBuilder Resources(ResourceSet? requests = null, ResourceSet? limits = null) => Record(d =>
    {
        if (requests is not null)
        {
            d.Requests = requests;
        }

        if (limits is not null)
        {
            d.Limits = limits;
        }
    });

    /// <summary>The number of GPUs the task needs.</summary>
    public TaskBuilder Gpus(int count) => Record(d => d.Gpus = count);

    /// <summary>Runs the process as this user and, optionally, group id.</summary>
    public TaskBuilder RunAs(long user, long? group = null) => Record(d =>
    {
        d.RunAsUser = user;
        d.RunAsGroup = group ?? d.RunAsGroup;
    });

    /// <summary>Refuses to start the container as root.</summary>
    public TaskBuilder RunAsNonRoot(bool value = true) => Record(d => d.RunAsNonRoot = value);

    /// <summary>Mounts the root filesystem read-only.</summary>
    public TaskBuilder ReadOnlyRootFilesystem(bool value = true) => Record(d => d.ReadOnlyRootFilesystem = value);

    /// <summary>Adds Linux capabilities, such as <c>NET_BIND_SERVICE</c>.</summary>
    public TaskBuilder AddCapabilities(params string[] capabilities)
    {
        var copy = Copy(capabilities);
        return Record(d => AddDistinct(d.CapabilitiesAdd, copy));
    }

    /// <summary>Drops Linux capabilities; <c>ALL</c> drops every one.</summary>
    public TaskBuilder DropCapabilities(params string[] capabilities)
    {
        var copy = Copy(capabilities);
        return Record(d => AddDistinct(d.CapabilitiesDrop, copy));
    }

    /// <summary>Runs the container privileged.</summary>
    public TaskBuilder Privileged(bool value = true) => Record(d => d.Privileged = value);

    /// <summary>The working directory.</summary>
    public TaskBuilder WorkingDir(string path)
    {
        NotNull(path);
        return Record(d => d.WorkingDir = path);
    }

    /// <summary>Resolves <paramref name="host"/> to <paramref name="ip"/> inside the container.</summary>
    public TaskBuilder ExtraHost(string host, string ip)
    {
        var alias = new HostAlias(NotNull(host), NotNull(ip));
        return Record(d =>
        {
            d.ExtraHosts.RemoveAll(h => h.Host == alias.Host);
            d.ExtraHosts.Add(alias);
        });
    }

    /// <summary>Sets a label on the container or pod.</summary>
    public TaskBuilder Label(string key, string value)
    {
        NotNull(key);
        NotNull(value);
        return Record(d => d.Labels[key] = value);
    }

    /// <summary>Sets an annotation on the pod (a label on a Docker container).</summary>
    public TaskBuilder Annotation(string key, string value)
    {
        NotNull(key);
        NotNull(value);
        return Record(d => d.Annotations[key] = value);
    }

    /// <summary>
    /// Retries a failed task <paramref name="count"/> times, waiting <paramref name="delay"/> first
    /// (default 5 minutes, as Airflow); with <paramref name="exponentialBackoff"/> the wait doubles
    /// each time, up to <paramref name="maxDelay"/>.
    /// </summary>
    public TaskBuilder Retries(int count, TimeSpan? delay = null, bool exponentialBackoff = false, TimeSpan? maxDelay = null)
    {
        var policy = new RetryPolicy(count, delay ?? TimeSpan.FromMinutes(5), exponentialBackoff, maxDelay);
        return Record(d => d.Retry = policy);
    }

    /// <summary>Stops and fails an attempt that runs longer than <paramref name="timeout"/>.</summary>
    public TaskBuilder Timeout(TimeSpan timeout) => Record(d => d.ExecutionTimeout = timeout);

    /// <summary>Time between SIGTERM and SIGKILL when an attempt is stopped.</summary>
    public TaskBuilder StopGracePeriod(TimeSpan period) => Record(d => d.StopGracePeriod = period);

    /// <summary>What happens to a finished attempt's container or pod.</summary>
    public TaskBuilder Cleanup(CleanupPolicy policy) => Record(d => d.Cleanup = policy);

    /// <summary>When the task runs, given its upstream states (Airflow's trigger rules).</summary>
    public TaskBuilder TriggerRule(TriggerRule rule) => Record(d => d.TriggerRule = rule);

    /// <summary>Exit codes that mark the task skipped instead of failed.</summary>
    public TaskBuilder SkipOnExitCode(params int[] exitCodes)
    {
        var copy = (int[])NotNull(exitCodes).Clone();
        return Record(d => d.SkipOnExitCodes.AddRange(copy.Where(c => !d.SkipOnExitCodes.Contains(c))));
    }

    /// <summary>
    /// Calls <paramref name="callback"/> when the task succeeds. Callbacks add up: those of <c>TaskDefaults</c> run
    /// first, then the task's own, one at a time and in order; what one throws is logged and changes nothing.
    /// </summary>
    public TaskBuilder OnSuccess(Callback callback) => On(CallbackEvent.Success, callback);

    /// <inheritdoc cref="OnSuccess(Callback)" />
    public TaskBuilder OnSuccess(Action<CallbackContext> callback) => On(CallbackEvent.Success, Callbacks.FromAction(callback));

    /// <summary>
    /// Calls <paramref name="callback"/> when the task fails with no retry left (Airflow's <c>on_failure_callback</c>),
    /// with the reason and the tail of the attempt's log. Callbacks add up, as for <see cref="OnSuccess(Callback)"/>.
    /// </summary>
    public TaskBuilder OnFailure(Callback callback) => On(CallbackEvent.Failure, callback);

    /// <inheritdoc cref="OnFailure(Callback)" />
    public TaskBuilder OnFailure(Action<CallbackContext> callback) => On(CallbackEvent.Failure, Callbacks.FromAction(callback));

    /// <summary>Calls <paramref name="callback"/> when an attempt fails and the task will be tried again.</summary>
    public TaskBuilder OnRetry(Callback callback) => On(CallbackEvent.Retry, callback);

    /// <inheritdoc cref="OnRetry(Callback)" />
    public TaskBuilder OnRetry(Action<CallbackContext> callback) => On(CallbackEvent.Retry, Callbacks.FromAction(callback));

    private TaskBuilder On(CallbackEvent @event, Callback callback)
    {
        NotNull(callback);
        return Record(d => d.Callbacks = d.Callbacks.With(@event, callback));
    }

    /// <summary>Runs the task in a pool, taking <paramref name="slots"/> of its slots.</summary>
    public TaskBuilder Pool(string name, int slots = 1)
    {
        NotNull(name);
        return Record(d =>
        {
            d.Pool = name;
            d.PoolSlots = slots;
        });
    }

    /// <summary>
    /// Sets options only one runtime understands; runtime projects wrap this in an extension
    /// (<c>OnKubernetes</c>, <c>OnDocker</c>). Calls for the same options type add up.
    /// </summary>
    public TaskBuilder Configure<TOptions>(Action<TOptions> configure)
        where TOptions : RuntimeOptionsBuilder, new()
    {
        NotNull(configure);
        return Record(d =>
        {
            if (!d.RuntimeOptions.TryGetValue(typeof(TOptions), out var builder))
            {
                builder = new TOptions();
                d.RuntimeOptions[typeof(TOptions)] = builder;
            }

            configure((TOptions)builder);
        });
    }

    /// <summary>This task runs after every one of <paramref name="upstream"/>.</summary>
    public TaskBuilder DependsOn(params TaskBuilder[] upstream)
    {
        var dag = _dag ?? throw new InvalidOperationException("Task defaults cannot declare dependencies.");
        foreach (var task in NotNull(upstream))
        {
            dag.AddEdge(NotNull(task).Id, Id);
        }

        return this;
    }

    /// <summary>This task runs after the tasks with these ids.</summary>
    public TaskBuilder DependsOn(params string[] upstreamIds)
    {
        var dag = _dag ?? throw new InvalidOperationException("Task defaults cannot declare dependencies.");
        foreach (var id in NotNull(upstreamIds))
        {
            dag.AddEdge(NotNull(id), Id);
        }

        return this;
    }

    /// <summary><paramref name="downstream"/> runs after this task; returns it, so chains read left to right.</summary>
    public TaskBuilder Then(TaskBuilder downstream)
    {
        NotNull(downstream).DependsOn(this);
        return downstream;
    }

    /// <summary>Fans out: every one of <paramref name="downstream"/> runs after this task.</summary>
    public TaskFan Then(params TaskBuilder[] downstream)
    {
        foreach (var task in NotNull(downstream))
        {
            NotNull(task).DependsOn(this);
        }

        return new TaskFan([.. downstream]);
    }

    private TaskBuilder Record(Action<TaskDraft> setting)
    {
        _dag?.EnsureOpen();
        _settings.Add(setting);
        return this;
    }

    private static void AddDistinct(List<string> list, string[] items) =>
        list.AddRange(items.Where(i => !list.Contains(i)));

    private static string[] Copy(string[] items)
    {
        NotNull(items);
        foreach (var item in items)
        {
            NotNull(item);
        }

        return (string[])items.Clone();
    }

    private static T NotNull<T>(T? value, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(value))] string? name = null)
        where T : class => value ?? throw new ArgumentNullException(name);
}
