using System.Text.Json;
using Pipelines.Templating;
using Pipelines.Templating.Evaluation;
using Pipelines.Validation;

namespace Pipelines.Resolution;

/// <summary>
/// Resolves every <c>&lt;&lt; expr &gt;&gt;</c> of a task attempt and checks the result with the same
/// rules <c>Build()</c> applies to literal values, so a quantity that comes from a parameter is
/// checked as strictly as one written out. An instance resolves the attempts of one run with one template
/// session (one Scriban context for the whole run); it is not thread-safe — the executor uses it on its loop.
/// </summary>
public sealed class TaskResolver
{
    private static readonly IReadOnlyDictionary<string, JsonElement> NoOutputs = new Dictionary<string, JsonElement>();

    private readonly RunContext _run;
    private TemplateSession? _session;

    /// <summary>Creates a resolver for the attempts of <paramref name="run"/>.</summary>
    public TaskResolver(RunContext run) => _run = run ?? throw new ArgumentNullException(nameof(run));

    /// <summary>Resolves one attempt of <paramref name="task"/>.</summary>
    /// <param name="run">The run.</param>
    /// <param name="task">A task of <c>run.Dag</c>.</param>
    /// <param name="tryNumber">The attempt number, from 1.</param>
    /// <param name="upstreamOutputs">Output JSON objects of upstream tasks, by task id.</param>
    /// <exception cref="PipelineDefinitionException">Every field that could not be resolved, or whose resolved value is invalid.</exception>
    public static ResolvedTask Resolve(RunContext run, ContainerTask task, int tryNumber = 1, IReadOnlyDictionary<string, JsonElement>? upstreamOutputs = null) =>
        new TaskResolver(run).Resolve(task, tryNumber, upstreamOutputs);

    /// <summary>
    /// Resolves an attempt for a preview (<c>render</c>, snapshots): expressions that read upstream
    /// outputs, known only at run time, stay as written (<c>&lt;&lt; tasks.x.output.rows &gt;&gt;</c>).
    /// </summary>
    public static ResolvedTask Preview(RunContext run, ContainerTask task) => new TaskResolver(run).Resolve(task, 1, null, preview: true);

    /// <summary>Resolves one attempt of <paramref name="task"/>, a task of this resolver's run.</summary>
    /// <param name="task">A task of the run's DAG.</param>
    /// <param name="tryNumber">The attempt number, from 1.</param>
    /// <param name="upstreamOutputs">Output JSON objects of upstream tasks, by task id.</param>
    /// <exception cref="PipelineDefinitionException">Every field that could not be resolved, or whose resolved value is invalid.</exception>
    public ResolvedTask Resolve(ContainerTask task, int tryNumber, IReadOnlyDictionary<string, JsonElement>? upstreamOutputs) =>
        Resolve(task, tryNumber, upstreamOutputs, preview: false);

    private ResolvedTask Resolve(ContainerTask task, int tryNumber, IReadOnlyDictionary<string, JsonElement>? upstreamOutputs, bool preview)
    {
        ArgumentNullException.ThrowIfNull(task);
        var run = _run;
        var scope = new TemplateScope(
            run.Dag.Id,
            task.Id,
            run.RunId,
            run.LogicalDate,
            run.DataIntervalStart,
            run.DataIntervalEnd,
            tryNumber,
            run.Environment.Name,
            run.Params,
            run.Environment.Vars,
            upstreamOutputs ?? NoOutputs)
        { PreviewOutputs = preview, History = run.History.GetValueOrDefault(task.Id) ?? TaskHistory.None };
        if (_session is null)
        {
            _session = TemplateEngine.Shared.Begin(scope);
        }
        else
        {
            _session.Reset(scope);
        }

        var problems = new List<DefinitionProblem>();
        var templates = _session;
        var resolved = task.MapStrings((value, field) =>
        {
            if (!TemplateText.MayContainTemplate(value))
            {
                return value;
            }

            try
            {
                return templates.Resolve(value, field.ToString());
            }
            catch (TemplateException ex)
            {
                problems.Add(new DefinitionProblem(run.Dag.Id, task.Id, ex.Field, $"<< {ex.Expression} >>: {ex.Reason}"));
                return value;
            }
        });

        if (problems.Count == 0)
        {
            TaskSettings.Check(resolved, (field, message) => problems.Add(new DefinitionProblem(run.Dag.Id, task.Id, field, message)));
        }

        if (problems.Count > 0)
        {
            throw new PipelineDefinitionException(problems);
        }

        var image = run.Environment.RewriteImage(resolved.Image);
        return new ResolvedTask(ReferenceEquals(image, resolved.Image) ? resolved : resolved with { Image = image }, run, tryNumber);
    }
}
