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
    public DockerContainerSpec RenderContainer(ResolvedTask task, out ImmutableArray<RenderDiagnostic> diagnostics)
    {
        ArgumentNullException.ThrowIfNull(task);
        var t = task.Task;
        var sink = new DiagnosticCollector(task.DagId, t.Id, Target);
        var name = AttemptNames.ResourceName(task.DagId, task.Run.RunId, t.Id, task.TryNumber);
        var identity = LabelMapping.Identity(task);
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
        CheckVariableReferences(t, sink);
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

    // Kubernetes and the process runtime expand $(VAR) in command, args and env values; the Docker
    // engine passes them as written, so a reference would mean something else here: say so.
    private static void CheckVariableReferences(ContainerTask task, DiagnosticCollector diagnostics)
    {
        var fields = task.Command.Select((c, i) => (new FieldPath("command", null, i), c))
            .Concat(task.Args.Select((a, i) => (new FieldPath("args", null, i), a)))
            .Concat(task.Env.Select(e => (new FieldPath("env", e.Name), e.Value)));
        var defined = task.Env.Select(e => e.Name).Concat(task.SecretEnv.Select(e => e.Name)).Append(AttemptContract.OutputVariable).ToHashSet(StringComparer.Ordinal);
        foreach (var (field, value) in fields)
        {
            if (VariableExpansion.Changes(value, defined.Contains))
            {
                diagnostics.Warning(field.ToString(), "a pod expands $(VAR) references to the task's variables and reduces $$ to $; Docker passes the text as written (read variables in a shell, \"$VAR\", to mean the same everywhere)");
            }
        }
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
