using Pipelines.Execution.State;

namespace Pipelines.Execution;

/// <summary>How a run ended: its state, every task's state and the run record.</summary>
public sealed record RunOutcome(RunState State, IReadOnlyDictionary<string, TaskState> Tasks, DagRunRecord Run);
