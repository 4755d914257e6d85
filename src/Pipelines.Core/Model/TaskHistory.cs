namespace Pipelines;

/// <summary>
/// What a task's last successful attempts used (at most <see cref="Window"/>, newest first), read by templates as
/// <c>history.*</c> — <c>&lt;&lt; history.memory_peak_max ?? "1Gi" &gt;&gt;</c> sizes a task from what it needed before.
/// </summary>
/// <param name="Attempts">How many successful attempts are counted (0 to <see cref="Window"/>).</param>
/// <param name="MemoryPeakMaxBytes">The largest peak memory among them, in bytes; null when no runtime measured it.</param>
/// <param name="CpuSecondsMax">The most CPU seconds one of them used; null when none was measured.</param>
/// <param name="DurationMax">The longest of them.</param>
public sealed record TaskHistory(int Attempts, long? MemoryPeakMaxBytes, double? CpuSecondsMax, TimeSpan? DurationMax)
{
    /// <summary>How many of the last successful attempts count.</summary>
    public const int Window = 5;

    /// <summary>The largest peak memory as a Kubernetes quantity, rounded up to whole mebibytes (<c>65Mi</c>); null when unmeasured.</summary>
    public string? MemoryPeakMax => MemoryPeakMaxBytes is { } bytes ? Mebibytes(bytes) : null;

    /// <summary>Bytes as a Kubernetes quantity in mebibytes, rounded up: <c>67108865</c> → <c>65Mi</c>.</summary>
    public static string Mebibytes(long bytes) =>
        ((bytes + (1024 * 1024) - 1) / (1024 * 1024)).ToString(System.Globalization.CultureInfo.InvariantCulture) + "Mi";

    /// <summary>No history: a task that never succeeded.</summary>
    public static TaskHistory None { get; } = new(0, null, null, null);
}
