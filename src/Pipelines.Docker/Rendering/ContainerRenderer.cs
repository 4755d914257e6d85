using System.Globalization;
using Docker.DotNet.Models;
using Pipelines.Attempts;
using Pipelines.Rendering;
using Pipelines.Resolution;

namespace Pipelines.Docker.Rendering;

/// <summary>
/// Renders a task attempt as a Docker container: the create-container request the Docker runtime
/// sends, and what it does around it. Every common setting maps to a Docker field or is reported as
/// a diagnostic; Kubernetes-only options are ignored by design.
/// </summary>
/// <remarks>
/// <para>
/// <b>Command and args follow Kubernetes.</b> <see cref="ContainerTask.Command"/> replaces the
/// image's ENTRYPOINT (Docker <c>Entrypoint</c>) and <see cref="ContainerTask.Args"/> its CMD (Docker
/// <c>Cmd</c>), so one definition runs the same process on every runtime. This differs from Airflow's
/// DockerOperator, whose <c>command</c> is Docker's <c>Cmd</c>: its <c>command=[...]</c> is
/// <c>.Args(...)</c> here. As on Kubernetes, a command without args ignores the image's CMD.
/// </para>
/// <para>
/// <b>Resources.</b> Memory limit → <c>Memory</c>, memory request → <c>MemoryReservation</c> (a soft
/// limit), cpu limit → <c>NanoCpus</c>, cpu request → <c>CpuShares</c> (cores × 1024, at least 2): a
/// relative weight that only matters when cpus are contended, as a Kubernetes request does on a busy
/// node. A request left out while its limit is set equals the limit, as on Kubernetes.
/// </para>
/// <para>
/// <b>Secrets stay references.</b> Secret variables, secrets imported whole and secret volumes are
/// listed in the spec and resolved by the runtime when the attempt starts; no value is rendered.
/// </para>
/// <para>
/// <b>$(VAR) as in a pod.</b> References in command, args and env values are rendered as written; the runtime expands
/// them when the attempt starts, as the kubelet does (each env value with the variables before it, command and args with
/// all of them, secret ones included; <c>$$</c> becomes <c>$</c>), so one definition runs one process on every runtime.
/// </para>
/// <para>
/// <b>Output.</b> <c>PIPELINES_OUTPUT</c> is the first variable (as in a rendered pod) and points into
/// a per-attempt volume at <see cref="AttemptContract.OutputDirectory"/>; no host path is bound, so a remote engine works.
/// </para>
/// <para>
/// <b>Not create fields, by design.</b> The pull policy (kept beside the request for the runtime),
/// cleanup (the runtime removes containers; Docker's <c>AutoRemove</c> is never set, so the output can
/// be read after the container stops), retries, timeouts, trigger rules, skip exit codes and pools
/// belong to the runtime and the executor.
/// </para>
/// </remarks>
public sealed class ContainerRenderer : ISpecRenderer
{
    /// <summary>The signal that stops a container; <see cref="ContainerTask.StopGracePeriod"/> later, SIGKILL.</summary>
    public const string StopSignal = "SIGTERM";

    /// <summary>The label of a container that names the run store whose attempt it is (the runtime's containers only).</summary>
    public const string StoreLabel = AttemptNames.StoreLabel;

    /// <inheritdoc />
    public string Target => "docker";

    /// <inheritdoc />
    /// <remarks><paramref name="projectRoot"/> is not used: Docker containers have no template files.</remarks>
    public RenderedSpec Render(ResolvedTask task, string projectRoot)
    {
        var spec = RenderContainer(task, out var diagnostics);
        return new RenderedSpec(task.Task.Id, Target, spec.Name, SpecDocument.Write(spec), diagnostics);
    }

    /// <inheritdoc />
    /// <remarks>The mounts (volume names, host and sub paths, mount paths), the resource minimums and the non-root check.</remarks>
    public ImmutableArray<RenderDiagnostic> CheckDefinition(string dagId, ContainerTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        var sink = new DiagnosticCollector(dagId, task.Id, Target);
        MountMapping.Map(task, task.Id, ImmutableSortedDictionary<string, string>.Empty, sink);
        ResourceMapping.Apply(task.Resources, new HostConfig(), sink);
        CheckRunAsNonRoot(task, sink);
        return DefinitionChecks.LiteralErrors(task, sink.ToImmutable());
    }

    /// <summary>Renders one attempt as the spec the Docker runtime acts on.</summary>
    /// <param name="task">The attempt, with every template resolved.</param>
    /// <param name="diagnostics">Every setting Docker cannot honour (warnings) and what cannot render (errors).</param>
    public DockerContainerSpec RenderContainer(ResolvedTask task, out ImmutableArray<RenderDiagnostic> diagnostics) =>
        RenderContainer(task, storeId: null, out diagnostics);

