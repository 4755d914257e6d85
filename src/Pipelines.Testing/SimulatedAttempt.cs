using Pipelines.Execution.Runtimes;

namespace Pipelines.Testing;

/// <summary>What one simulated attempt does: how long it runs, how it ends, what it writes.</summary>
/// <param name="Duration">How long it runs, on the runtime's <see cref="TimeProvider"/>; zero ends at once.</param>
/// <param name="ExitCode">Its exit code.</param>
/// <param name="Output">The JSON it writes to <c>$PIPELINES_OUTPUT</c>, or null.</param>
/// <param name="LostReason">When set, the attempt is lost with this reason instead of exiting.</param>
/// <param name="Logs">Lines it writes.</param>
/// <param name="Loss">What kind of loss <paramref name="LostReason"/> is.</param>
public sealed record SimulatedAttempt(TimeSpan Duration, int ExitCode = 0, string? Output = null, string? LostReason = null, IReadOnlyList<string>? Logs = null, AttemptLoss Loss = AttemptLoss.RuntimeError)
{
    /// <summary>Ends at once with exit code 0.</summary>
    public static SimulatedAttempt Instant { get; } = new(TimeSpan.Zero);
}
