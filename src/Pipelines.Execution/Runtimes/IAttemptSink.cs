namespace Pipelines.Execution.Runtimes;

/// <summary>Where a runtime reports an attempt's start and its log lines.</summary>
public interface IAttemptSink
{
    /// <summary>
    /// The attempt exists; <paramref name="handle"/> finds it again (container id, pod name, pid and start time). The
    /// executor records it before this returns; when it throws, the attempt must not run: the runtime stops it.
    /// </summary>
    ValueTask StartedAsync(string handle);

    /// <summary>
    /// One line the attempt wrote, in order. A line that carries a <see cref="LogLine.Cursor"/> is kept, with every line
    /// before it, before this returns: a later <see cref="IRuntimeSession.AdoptAsync"/> resumes after it. Called from
    /// one thread at a time per attempt.
    /// </summary>
    void Log(in LogLine line);

    /// <summary>
    /// What the attempt used, when the runtime measures it (the Docker runtime, from the engine's stats): called at most
    /// once, before the runtime returns the attempt's end. The executor records it with the attempt.
    /// </summary>
    void Measured(ResourceUsage usage)
    {
    }
}

/// <summary>What an attempt used.</summary>
/// <param name="MemoryPeakBytes">The most memory it held at once, in bytes (sampled once a second where the engine has no peak).</param>
/// <param name="CpuSeconds">The CPU time it used, user and system, in seconds.</param>
public readonly record struct ResourceUsage(long? MemoryPeakBytes, double? CpuSeconds);
