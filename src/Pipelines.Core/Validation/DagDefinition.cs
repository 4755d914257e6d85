namespace Pipelines.Validation;

/// <summary>What a <c>DagBuilder</c> collected, before validation.</summary>
internal sealed record DagDefinition(
    string Id,
    string? Description,
    string? Schedule,
    string? TimeZone,
    DateOnly? StartDate,
    ImmutableArray<DagParam> Params,
    int MaxActiveTasks,
    ImmutableArray<ContainerTask> Tasks,
    DateOnly? EndDate = null,
    bool Catchup = false,
    int MaxActiveRuns = 16,
    DateTimeOffset? StartInstant = null,
    Callbacks? Callbacks = null);
