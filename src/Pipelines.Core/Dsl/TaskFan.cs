namespace Pipelines;

/// <summary>
/// Several tasks at one step of a chain: <c>extract.Then(a, b).Then(report)</c> fans out to
/// <c>a</c> and <c>b</c> and fans in to <c>report</c>, like Airflow's <c>extract &gt;&gt; [a, b] &gt;&gt; report</c>.
/// </summary>
public sealed class TaskFan
{
    internal TaskFan(ImmutableArray<TaskBuilder> tasks) => Tasks = tasks;

    /// <summary>The tasks at this step.</summary>
    public ImmutableArray<TaskBuilder> Tasks { get; }

    /// <summary>Fans in: <paramref name="downstream"/> runs after every task of this step.</summary>
    public TaskBuilder Then(TaskBuilder downstream)
    {
        ArgumentNullException.ThrowIfNull(downstream);
        downstream.DependsOn([.. Tasks]);
        return downstream;
    }

    /// <summary>Every one of <paramref name="downstream"/> runs after every task of this step.</summary>
    public TaskFan Then(params TaskBuilder[] downstream)
    {
        ArgumentNullException.ThrowIfNull(downstream);
        foreach (var task in downstream)
        {
            task.DependsOn([.. Tasks]);
        }

        return new TaskFan([.. downstream]);
    }
}
