using Docker.DotNet.Models;

namespace Pipelines.Docker;

/// <summary>Sets a task's Docker-only options; see <see cref="DockerOptions"/>.</summary>
public sealed class DockerOptionsBuilder : RuntimeOptionsBuilder
{
    private DockerOptions _options = new();

    /// <summary>The network the container joins, such as <c>edge</c>.</summary>
    public DockerOptionsBuilder Network(string name) => Set(o => o with { Network = name });

    /// <summary>The size of <c>/dev/shm</c> as <c>docker run --shm-size</c> takes it, such as <c>1g</c>, <c>512m</c> or <c>256Mi</c>.</summary>
    public DockerOptionsBuilder ShmSize(string size) => Set(o => o with { ShmSize = size });

    /// <summary>Allocates a pseudo-TTY.</summary>
    public DockerOptionsBuilder Tty(bool value = true) => Set(o => o with { Tty = value });

    /// <summary>A process resource limit, such as <c>Ulimit("nofile", 1024, 2048)</c>.</summary>
    public DockerOptionsBuilder Ulimit(string name, long soft, long hard) =>
        Set(o => o with { Ulimits = o.Ulimits.RemoveAll(u => u.Name == name).Add(new Ulimit(name, soft, hard)) });

    /// <summary>Changes the create-container request last: the escape hatch for anything else.</summary>
    public DockerOptionsBuilder Patch(Action<CreateContainerParameters> patch)
    {
        ArgumentNullException.ThrowIfNull(patch);
        return Set(o => o with { Patches = o.Patches.Add(patch) });
    }

    /// <inheritdoc />
    protected override IRuntimeOptions Build() => _options;

    private DockerOptionsBuilder Set(Func<DockerOptions, DockerOptions> change)
    {
        _options = change(_options);
        return this;
    }
}