    /// <summary>
    /// Renders one attempt as the Docker runtime sends it for the run store <paramref name="storeId"/>: the container and
    /// its per-attempt volumes are named after the attempt and the store, and labelled with the store, so that two run
    /// stores never take each other's containers.
    /// </summary>
    /// <param name="task">The attempt, with every template resolved.</param>
    /// <param name="storeId">The run store's id; null for a preview (<c>render</c>), whose names carry no store.</param>
    /// <param name="diagnostics">Every setting Docker cannot honour (warnings) and what cannot render (errors).</param>
    public DockerContainerSpec RenderContainer(ResolvedTask task, string? storeId, out ImmutableArray<RenderDiagnostic> diagnostics)
    {
        ArgumentNullException.ThrowIfNull(task);
        var t = task.Task;
        var sink = new DiagnosticCollector(task.DagId, t.Id, Target);
        var name = AttemptNames.ResourceName(task.DagId, task.Run.RunId, t.Id, task.TryNumber) + (storeId is null ? string.Empty : "-" + storeId);
        var identity = storeId is null ? LabelMapping.Identity(task) : LabelMapping.Identity(task).Add(StoreLabel, storeId);
        var env = EnvMapping.Literal(t, sink);
        var secretSources = EnvMapping.SecretSources(t, sink);
        var labels = LabelMapping.Container(t, identity, sink);
        var mounts = MountMapping.Map(t, name, identity, sink);
        var options = t.RuntimeOptions.Get<DockerOptions>();

        var host = new HostConfig
        {
            Mounts = mounts.Mounts,
            CapAdd = ListOrAbsent(t.CapabilitiesAdd),
            CapDrop = ListOrAbsent(t.CapabilitiesDrop),
            Privileged = t.Privileged ?? false,
            ReadonlyRootfs = t.ReadOnlyRootFilesystem ?? false,
            ExtraHosts = ListOrAbsent(t.ExtraHosts.Select(h => $"{h.Host}:{h.Ip}")),
            AutoRemove = false,
        };
        ResourceMapping.Apply(t.Resources, host, sink);

        var create = new CreateContainerParameters
        {
            Name = name,
            Image = t.Image,
            Entrypoint = ListOrAbsent(t.Command),
            Cmd = ListOrAbsent(t.Args),
            Env = env,
            Labels = labels,
            User = User(t, sink) ?? string.Empty,
            WorkingDir = t.WorkingDir ?? string.Empty,
            HostConfig = host,
        };
        CheckRunAsNonRoot(t, sink);
        CheckPrivileged(t, sink);
        if (t.StopGracePeriod is { } grace)
        {
            // Docker counts whole seconds; round up so the task never gets less than it asked for.
            create.StopTimeout = TimeSpan.FromSeconds(Math.Ceiling(grace.TotalSeconds));
            create.StopSignal = StopSignal;
        }

        // Only DockerOptions are read: every other runtime's options are ignored by design.
        DockerOptionsMapping.Apply(options, task.Environment, create, sink);
        DockerOptionsMapping.Patch(options, create, sink);

        diagnostics = sink.ToImmutable();
        return new DockerContainerSpec(
            name,
            create,
            t.ImagePullPolicy,
            mounts.Volumes,
            EnvMapping.Secrets(t),
            secretSources,
            mounts.SecretFiles,
            AttemptContract.OutputPath);
    }

    // The models declare lists non-nullable, yet null is how "absent" is sent, and it matters: an
    // empty Entrypoint would clear the image's ENTRYPOINT instead of keeping it.
    private static IList<string> ListOrAbsent(IEnumerable<string> items)
    {
        List<string> list = [.. items];
        return list.Count == 0 ? null! : list;
    }

    private static string? User(ContainerTask task, DiagnosticCollector diagnostics)
    {
        switch (task.RunAsUser, task.RunAsGroup)
        {
            case ({ } user, { } group):
                return $"{user.ToString(CultureInfo.InvariantCulture)}:{group.ToString(CultureInfo.InvariantCulture)}";
            case ({ } user, null):
                return user.ToString(CultureInfo.InvariantCulture);
            case (null, { } group):
                diagnostics.Warning("runAsGroup", $"Docker sets a group only with a user (user:group); group {group} is not set, the image's user and group are used");
                return null;
            default:
                return null;
        }
    }

    // Docker has no such check: the runtime reads the image's user before start and refuses root.
    private static void CheckRunAsNonRoot(ContainerTask task, DiagnosticCollector diagnostics)
    {
        if (task.RunAsNonRoot != true || task.RunAsUser is > 0)
        {
            return;
        }

        if (task.RunAsUser == 0)
        {
            // Certain to fail, as the kubelet refuses it too: an error now rather than at every attempt.
            diagnostics.Error("runAsNonRoot", "runAsNonRoot with runAsUser 0 (root): the runtime's non-root check refuses to start such a container");
            return;
        }

        diagnostics.Warning("runAsNonRoot", "Docker has no non-root check; the runtime checks the image's user before start and refuses to run it as root");
    }

    // As on Kubernetes, a privileged container gets every capability whatever it drops.
    private static void CheckPrivileged(ContainerTask task, DiagnosticCollector diagnostics)
    {
        if (task.Privileged == true && !task.CapabilitiesDrop.IsEmpty)
        {
            diagnostics.Warning("capabilities.drop", "a privileged container gets every capability: Docker ignores CapDrop");
        }
    }
}
