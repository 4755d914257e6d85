using Pipelines.Execution.Runtimes;
using Pipelines.Resolution;

namespace Pipelines.Processes;

/// <summary>One run on the process runtime: it holds nothing of its own; every attempt is a folder and a process tree.</summary>
internal sealed class ProcessSession(ProcessRuntime runtime, RunContext run) : IRuntimeSession
{
    public Task<AttemptResult> RunAsync(ResolvedTask attempt, IAttemptSink sink, CancellationToken cancellationToken) =>
        runtime.RunAsync(attempt, sink, cancellationToken);

    public Task<AttemptResult?> AdoptAsync(ResolvedTask attempt, string? handle, LogCursor? resumeAfter, IAttemptSink sink, CancellationToken cancellationToken) =>
        runtime.AdoptAsync(attempt, handle, resumeAfter, sink, cancellationToken);

    public Task<IReadOnlyList<Leftover>> FindLeftoversAsync(CancellationToken cancellationToken) =>
        Task.FromResult(runtime.FindLeftovers(run));

    public Task ForgetAsync(AttemptKey attempt) => runtime.ForgetAsync(attempt);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
