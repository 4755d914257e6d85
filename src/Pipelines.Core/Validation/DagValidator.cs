using Pipelines.Graph;
using Pipelines.Templating;
using Pipelines.Templating.Evaluation;
using Pipelines.Templating.Parsing;
using Pipelines.Text;

namespace Pipelines.Validation;

/// <summary>
/// Checks a whole DAG definition and collects every problem at once, each naming DAG, task and
/// field: ids, dependencies and cycles, images, quantities, schedule, settings out of range,
/// template syntax and the names templates read.
/// </summary>
internal static class DagValidator
{
    public static Dag Validate(DagDefinition definition)
    {
        var problems = new List<DefinitionProblem>();
        var dagId = definition.Id;

        void Add(string? task, string? field, string message) => problems.Add(new DefinitionProblem(dagId, task, field, message));

        if (Names.IdProblem(dagId, "DAG id") is { } dagIdProblem)
        {
            Add(null, "id", dagId.Length == 0 ? "the DAG has no id; call dag.Id(\"my_dag\")" : dagIdProblem);
        }

        if (!Schedule.TryParse(definition.Schedule, definition.TimeZone, out var schedule, out var scheduleError))
        {
            Add(null, definition.TimeZone is not null && scheduleError!.Contains("time zone") ? "timeZone" : "schedule", scheduleError!);
        }

        if (definition.StartDate is { } from && definition.EndDate is { } to && to < from)
        {
            Add(null, "endDate", $"the end date {to:yyyy-MM-dd} is before the start date {from:yyyy-MM-dd}; the schedule would have no run");
        }

        if (definition.MaxActiveRuns < 1)
        {
            Add(null, "maxActiveRuns", $"{definition.MaxActiveRuns} is not a run count; use 1 or more");
        }

        if (definition.MaxActiveTasks < 1)
        {
            Add(null, "maxActiveTasks", $"{definition.MaxActiveTasks} is not a task count; use 1 or more");
        }

        foreach (var param in definition.Params)
        {
            if (Names.IdProblem(param.Name, "parameter name") is { } paramProblem)
            {
                Add(null, $"params.{param.Name}", paramProblem);
            }
        }

        var tasks = definition.Tasks;
        var index = new Dictionary<string, int>(tasks.Length, StringComparer.Ordinal);
        for (var i = 0; i < tasks.Length; i++)
        {
            var id = tasks[i].Id;
            if (Names.IdProblem(id, "task id") is { } idProblem)
            {
                Add(id, "id", idProblem);
            }

            if (!index.TryAdd(id, i))
            {
                Add(id, "id", $"task id '{id}' is declared more than once");
            }
        }

        var upstream = new int[tasks.Length][];
        for (var i = 0; i < tasks.Length; i++)
        {
            var ups = tasks[i].Upstream;
            var resolved = new List<int>(ups.Length);
            foreach (var up in ups)
            {
                if (index.TryGetValue(up, out var u))
                {
                    resolved.Add(u);
                }
                else
                {
                    Add(tasks[i].Id, "upstream", $"depends on '{up}', which is not a task of this DAG; its tasks: {NameList.Some(index.Keys, up)}");
                }
            }

            upstream[i] = [.. resolved];
        }

        var graph = new DependencyGraph(upstream);
        var order = graph.TopologicalOrder(out var unordered);
        if (order is null)
        {
            foreach (var cycle in graph.FindCycles(unordered))
            {
                Add(tasks[cycle[0]].Id, "upstream", "cycle: " + string.Join(" → ", cycle.Select(i => tasks[i].Id)));
            }
        }

        var paramNames = definition.Params.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var ancestors = new AncestorIndex(upstream);
        for (var i = 0; i < tasks.Length; i++)
        {
            var task = tasks[i];
            TaskSettings.Check(task, (field, message) => problems.Add(new DefinitionProblem(definition.Id, task.Id, field, message)));
            CheckTemplates(task, i, definition, paramNames, index, ancestors, problems);
        }

        if (problems.Count > 0)
        {
            // DAG-level problems first, then each task's in declaration order (a stable sort).
            var firstIndex = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = tasks.Length - 1; i >= 0; i--)
            {
                firstIndex[tasks[i].Id] = i;
            }

            throw new PipelineDefinitionException(
                [.. problems.OrderBy(p => p.TaskId is null ? -1 : firstIndex.GetValueOrDefault(p.TaskId, int.MaxValue))]);
        }

        var downstream = ImmutableArray.CreateBuilder<ImmutableArray<string>>(tasks.Length);
        for (var i = 0; i < tasks.Length; i++)
        {
            var ids = graph.DownstreamOf(i);
            var builder = ImmutableArray.CreateBuilder<string>(ids.Length);
            foreach (var d in ids)
            {
                builder.Add(tasks[d].Id);
            }

            downstream.Add(builder.MoveToImmutable());
        }

