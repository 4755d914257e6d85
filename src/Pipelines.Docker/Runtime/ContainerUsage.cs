using Docker.DotNet;
using Docker.DotNet.Models;
using Pipelines.Execution.Runtimes;

namespace Pipelines.Docker.Runtime;

/// <summary>
/// What a container used, from the engine's stats stream while it runs: the peak memory (cgroup v1's <c>max_usage</c>;
/// on cgroup v2, which has none in the stats, the highest usage sampled — once a second) and the CPU seconds
/// (<c>cpu_usage.total_usage</c>, user and system, as last sampled).
/// </summary>
internal sealed class ContainerUsage : IProgress<ContainerStatsResponse>
{
    private readonly Lock _gate = new();
    private long _peak;
    private ulong _cpu;

    /// <summary>Follows the container's stats until it stops or <paramref name="cancellationToken"/> fires.</summary>
    public static (ContainerUsage Usage, Task Watching) Watch(IDockerClient client, string containerId, CancellationToken cancellationToken)
    {
        var usage = new ContainerUsage();
        var watching = client.Containers.GetContainerStatsAsync(containerId, new ContainerStatsParameters { Stream = true }, usage, cancellationToken);
        return (usage, watching);
    }

    /// <summary>What was seen; null when no sample came (the container ended before the engine's first one).</summary>
    public ResourceUsage? Result
    {
        get
        {
            lock (_gate)
            {
                return _peak == 0 && _cpu == 0 ? null : new ResourceUsage(_peak == 0 ? null : _peak, _cpu == 0 ? null : _cpu / 1e9);
            }
        }
    }

    public void Report(ContainerStatsResponse value)
    {
        lock (_gate)
        {
            if (value.MemoryStats is { } memory)
            {
                _peak = Math.Max(_peak, (long)Math.Max(memory.MaxUsage ?? 0, memory.Usage ?? 0));
            }

            if (value.CPUStats?.CPUUsage is { } cpu)
            {
                _cpu = Math.Max(_cpu, cpu.TotalUsage);
            }
        }
    }
}
