using System.Net;
using Docker.DotNet;
using Docker.DotNet.Models;
using Pipelines.Attempts;
using Pipelines.Docker.Rendering;
using Pipelines.Execution.Runtimes;
using Pipelines.Rendering;
using Pipelines.Resolution;
using Pipelines.Secrets;

namespace Pipelines.Docker.Runtime;

/// <summary>One run on a Docker engine: one client for all its attempts, closed at the end of the run.</summary>
internal sealed class DockerSession(DockerClient client, RunContext run, ISecretResolver secrets, SecretMasker masker, string storeId, TimeProvider time)
    : IRuntimeSession
{
    /// <summary>The stop grace period when the task sets none (the engine's default too).</summary>
    public static readonly TimeSpan DefaultStopGracePeriod = TimeSpan.FromSeconds(10);

    private readonly ContainerRenderer _renderer = new();
    private readonly CancellationTokenSource _closing = new();
    private readonly ContainerEvents _events = new(client, storeId, time.GetUtcNow().AddSeconds(-1));
    private static readonly System.Version SubpathApi = new(1, 45);
    private System.Version? _engineVersion;
    private readonly SemaphoreSlim _networkGate = new(1, 1); // an engine before API 1.44 makes a second network of the same name
    private int _disposed;

    public async Task<AttemptResult> RunAsync(ResolvedTask attempt, IAttemptSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        ArgumentNullException.ThrowIfNull(sink);
        var spec = _renderer.RenderContainer(attempt, storeId, out var diagnostics);
        if (diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => $"field '{d.Field}': {d.Message}").ToList() is { Count: > 0 } errors)
        {
            return AttemptResult.Lost(AttemptLoss.StartFailed, "the container cannot be made: " + string.Join("; ", errors));
        }

        var problems = ContainerEnvironment.Complete(spec, secrets, masker).ToList();
        var (files, fileProblems) = ContainerEnvironment.SecretFiles(spec, secrets, masker);
        problems.AddRange(fileProblems);
        if (problems.Count > 0)
        {
            return AttemptResult.Lost(AttemptLoss.StartFailed, string.Join("; ", problems));
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return AttemptResult.Stopped("stopped before the container was made");
        }

        var image = spec.Create.Image;
        if (await ImagePuller.EnsureAsync(client, image, spec.PullPolicy, cancellationToken).ConfigureAwait(false) is { } pull)
        {
            return AttemptResult.Lost(AttemptLoss.ImagePull, pull);
        }

        if (await EngineSteps.NonRootProblemAsync(client, attempt.Task, image, cancellationToken).ConfigureAwait(false) is { } root)
        {
            return AttemptResult.Lost(AttemptLoss.StartFailed, root);
        }

        if (spec.Create.HostConfig?.Mounts?.Any(m => m.VolumeOptions?.Subpath is not null) == true
            && await EngineVersionAsync(cancellationToken).ConfigureAwait(false) is { } api && api < SubpathApi)
        {
            // An older engine ignores a field it does not know: it would mount the whole volume where a part was asked.
            return AttemptResult.Lost(AttemptLoss.StartFailed,
                $"a sub-path of a named volume needs Docker Engine API {SubpathApi} (Docker 26) or later; this engine speaks {api} — upgrade it, or mount the whole volume");
        }

        if (await EngineSteps.EnsureNetworkAsync(client, spec.Create.HostConfig?.NetworkMode, _networkGate, cancellationToken).ConfigureAwait(false) is { } network)
        {
            return AttemptResult.Lost(AttemptLoss.StartFailed, network);
        }

        foreach (var volume in spec.Volumes)
        {
            await client.Volumes.CreateAsync(
                new VolumesCreateParameters { Name = volume.Name, Labels = new Dictionary<string, string>(volume.Labels) },
                cancellationToken).ConfigureAwait(false);
        }

        string id;
        try
        {
            id = (await client.Containers.CreateContainerAsync(spec.Create, cancellationToken).ConfigureAwait(false)).ID;
        }
        catch (DockerApiException ex) when (ex.StatusCode == HttpStatusCode.Conflict)
        {
            // A container of this name exists: ours only if it carries this attempt's id and this store's.
            var existing = await FindAsync(spec.Name, cancellationToken).ConfigureAwait(false);
            if (existing is null || !IsOurs(existing, attempt))
            {
                return AttemptResult.Lost(AttemptLoss.StartFailed,
                    $"a container named '{spec.Name}' exists that Pipelines did not make for attempt {AttemptKey.Of(attempt)} of this run store; remove it ('docker rm -f {spec.Name}') and run again");
            }

            id = existing.ID;
            if (existing.State?.Status != "created")
            {
                await sink.StartedAsync(id).ConfigureAwait(false);
                return await FollowAsync(id, attempt, sink, resumeAfter: null, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (DockerApiException ex)
        {
            return AttemptResult.Lost(AttemptLoss.StartFailed, $"the engine refused to make the container: {ImagePuller.Message(ex)}");
        }

        try
        {
            await sink.StartedAsync(id).ConfigureAwait(false);
        }
        catch
        {
            await EngineSteps.RemoveAsync(client, id, spec.Name, storeId, time).ConfigureAwait(false); // the start is not recorded: it must not run
            throw;
        }

        try
        {
            await ContainerArchive.PrepareOutputAsync(client, id, cancellationToken).ConfigureAwait(false);
            await ContainerArchive.WriteSecretFilesAsync(client, id, files, cancellationToken).ConfigureAwait(false);
            if (cancellationToken.IsCancellationRequested)
            {
                return AttemptResult.Stopped("stopped before the container started");
            }

            await client.Containers.StartContainerAsync(id, new ContainerStartParameters(), cancellationToken).ConfigureAwait(false);
        }
        catch (DockerApiException ex)
        {
            return AttemptResult.Lost(AttemptLoss.StartFailed, $"the container could not start: {ImagePuller.Message(ex)}");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return AttemptResult.Stopped("stopped before the container started");
        }

        return await FollowAsync(id, attempt, sink, resumeAfter: null, cancellationToken).ConfigureAwait(false);
    }

    public async Task<AttemptResult?> AdoptAsync(ResolvedTask attempt, string? handle, LogCursor? resumeAfter, IAttemptSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        ArgumentNullException.ThrowIfNull(sink);
        var name = ContainerName(AttemptKey.Of(attempt));
        var container = await FindAsync(handle ?? name, cancellationToken).ConfigureAwait(false)
            ?? (handle is null ? null : await FindAsync(name, cancellationToken).ConfigureAwait(false));
        if (container is null || !IsOurs(container, attempt))
        {
            return handle is null
                ? null
                : AttemptResult.Lost(AttemptLoss.HostCrash, $"host-crash: the attempt's container ({Short(handle)}) was removed while no host followed it");
        }

        if (container.State?.Status == "created")
        {
            // Made, never started: the host died in between. Nothing ran; the executor starts the attempt afresh.
            await EngineSteps.RemoveAsync(client, container.ID, name, storeId, time).ConfigureAwait(false);
            return null;
        }

        return await FollowAsync(container.ID, attempt, sink, resumeAfter, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<Leftover>> FindLeftoversAsync(CancellationToken cancellationToken)
    {
        var containers = await client.Containers.ListContainersAsync(
            new ContainersListParameters { All = true, Filters = LabelFilter((ContainerRenderer.StoreLabel, storeId), (AttemptNames.DagLabel, AttemptNames.LabelValue(run.Dag.Id)), (AttemptNames.RunLabel, AttemptNames.LabelValue(run.RunId))) },
            cancellationToken).ConfigureAwait(false);
        var prefix = $"{run.Dag.Id}/{run.RunId}/";
        var leftovers = new List<Leftover>();
        foreach (var container in containers)
        {
            if (container.Labels?.TryGetValue(AttemptNames.AttemptAnnotation, out var attemptId) != true || !attemptId!.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            var rest = attemptId[prefix.Length..];
            var slash = rest.LastIndexOf('/');
            if (slash > 0 && int.TryParse(rest[(slash + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var tryNumber))
            {
                leftovers.Add(new Leftover(new AttemptKey(run.Dag.Id, run.RunId, rest[..slash], tryNumber), container.ID, container.State is "running" or "restarting" or "paused"));
            }
        }

        return leftovers;
    }

    public async Task ForgetAsync(AttemptKey attempt)
    {
        var name = ContainerName(attempt);
        var container = await FindAsync(name, CancellationToken.None).ConfigureAwait(false);
        if (container is not null && Label(container.Config?.Labels, ContainerRenderer.StoreLabel) != storeId)
        {
            return; // not this store's
        }

        var succeeded = container?.State is { Status: "exited", ExitCode: 0, OOMKilled: false };
        var task = run.Dag.Tasks.FirstOrDefault(t => t.Id == attempt.TaskId);
        var policy = task?.Cleanup ?? CleanupPolicy.Delete;
        if (container?.State?.Running == true)
        {
            // One the store never recorded (a test run's): stopped with the task's grace period, as the contract says.
            await StopAsync(container.ID, task?.StopGracePeriod ?? DefaultStopGracePeriod).ConfigureAwait(false);
        }

        if (policy == CleanupPolicy.Keep || (policy == CleanupPolicy.DeleteOnSuccess && container is not null && !succeeded))
        {
            return;
        }

        if (container is not null)
        {
            await EngineSteps.RemoveAsync(client, container.ID, name, storeId, time).ConfigureAwait(false);
        }
        else
        {
            await EngineSteps.RemoveAsync(client, null, name, storeId, time).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        // Ends this host's following, not the containers: an attempt still running is one the next host adopts.
        await _closing.CancelAsync().ConfigureAwait(false);
        _closing.Dispose();
        _networkGate.Dispose();
        _events.Dispose();
        client.Dispose();
    }

    /// <summary>The container of an attempt in this store: <c>&lt;dag&gt;-&lt;task&gt;-&lt;hash&gt;-&lt;try&gt;-&lt;store&gt;</c>.</summary>
    private string ContainerName(AttemptKey attempt) =>
        $"{AttemptNames.ResourceName(attempt.DagId, attempt.RunId, attempt.TaskId, attempt.TryNumber)}-{storeId}";

    // Follows a started container to its end: its log, its exit, its output; a cancellation stops it.
    private async Task<AttemptResult> FollowAsync(string id, ResolvedTask attempt, IAttemptSink sink, LogCursor? resumeAfter, CancellationToken cancellationToken)
    {
        var log = new ContainerLog(sink, masker, time, resumeAfter, [.. attempt.Task.Mounts.Select(m => m.MountPath)]);
        var reading = log.ReadAsync(client, id, follow: true, _closing.Token);
        using var measuring = CancellationTokenSource.CreateLinkedTokenSource(_closing.Token);
        var (usage, watching) = ContainerUsage.Watch(client, id, measuring.Token);
        var waiting = client.Containers.WaitContainerAsync(id, _closing.Token);
        var stopRequested = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stopped = false;
        using (cancellationToken.Register(() => stopRequested.TrySetResult()))
        {
            if (await Task.WhenAny(waiting, stopRequested.Task).ConfigureAwait(false) != waiting)
            {
                stopped = true;
                await StopAsync(id, attempt.Task.StopGracePeriod ?? DefaultStopGracePeriod).ConfigureAwait(false);
            }
        }

        var exit = await waiting.ConfigureAwait(false);
        await reading.ConfigureAwait(false);
        await EndAsync(watching, measuring).ConfigureAwait(false);
        if (usage.Result is { } used)
        {
            sink.Measured(used);
        }

        var code = (int)exit.StatusCode;
        if (stopped)
        {
            return AttemptResult.Stopped("stopped", code);
        }

        try
        {
            var state = (await client.Containers.InspectContainerAsync(id, _closing.Token).ConfigureAwait(false)).State;
            var (output, problem) = await ContainerArchive.ReadOutputAsync(client, id, _closing.Token).ConfigureAwait(false);
            var oom = state?.OOMKilled == true || await _events.WasOomKilledAsync(id, killed: code == 137, TimeSpan.FromSeconds(2), time).ConfigureAwait(false);
            var reason = oom ? ContainerReasons.Oom(attempt, code)
                : code != 0 && log.DeniedMount is { } mount ? ContainerReasons.Denied(attempt, mount)
                : null;
            return AttemptResult.Exited(code, output, reason) with { OutputProblem = problem };
        }
        catch (DockerContainerNotFoundException)
        {
            return AttemptResult.Lost(AttemptLoss.RuntimeError, $"the container ({Short(id)}) was removed when it ended (exit code {code}), before its output could be read");
        }
        catch (DockerApiException ex)
        {
            // Removed while it was read (its attempt forgotten meanwhile: the engine answers 500 for a container being removed).
            return AttemptResult.Lost(AttemptLoss.RuntimeError, $"the container ({Short(id)}) ended (exit code {code}) but could not be read: {ImagePuller.Message(ex)}");
        }
    }

    // The container has ended: its samples are in. The engine keeps a stats stream open up to its next sample (a
    // second) after the end, so the stream is let go at once instead of awaited.
    private static async Task EndAsync(Task watching, CancellationTokenSource measuring)
    {
        await measuring.CancelAsync().ConfigureAwait(false);
        try
        {
            await watching.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or DockerApiException or IOException or HttpRequestException)
        {
        }
    }

    private async Task<System.Version> EngineVersionAsync(CancellationToken cancellationToken) =>
        _engineVersion ??= System.Version.Parse((await client.System.GetVersionAsync(cancellationToken).ConfigureAwait(false)).APIVersion);

    private async Task StopAsync(string id, TimeSpan grace)
    {
        try
        {
            await client.Containers.StopContainerAsync(id, new ContainerStopParameters { WaitBeforeKillSeconds = (uint)Math.Ceiling(grace.TotalSeconds) }, CancellationToken.None).ConfigureAwait(false);
        }
        catch (DockerContainerNotFoundException)
        {
        }
    }

    private async Task<ContainerInspectResponse?> FindAsync(string nameOrId, CancellationToken cancellationToken)
    {
        try
        {
            return await client.Containers.InspectContainerAsync(nameOrId, cancellationToken).ConfigureAwait(false);
        }
        catch (DockerContainerNotFoundException)
        {
            return null;
        }
    }

    private bool IsOurs(ContainerInspectResponse container, ResolvedTask attempt) =>
        Label(container.Config?.Labels, ContainerRenderer.StoreLabel) == storeId
        && Label(container.Config?.Labels, AttemptNames.AttemptAnnotation) == AttemptKey.Of(attempt).ToString();

    private static string? Label(IDictionary<string, string>? labels, string key) =>
        labels is not null && labels.TryGetValue(key, out var value) ? value : null;

    private static IDictionary<string, IDictionary<string, bool>> LabelFilter(params (string Key, string Value)[] labels) =>
        new Dictionary<string, IDictionary<string, bool>> { ["label"] = labels.ToDictionary(l => $"{l.Key}={l.Value}", _ => true) };

    private static string Short(string id) => id.Length > 12 ? id[..12] : id;
}
