namespace Pipelines.RuntimeContract;

/// <summary>What an attempt of a contract test does, whatever runs it.</summary>
/// <param name="ExitCode">Its exit code.</param>
/// <param name="Lines">The lines it writes first, in order.</param>
/// <param name="Output">The output JSON it writes, or null.</param>
/// <param name="Held">
/// True: after <paramref name="Lines"/> it waits until the test releases it (<see cref="RuntimeContractTests.ReleaseAsync"/>),
/// then writes <paramref name="LinesAfter"/>, its output, and exits.
/// </param>
/// <param name="LinesAfter">The lines it writes once released.</param>
/// <param name="UntilStopped">True: after <paramref name="Lines"/> it runs until it is stopped.</param>
public sealed record AttemptPlan(
    int ExitCode = 0,
    IReadOnlyList<string>? Lines = null,
    string? Output = null,
    bool Held = false,
    IReadOnlyList<string>? LinesAfter = null,
    bool UntilStopped = false)
{
    /// <summary>Every line it writes, in order.</summary>
    public IReadOnlyList<string> AllLines => [.. Lines ?? [], .. LinesAfter ?? []];
}