        var start = definition.StartInstant is { } instant ? schedule.InZone(instant) : Midnight(definition.StartDate, schedule);
        var end = Midnight(definition.EndDate, schedule);
        return new Dag(
            dagId,
            definition.Description,
            schedule,
            start,
            end,
            definition.Catchup,
            definition.MaxActiveRuns,
            definition.Params,
            definition.MaxActiveTasks,
            tasks,
            index,
            downstream.MoveToImmutable(),
            [.. order!.Select(i => tasks[i].Id)])
        {
            Callbacks = definition.Callbacks ?? Callbacks.None,
        };
    }

    private static DateTimeOffset? Midnight(DateOnly? date, Schedule schedule) =>
        date is { } d ? schedule.Local(d.ToDateTime(TimeOnly.MinValue), out _) ?? new DateTimeOffset(d.ToDateTime(TimeOnly.MinValue), schedule.TimeZone.GetUtcOffset(d.ToDateTime(TimeOnly.MinValue))) : null;

    private static void CheckTemplates(
        ContainerTask task,
        int taskIndex,
        DagDefinition definition,
        HashSet<string> paramNames,
        Dictionary<string, int> index,
        AncestorIndex ancestors,
        List<DefinitionProblem> problems)
    {
        task.MapStrings((value, field) =>
        {
            if (!TemplateText.MayContainTemplate(value))
            {
                return value;
            }

            var analysis = TemplateText.Analyze(value);
            foreach (var error in analysis.Errors)
            {
                problems.Add(new DefinitionProblem(definition.Id, task.Id, field.ToString(), $"<< {error.Expression} >>: {error.Message}"));
            }

            foreach (var reference in analysis.References)
            {
                var message = CheckReference(reference, task, taskIndex, definition, paramNames, index, ancestors);
                if (message is not null)
                {
                    problems.Add(new DefinitionProblem(definition.Id, task.Id, field.ToString(), $"<< {reference.Expression} >>: {message}"));
                }
            }

            return value;
        });
    }

    private static string? CheckReference(
        TemplateReference reference,
        ContainerTask task,
        int taskIndex,
        DagDefinition definition,
        HashSet<string> paramNames,
        Dictionary<string, int> index,
        AncestorIndex ancestors)
    {
        // history's members are null until measured, so it is read guarded (?? "1Gi"): a misspelt member would then
        // quietly give the default for ever — it is an error, guarded or not.
        if (reference.Root == TemplateNames.History && reference.Member is { } member && !TemplateNames.HistoryMembers.Contains(member))
        {
            return $"'history.{member}' is not a member of history; its members: {string.Join(", ", TemplateNames.HistoryMembers)}";
        }

        if (reference.Guarded)
        {
            return null;
        }

        if (!TemplateNames.Globals.Contains(reference.Root))
        {
            return $"'{reference.Root}' is not a template variable or function; known: {NameList.Some(TemplateNames.Variables, reference.Root, 40)}. " +
                "A literal '<<' is written '\\<<'";
        }

        switch (reference.Root)
        {
            case "params" when reference.Member is { } name && !paramNames.Contains(name):
                return $"'params.{name}' is not a parameter of the DAG; its parameters: {NameList.Some(paramNames, name)}";
            case "tasks" when reference.Member is { } upstreamId:
                if (!index.TryGetValue(upstreamId, out var other))
                {
                    return $"'{upstreamId}' is not a task of this DAG; its tasks: {NameList.Some(index.Keys, upstreamId)}";
                }

                if (!ancestors.IsAncestor(other, taskIndex))
                {
                    return $"reads the output of '{upstreamId}', which is not upstream of '{task.Id}', so it may not have run yet; add {task.Id}.DependsOn(\"{upstreamId}\")";
                }

                return null;
            default:
                return null;
        }
    }

    /// <summary>Answers "is a upstream of b" by walking up from b, only for tasks whose templates ask.</summary>
    private sealed class AncestorIndex(int[][] upstream)
    {
        private readonly Dictionary<int, HashSet<int>> _cache = [];

        public bool IsAncestor(int candidate, int task)
        {
            if (!_cache.TryGetValue(task, out var set))
            {
                set = [];
                var stack = new Stack<int>(upstream[task]);
                while (stack.Count > 0)
                {
                    var t = stack.Pop();
                    if (set.Add(t))
                    {
                        foreach (var u in upstream[t])
                        {
                            stack.Push(u);
                        }
                    }
                }

                _cache[task] = set;
            }

            return set.Contains(candidate);
        }
    }
}
