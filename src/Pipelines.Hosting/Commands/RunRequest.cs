using Pipelines.Execution;

namespace Pipelines.Hosting.Commands;

/// <summary>What <c>run</c> and <c>test</c> were asked: which DAG and date, where, with which values, and which tasks.</summary>
/// <param name="DagId">The DAG.</param>
/// <param name="Date">The logical date.</param>
/// <param name="Environment">The environment named with <c>--env</c>, or null.</param>
/// <param name="Params">Parameter overrides as typed.</param>
/// <param name="Runtime">The runtime named with <c>--runtime</c>, or null for the environment's.</param>
/// <param name="MaxActive">The <c>--max-active</c> override, or null.</param>
/// <param name="Plain">One line per event instead of the live view.</param>
/// <param name="StatePath">The run store named with <c>--state</c>, or null for the default.</param>
/// <param name="Scope">Which tasks run and how (the whole DAG, or one task alone for <c>test</c>).</param>
/// <param name="Records">True for a run; false for a test, which reads the recorded run and writes nothing back.</param>
/// <param name="RunKind">The run id's prefix: <c>manual</c>, or <c>backfill</c> for the runs of a backfill.</param>
internal sealed record RunRequest(
    string DagId,
    RunDate Date,
    string? Environment,
    IReadOnlyDictionary<string, string> Params,
    string? Runtime,
    int? MaxActive,
    bool Plain,
    string? StatePath,
    RunScope Scope,
    bool Records,
    string RunKind = "manual");
