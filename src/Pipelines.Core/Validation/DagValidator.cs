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
            CheckSettings(task, (field, message) => problems.Add(new DefinitionProblem(definition.Id, task.Id, field, message)));
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

        DateTimeOffset? start = definition.StartDate is { } date
            ? new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), schedule.TimeZone.GetUtcOffset(date.ToDateTime(TimeOnly.MinValue)))
            : null;
        return new Dag(
            dagId,
            definition.Description,
            schedule,
            start,
            definition.Params,
            definition.MaxActiveTasks,
            tasks,
            index,
            downstream.MoveToImmutable(),
            [.. order!.Select(i => tasks[i].Id)]);
    }

    /// <summary>
    /// The checks of one task's settings. Values that hold a template are skipped here and checked
    /// again, with the same messages, once an attempt's templates are rendered.
    /// </summary>
    internal static void CheckSettings(ContainerTask task, Action<string, string> add)
    {
        if (string.IsNullOrWhiteSpace(task.Image))
        {
            add("image", "the image is empty; name one such as 'registry.localhost/etl/runner:1.0.0'");
        }
        else if (ImageReference.Problem(task.Image) is { } imageProblem)
        {
            add("image", imageProblem);
        }

        CheckQuantity(task.Resources.Requests.Cpu, "resources.requests.cpu", add);
        CheckQuantity(task.Resources.Requests.Memory, "resources.requests.memory", add);
        CheckQuantity(task.Resources.Requests.EphemeralStorage, "resources.requests.ephemeral-storage", add);
        CheckQuantity(task.Resources.Limits.Cpu, "resources.limits.cpu", add);
        CheckQuantity(task.Resources.Limits.Memory, "resources.limits.memory", add);
        CheckQuantity(task.Resources.Limits.EphemeralStorage, "resources.limits.ephemeral-storage", add);
        CheckRequestWithinLimit(task.Resources.Requests.Cpu, task.Resources.Limits.Cpu, "cpu", add);
        CheckRequestWithinLimit(task.Resources.Requests.Memory, task.Resources.Limits.Memory, "memory", add);
        CheckRequestWithinLimit(task.Resources.Requests.EphemeralStorage, task.Resources.Limits.EphemeralStorage, "ephemeral-storage", add);
        if (task.Resources.Gpus is < 0)
        {
            add("resources.gpus", $"{task.Resources.Gpus} is not a GPU count; use 0 or more");
        }

        for (var i = 0; i < task.Env.Length; i++)
        {
            CheckEnvName(task.Env[i].Name, "env", add);
        }

        foreach (var secret in task.SecretEnv)
        {
            CheckEnvName(secret.Name, "secretEnv", add);
            if (string.IsNullOrWhiteSpace(secret.Secret.Name) || string.IsNullOrWhiteSpace(secret.Secret.Key))
            {
                add($"secretEnv.{secret.Name}", "the secret reference needs a secret name and a key");
            }
        }

        for (var i = 0; i < task.EnvFrom.Length; i++)
        {
            if (task.EnvFrom[i].Prefix is { Length: > 0 } prefix && !TemplateText.MayContainTemplate(prefix) && !Names.IsEnvVarName(prefix))
            {
                add(new FieldPath("envFrom", "prefix", i).ToString(),
                    $"'{prefix}' is not a prefix every runtime accepts for environment variable names; use {Names.EnvVarNameExpected}");
            }
        }

        for (var i = 0; i < task.Mounts.Length; i++)
        {
            var mount = task.Mounts[i];
            if (!mount.MountPath.StartsWith('/') && !TemplateText.MayContainTemplate(mount.MountPath))
            {
                add(new FieldPath("mounts", "mountPath", i).ToString(), $"'{mount.MountPath}' is not an absolute path; mount paths start with '/'");
            }

            if (mount.Volume is TempVolume { SizeLimit: { } size })
            {
                CheckQuantity(size, new FieldPath("mounts", "volume.sizeLimit", i).ToString(), add);
            }

            CheckVolume(mount.Volume, i, add);
        }

        CheckCapabilities(task.CapabilitiesAdd, add);
        CheckCapabilities(task.CapabilitiesDrop, add);

        if (task.Retry.Retries < 0)
        {
            add("retries", $"{task.Retry.Retries} is not a retry count; use 0 or more");
        }

        if (task.Retry.Delay < TimeSpan.Zero)
        {
            add("retries.delay", "the retry delay is negative");
        }

        if (task.Retry.MaxDelay is { } maxDelay && maxDelay < task.Retry.Delay)
        {
            add("retries.maxDelay", $"the longest delay ({maxDelay}) is shorter than the first ({task.Retry.Delay})");
        }

        if (task.ExecutionTimeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            add("timeout", "the execution timeout must be longer than zero");
        }

        if (task.StopGracePeriod is { } grace && grace < TimeSpan.Zero)
        {
            add("stopGracePeriod", "the stop grace period is negative");
        }

        foreach (var code in task.SkipOnExitCodes)
        {
            if (code is < 0 or > 255)
            {
                add("skipOnExitCodes", $"{code} is not an exit code; use 0 to 255");
            }
        }

        if (task.Pool is not null && Names.IdProblem(task.Pool, "pool name") is { } poolProblem)
        {
            add("pool", poolProblem);
        }

        if (task.PoolSlots < 1)
        {
            add("pool.slots", $"{task.PoolSlots} is not a slot count; use 1 or more");
        }

        if ((!task.Labels.IsEmpty && task.Labels.Keys.Any(string.IsNullOrWhiteSpace))
            || (!task.Annotations.IsEmpty && task.Annotations.Keys.Any(string.IsNullOrWhiteSpace)))
        {
            add("labels", "a label or annotation key is empty");
        }

        foreach (var options in task.RuntimeOptions.All)
        {
            foreach (var (field, message) in options.Validate())
            {
                add(field, message);
            }
        }
    }

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

    private static void CheckCapabilities(ImmutableArray<string> capabilities, Action<string, string> add)
    {
        foreach (var capability in capabilities)
        {
            if (!TemplateText.MayContainTemplate(capability) && (capability.Length == 0 || !capability.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) || c == '_')))
            {
                add("capabilities", $"'{capability}' is not a capability name; write it like NET_BIND_SERVICE, SYS_PTRACE or ALL");
            }
        }
    }

    private static void CheckEnvName(string name, string field, Action<string, string> add)
    {
        if (!Names.IsEnvVarName(name))
        {
            add($"{field}.{name}", $"'{name}' is not an environment variable name every runtime accepts; use {Names.EnvVarNameExpected}");
        }
    }

    // What no target accepts; each target's own narrower rules are checked by validate and at render.
    // A templated name is checked once rendered; a path that does not start with a template cannot become absolute.
    private static void CheckVolume(Volume volume, int index, Action<string, string> add)
    {
        switch (volume)
        {
            case NamedVolume { Name: var name } when !TemplateText.MayContainTemplate(name) && !Names.IsVolumeName(name):
                add(new FieldPath("mounts", "volume.name", index).ToString(),
                    $"'{name}' is not a volume name; use {Names.VolumeNameExpected} — it names a Docker volume, a PersistentVolumeClaim and a folder of a local runtime");
                break;
            case HostPathVolume { Path: var path } when !path.StartsWith('/') && !path.StartsWith("<<", StringComparison.Ordinal):
                add(new FieldPath("mounts", "volume.path", index).ToString(),
                    $"'{path}' is not an absolute path; a host path is a folder of the machine that runs the container, written from '/' (such as /data/shared)");
                break;
            case SecretVolume { SecretName: "" } or ConfigMapVolume { Name: "" }:
                add(new FieldPath("mounts", "volume", index).ToString(), "the volume has no name");
                break;
        }
    }

    private static void CheckQuantity(string? value, string field, Action<string, string> add)
    {
        if (value is null || TemplateText.MayContainTemplate(value))
        {
            return; // templated quantities are checked after rendering, with the same message
        }

        if (!Quantity.IsValidResource(value))
        {
            add(field, $"'{value}' is not a valid quantity; use {Quantity.Expected}");
        }
    }

    private static void CheckRequestWithinLimit(string? request, string? limit, string resource, Action<string, string> add)
    {
        if (Quantity.TryParse(request, out var r) && Quantity.TryParse(limit, out var l) && r > l)
        {
            add($"resources.requests.{resource}", $"the request ({request}) is more than the limit ({limit}); Kubernetes rejects such a pod");
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
