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

    /// <summary>
    /// The plan as a POSIX shell script, for a runtime that runs <c>sh -c</c> (local processes, a busybox container): a held
    /// attempt waits until the file <paramref name="releaseFile"/> (a shell word, such as <c>"$PIPELINES_OUTPUT.go"</c>) exists.
    /// </summary>
    public string ShellScript(string releaseFile)
    {
        var script = new System.Text.StringBuilder();
        foreach (var line in Lines ?? [])
        {
            script.Append($"echo '{line}'\n");
        }

        if (Held)
        {
            script.Append($"while [ ! -e {releaseFile} ]; do sleep 0.01; done\n");
        }

        foreach (var line in LinesAfter ?? [])
        {
            script.Append($"echo '{line}'\n");
        }

        if (Output is { } output)
        {
            script.Append($"printf '%s' '{output}' > \"$PIPELINES_OUTPUT\"\n");
        }

        if (UntilStopped)
        {
            script.Append("exec sleep 300\n");
        }

        script.Append($"exit {ExitCode}\n");
        return script.ToString();
    }
}
