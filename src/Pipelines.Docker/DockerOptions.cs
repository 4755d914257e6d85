using Docker.DotNet.Models;
using Pipelines.Templating;

namespace Pipelines.Docker;

/// <summary>A resource limit of the container's process, as <c>docker run --ulimit name=soft:hard</c>.</summary>
public sealed record Ulimit(string Name, long Soft, long Hard);

/// <summary>
/// Docker-only settings of a task, set with <c>task.OnDocker(d =&gt; …)</c>. Other runtimes ignore
/// them by design: they describe the local engine, not what the task does.
/// </summary>
public sealed record DockerOptions : IRuntimeOptions
{
    /// <summary>The limits <c>--ulimit</c> knows.</summary>
    public static readonly ImmutableArray<string> UlimitNames =
        ["core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice", "nofile", "nproc", "rss", "rtprio", "rttime", "sigpending", "stack"];

    /// <inheritdoc />
    public string Runtime => "docker";

    /// <summary>The network the container joins (overrides the environment's).</summary>
    public string? Network { get; init; }

    /// <summary>
    /// The size of <c>/dev/shm</c> as <c>docker run --shm-size</c> takes it: <c>1g</c>, <c>512m</c>,
    /// <c>64k</c>, bytes, or <c>256Mi</c>; every unit is binary (see <see cref="DockerSize"/>).
    /// </summary>
    public string? ShmSize { get; init; }

    /// <summary>Allocate a pseudo-TTY.</summary>
    public bool? Tty { get; init; }

    /// <summary>Process resource limits.</summary>
    public ImmutableArray<Ulimit> Ulimits { get; init; } = [];

    /// <summary>Changes applied last to the create-container request — the escape hatch.</summary>
    public ImmutableArray<Action<CreateContainerParameters>> Patches { get; init; } = [];

    /// <inheritdoc />
    public IRuntimeOptions MapStrings(StringFieldMapper map) => this with
    {
        Network = Network is null ? null : map(Network, new FieldPath("docker.network")),
        ShmSize = ShmSize is null ? null : map(ShmSize, new FieldPath("docker.shmSize")),
    };

    /// <inheritdoc />
    public IEnumerable<(string Field, string Message)> Validate()
    {
        // A Docker-only setting takes Docker's syntax, not Kubernetes' quantities: in a quantity 512m is half a byte.
        if (ShmSize is not null && !TemplateText.MayContainTemplate(ShmSize) && !DockerSize.TryParse(ShmSize, out _))
        {
            yield return ("docker.shmSize", $"'{ShmSize}' is not a size; use {DockerSize.Expected}");
        }

        if (Network is { Length: 0 })
        {
            yield return ("docker.network", "the network name is empty");
        }

        for (var i = 0; i < Ulimits.Length; i++)
        {
            var u = Ulimits[i];
            if (!UlimitNames.Contains(u.Name))
            {
                yield return ($"docker.ulimits[{i}].name", $"'{u.Name}' is not a ulimit; use one of: {string.Join(", ", UlimitNames)}");
            }

            if (u.Soft > u.Hard && u.Hard >= 0)
            {
                yield return ($"docker.ulimits[{i}]", $"the soft limit ({u.Soft}) is above the hard limit ({u.Hard})");
            }
        }
    }
}
