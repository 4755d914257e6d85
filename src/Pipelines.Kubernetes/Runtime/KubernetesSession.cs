using System.Collections.Concurrent;
using System.Globalization;
using k8s.Models;
using Pipelines.Attempts;
using Pipelines.Execution.Runtimes;
using Pipelines.Kubernetes.Rendering;
using Pipelines.Rendering;
using Pipelines.Resolution;
using Pipelines.Secrets;

namespace Pipelines.Kubernetes.Runtime;

/// <summary>One run on a cluster: one API connection and one pod watch per namespace for all its attempts.</summary>
internal sealed class KubernetesSession(KubernetesApi api, RunContext run, string projectRoot, SecretMasker masker, string storeId, TimeProvider time)
    : IRuntimeSession
{
    /// <summary>How long a pod may take to be scheduled and start its container when the task sets no startup timeout (Airflow's default).</summary>
    public static readonly TimeSpan DefaultStartupTimeout = TimeSpan.FromSeconds(120);

    /// <summary>How long a container may wait on a pull error or a missing secret before the attempt fails, when the task sets none.</summary>
    public static readonly TimeSpan DefaultStartFailureGrace = TimeSpan.FromSeconds(30);

    private readonly PodRenderer _renderer = new();
    private readonly PodStarter _pods = new(api, masker, time);
    private readonly ConcurrentDictionary<string, Lazy<Task<PodWatch>>> _watches = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<AttemptKey, (string Namespace, string Name)> _where = new();
    private readonly ConcurrentDictionary<string, byte> _forgotten = new(StringComparer.Ordinal); // pods this session deleted
    private readonly CancellationTokenSource _closing = new();
    private int _disposed;

    /// <summary>The label selector of this run's pods: the store, the DAG, the run.</summary>
    public string Selector { get; } =
        $"{AttemptNames.StoreLabel}={storeId},{AttemptNames.DagLabel}={AttemptNames.LabelValue(run.Dag.Id)},{AttemptNames.RunLabel}={AttemptNames.LabelValue(run.RunId)}";

    public async Task<AttemptResult> RunAsync(ResolvedTask attempt, IAttemptSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        ArgumentNullException.ThrowIfNull(sink);
        var (pod, problem) = Render(attempt);
        if (problem is not null)
        {
            return AttemptResult.Lost(AttemptLoss.StartFailed, problem);
        }

        var ns = pod.Metadata.NamespaceProperty;
        var name = pod.Metadata.Name;
        var (watch, refused) = await TryWatchAsync(ns, cancellationToken).ConfigureAwait(false);
        if (refused is not null || cancellationToken.IsCancellationRequested)
        {
            return refused ?? AttemptResult.Stopped("stopped before the pod was made");
        }

        V1Pod? created;
        bool existed;
        try
        {
            (created, existed, var failure) = await _pods.CreateAsync(pod, ns, cancellationToken).ConfigureAwait(false);
            if (failure is not null)
            {
                return failure;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return AttemptResult.Stopped("stopped before the pod was made");
        }

        if (existed && !IsOurs(created!, attempt))
        {
            return AttemptResult.Lost(AttemptLoss.StartFailed,
                $"a pod named '{name}' exists in namespace '{ns}' that Pipelines did not make for attempt {AttemptKey.Of(attempt)} of this run store; delete it ('kubectl delete pod -n {ns} {name}') and run again");
        }

        watch!.Seed(created!);
        _where[AttemptKey.Of(attempt)] = (ns, name);
        try
        {
            await sink.StartedAsync($"{ns}/{name}").ConfigureAwait(false);
        }
        catch
        {
            await _pods.DeleteAsync(ns, name, TimeSpan.Zero).ConfigureAwait(false); // the start is not recorded: it must not run
            throw;
        }

        return await FollowAsync(watch!, ns, name, attempt, sink, resumeAfter: null, cancellationToken).ConfigureAwait(false);
    }

    public async Task<AttemptResult?> AdoptAsync(ResolvedTask attempt, string? handle, LogCursor? resumeAfter, IAttemptSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        ArgumentNullException.ThrowIfNull(sink);
        var (pod, _) = Render(attempt);
        var ns = handle?.Split('/') is [var n, _] ? n : pod.Metadata.NamespaceProperty;
        var name = pod.Metadata.Name;
        var (watch, refused) = await TryWatchAsync(ns, cancellationToken).ConfigureAwait(false);
        if (refused is not null)
        {
            return refused;
        }

        var (found, deleted) = watch!.Current(name);
        if (found is null || deleted || !IsOurs(found, attempt))
        {
            return handle is null
                ? null
                : AttemptResult.Lost(AttemptLoss.HostCrash, $"host-crash: the attempt's pod ({ns}/{name}) was deleted while no host followed it");
        }

        _where[AttemptKey.Of(attempt)] = (ns, name);
        return await FollowAsync(watch!, ns, name, attempt, sink, resumeAfter ?? new LogCursor(string.Empty), cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<Leftover>> FindLeftoversAsync(CancellationToken cancellationToken)
    {
        var leftovers = new List<Leftover>();
        var prefix = $"{run.Dag.Id}/{run.RunId}/";
        foreach (var ns in Namespaces())
        {
            var watch = await WatchAsync(ns, cancellationToken).ConfigureAwait(false);
            foreach (var pod in watch.Pods())
            {
                if (pod.Metadata.Annotations?.TryGetValue(AttemptNames.AttemptAnnotation, out var id) != true || !id!.StartsWith(prefix, StringComparison.Ordinal))
                {
                    continue;
                }

                var rest = id[prefix.Length..];
                var slash = rest.LastIndexOf('/');
                if (slash > 0 && int.TryParse(rest[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var tryNumber))
                {
                    var running = PodStatus.Stage(pod, deleted: false).Stage != PodStage.Ended;
                    leftovers.Add(new Leftover(new AttemptKey(run.Dag.Id, run.RunId, rest[..slash], tryNumber), $"{ns}/{pod.Metadata.Name}", running));
                }
            }
        }

        return leftovers;
    }

    public async Task ForgetAsync(AttemptKey attempt)
    {
        var (ns, name) = _where.TryGetValue(attempt, out var where) ? where : (api.Namespace, PodName(attempt));
        var pod = _watches.ContainsKey(ns) ? (await WatchAsync(ns, CancellationToken.None).ConfigureAwait(false)).Current(name) : (await _pods.GetAsync(ns, name, CancellationToken.None).ConfigureAwait(false), false);
        if (pod.Item1 is not { } found || pod.Item2 || found.Metadata.Labels?.TryGetValue(AttemptNames.StoreLabel, out var store) != true || store != storeId)
        {
            return; // gone, or not this store's
        }

        if (found.Metadata.DeletionTimestamp is not null)
        {
            _where.TryRemove(attempt, out _);
            return; // already being deleted (a stop or a timeout asked for it): a second delete would only repeat it
        }

        var ended = PodStatus.Stage(found, deleted: false).Stage == PodStage.Ended;
        var succeeded = ended && PodStatus.Base(found)?.State?.Terminated?.ExitCode == 0 && found.Status?.Reason is null;
        var policy = run.Dag.Tasks.FirstOrDefault(t => t.Id == attempt.TaskId)?.Cleanup ?? CleanupPolicy.Delete;
        if (ended && (policy == CleanupPolicy.Keep || (policy == CleanupPolicy.DeleteOnSuccess && !succeeded)))
        {
            return;
        }

        // An ended pod goes at once; one still running (a test run's, never recorded) is stopped with its grace period.
        _forgotten[name] = 0;
        if (await _pods.DeleteAsync(ns, name, ended ? TimeSpan.Zero : null).ConfigureAwait(false) && _watches.ContainsKey(ns))
        {
            (await WatchAsync(ns, CancellationToken.None).ConfigureAwait(false)).Forget(name);
        }

        _where.TryRemove(attempt, out _);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        // Ends this host's watching, not the pods: an attempt still running is one the next host adopts.
        await _closing.CancelAsync().ConfigureAwait(false);
        foreach (var watch in _watches.Values.Where(w => w.IsValueCreated))
        {
            try
            {
                await (await watch.Value.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is KubernetesWatchException or OperationCanceledException)
            {
            }
        }

        _closing.Dispose();
        api.Dispose();
    }

    /// <summary>The pod of an attempt in this store: the rendered name and the store's id.</summary>
    private string PodName(AttemptKey attempt) =>
        $"{AttemptNames.ResourceName(attempt.DagId, attempt.RunId, attempt.TaskId, attempt.TryNumber)}-{storeId}";

    // The pod as render shows it, plus the store's id in its name and labels and the namespace filled in.
    private (V1Pod Pod, string? Problem) Render(ResolvedTask attempt)
    {
        var pod = _renderer.RenderPod(attempt, projectRoot, out var diagnostics);
        pod.Metadata.Name = PodName(AttemptKey.Of(attempt));
        pod.Metadata.Labels ??= new Dictionary<string, string>();
        pod.Metadata.Labels[AttemptNames.StoreLabel] = storeId;
        pod.Metadata.NamespaceProperty ??= api.Namespace;
        var errors = diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => $"field '{d.Field}': {d.Message}").ToList();
        return (pod, errors.Count == 0 ? null : "the pod cannot be made: " + string.Join("; ", errors));
    }

    // Follows a pod from its creation to its end: the start (or why it cannot start), its events and log, its end.
    private async Task<AttemptResult> FollowAsync(PodWatch watch, string ns, string name, ResolvedTask attempt, IAttemptSink sink, LogCursor? resumeAfter, CancellationToken cancellationToken)
    {
        var options = attempt.Task.RuntimeOptions.Get<KubernetesOptions>() ?? new KubernetesOptions();
        var startup = await PodStartup.WaitAsync(watch, name, options.StartupTimeout ?? DefaultStartupTimeout, options.StartFailureGrace ?? DefaultStartFailureGrace, time, cancellationToken).ConfigureAwait(false);
        var adopted = resumeAfter is not null;
        if (startup.Failure is { } failure)
        {
            if (!adopted)
            {
                await _pods.LogEventsAsync(ns, name, sink, warningsOnly: false, _closing.Token).ConfigureAwait(false);
            }

            return failure;
        }

        if (startup.Cancelled)
        {
            await _pods.DeleteAsync(ns, name, attempt.Task.StopGracePeriod).ConfigureAwait(false);
            return AttemptResult.Stopped("stopped before the pod started");
        }

        if (!adopted && startup.Troubled)
        {
            // A slow or troubled start: the pod's warnings say why (a scheduling retry, a pull back-off that recovered).
            await _pods.LogEventsAsync(ns, name, sink, warningsOnly: true, _closing.Token).ConfigureAwait(false);
        }

        var ended = watch.WaitAsync(name, (p, d) => d || PodStatus.Stage(p, d).Stage == PodStage.Ended, null, _closing.Token);
        using var reading = CancellationTokenSource.CreateLinkedTokenSource(_closing.Token);
        var cursor = resumeAfter is { Value.Length: > 0 } c ? c : (LogCursor?)null;
        var logs = new List<Task> { new PodLog(api, ns, name, KubernetesNames.BaseContainer, sink, masker, time, cursor).FollowAsync(ended, reading.Token) };
        foreach (var container in options.LogContainers)
        {
            // Another container's log on request, its lines marked with its name; on adoption it starts over at the base log's second.
            var since = PodLog.ParseCursor(cursor) is var (stamp, _) ? new LogCursor($"{stamp.Text} 0") : (LogCursor?)null;
            logs.Add(new PodLog(api, ns, name, container, sink, masker, time, since, $"[{container}] ").FollowAsync(ended, reading.Token));
        }

        var stopRequested = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stopped = false;
        using (cancellationToken.Register(() => stopRequested.TrySetResult()))
        {
            if (await Task.WhenAny(ended, stopRequested.Task).ConfigureAwait(false) != ended)
            {
                stopped = true;
                var grace = attempt.Task.StopGracePeriod;
                await _pods.DeleteAsync(ns, name, grace).ConfigureAwait(false);
                await Task.WhenAny(ended, Task.Delay((grace ?? TimeSpan.FromSeconds(30)) + TimeSpan.FromSeconds(30), time, _closing.Token)).ConfigureAwait(false);
            }
        }

        var (pod, deleted) = ended.IsCompletedSuccessfully ? ended.Result : watch.Current(name);
        await EndLogsAsync(logs, reading).ConfigureAwait(false);
        if (stopped)
        {
            return AttemptResult.Stopped("stopped: the pod was deleted", PodStatus.Base(pod)?.State?.Terminated?.ExitCode);
        }

        if (_forgotten.ContainsKey(name) && PodStatus.Base(pod)?.State?.Terminated is null or { ExitCode: 137 or 143 })
        {
            return AttemptResult.Stopped("stopped: its attempt was forgotten and its pod deleted", PodStatus.Base(pod)?.State?.Terminated?.ExitCode);
        }

        if (pod is null)
        {
            return AttemptResult.Lost(AttemptLoss.RuntimeError, $"the pod ({ns}/{name}) was deleted by someone else before its container ended");
        }

        return PodStatus.Result(pod, PodStatus.KilledByDeletion(pod, deleted));
    }

    // The container ended: its log streams end by themselves once they have it all; one that hangs is let go.
    private async Task EndLogsAsync(List<Task> logs, CancellationTokenSource reading)
    {
        var all = Task.WhenAll(logs);
        if (await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(30), time, _closing.Token)).ConfigureAwait(false) != all)
        {
            await reading.CancelAsync().ConfigureAwait(false);
        }

        try
        {
            await all.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    // The namespace's watch, or why there is none: refused (a loss), or the attempt stopped while it was being opened.
    private async Task<(PodWatch? Watch, AttemptResult? Refused)> TryWatchAsync(string ns, CancellationToken cancellationToken)
    {
        try
        {
            return (await WatchAsync(ns, cancellationToken).ConfigureAwait(false), null);
        }
        catch (KubernetesWatchException ex)
        {
            return (null, AttemptResult.Lost(AttemptLoss.RuntimeError, ex.Message));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return (null, AttemptResult.Stopped("stopped before the pod was followed"));
        }
    }

    private async Task<PodWatch> WatchAsync(string ns, CancellationToken cancellationToken)
    {
        var lazy = _watches.GetOrAdd(ns, n => new Lazy<Task<PodWatch>>(async () =>
        {
            var watch = new PodWatch(api, n, Selector, time);
            await watch.StartAsync(_closing.Token).ConfigureAwait(false);
            return watch;
        }));
        return await lazy.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    // The namespaces the run's pods can be in: the environment's and every task's own.
    private IEnumerable<string> Namespaces() =>
        run.Dag.Tasks.Select(t => t.RuntimeOptions.Get<KubernetesOptions>()?.Namespace)
            .Where(n => n is not null && !Templating.TemplateText.MayContainTemplate(n))
            .Append(api.Namespace)
            .Concat(_where.Values.Select(w => w.Namespace))
            .Distinct(StringComparer.Ordinal)!;

    private bool IsOurs(V1Pod pod, ResolvedTask attempt) =>
        pod.Metadata.Labels?.TryGetValue(AttemptNames.StoreLabel, out var store) == true && store == storeId
        && pod.Metadata.Annotations?.TryGetValue(AttemptNames.AttemptAnnotation, out var id) == true && id == AttemptKey.Of(attempt).ToString();
}
