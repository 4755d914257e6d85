using Docker.DotNet.Models;
using Pipelines.Rendering;

namespace Pipelines.Docker.Rendering;

/// <summary>
/// Cpu, memory and GPUs as Docker's cgroup settings. As on Kubernetes, a request left out while
/// its limit is set is taken to equal the limit, so one definition reserves the same everywhere.
/// </summary>
internal static class ResourceMapping
{
    // dockerd refuses less: "Minimum memory limit allowed is 6MB" (and the same for a reservation).
    private const long MinimumMemory = 6 * 1024 * 1024;

    // The kernel's smallest CFS quota is 1ms per 100ms period: 0.01 cpu.
    private const decimal MinimumCores = 0.01m;

    public static void Apply(ResourceRequirements resources, HostConfig host, DiagnosticCollector diagnostics)
    {
        var requests = resources.Requests;
        var limits = resources.Limits;

        if (limits.Memory is { } memoryLimit && DockerQuantity.Bytes(memoryLimit, "resources.limits.memory", diagnostics) is { } memory)
        {
            CheckMemory(memory, "resources.limits.memory", "limit", diagnostics);
            host.Memory = memory;
        }

        if (requests.Memory is null)
        {
            host.MemoryReservation = host.Memory;
        }
        else if (DockerQuantity.Bytes(requests.Memory, "resources.requests.memory", diagnostics) is { } reservation)
        {
            CheckMemory(reservation, "resources.requests.memory", "reservation", diagnostics);
            host.MemoryReservation = reservation;
        }

        if (limits.Cpu is { } cpuLimit && DockerQuantity.Cores(cpuLimit, "resources.limits.cpu", diagnostics) is { } cores && cores > 0)
        {
            if (cores < MinimumCores)
            {
                diagnostics.Warning("resources.limits.cpu", $"{cpuLimit} is below Docker's smallest cpu limit; raised to 0.01 cpu (10m)");
                cores = MinimumCores;
            }

            host.NanoCPUs = (long)decimal.Round(cores * 1_000_000_000m);
        }

        // CPU shares are relative weights (1024 = one cpu's worth against other containers), as a
        // Kubernetes request is under contention; the kernel's minimum weight is 2.
        var cpuRequest = requests.Cpu is null
            ? (limits.Cpu is null ? null : DockerQuantity.Cores(limits.Cpu, "resources.limits.cpu", DiagnosticCollector.Discard))
            : DockerQuantity.Cores(requests.Cpu, "resources.requests.cpu", diagnostics);
        if (cpuRequest is { } shares)
        {
            host.CPUShares = Math.Max(2, (long)decimal.Round(shares * 1024m));
        }

        if (requests.EphemeralStorage is not null)
        {
            WarnStorage("resources.requests.ephemeral-storage", requests.EphemeralStorage, diagnostics);
        }

        if (limits.EphemeralStorage is not null)
        {
            WarnStorage("resources.limits.ephemeral-storage", limits.EphemeralStorage, diagnostics);
        }

        if (resources.Gpus is { } gpus && gpus > 0)
        {
            host.DeviceRequests = [new DeviceRequest { Driver = "nvidia", Count = gpus, Capabilities = [["gpu"]] }];
        }
    }

    private static void CheckMemory(long bytes, string field, string what, DiagnosticCollector diagnostics)
    {
        if (bytes is > 0 and < MinimumMemory)
        {
            diagnostics.Error(field, $"{bytes} bytes is below Docker's minimum memory {what} of 6Mi; the engine refuses such a container");
        }
    }

    private static void WarnStorage(string field, string amount, DiagnosticCollector diagnostics) =>
        diagnostics.Warning(field, $"Docker limits a container's writable layer only through a storage-driver option (overlay2 on xfs with pquota); {amount} of ephemeral storage is not set");
}
