using Pipelines.Docker;

namespace Pipelines;

/// <summary>The <c>OnDocker</c> verb of the task DSL.</summary>
public static class DockerTaskBuilderExtensions
{
    /// <summary>
    /// Sets options only Docker understands: network, shm size, TTY, ulimits, a patch of the
    /// create request. Calls add up, also across task defaults.
    /// </summary>
    public static TaskBuilder OnDocker(this TaskBuilder task, Action<DockerOptionsBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(task);
        return task.Configure(configure);
    }
}
