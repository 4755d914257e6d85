using System.Text.Json;
using Pipelines.Templating;
using Pipelines.Validation;

namespace Pipelines.Rendering;

/// <summary>
/// Resolves every <c>&lt;&lt; expr &gt;&gt;</c> of a task attempt and checks the result with the same
/// rules <c>Build()</c> applies to literal values, so a quantity that comes from a parameter is
/// checked as strictly as one written out.
/// </summary>
public static class TaskRenderer
{
    private static readonly IReadOnlyDictionary<string, JsonElement> NoOutputs = new Dictionary<string, JsonElement>();

    /// <summary>Renders one attempt of <paramref name="task"/>.</summary>
    /// <param name="run">The run.</param>
    /// <param name="task">A task of <c>run.Dag</c>.</param>
    /// <param name="tryNumber">The attempt number, from 1.</param>
    /// <param name="upstreamOutputs">Output JSON objects of upstream tasks, by task id.</param>
    /// <exception cref="PipelineDefinitionException">Every field that could not be rendered, or whose rendered value is invalid.</exception>
    public static RenderedTask Render(RunContext run, ContainerTask task, int tryNumber = 1, IReadOnlyDictionary<string, JsonElement>? upstreamOutputs = null) =>
        Render(run, task, tryNumber, upstreamOutputs, preview: false);

    /// <summary>
    /// Renders one attempt with <paramref name="session"/> (created on first use), reset to the attempt's scope,
    /// so that many attempts — a run's, on the executor's loop — share one Scriban context.
    /// </summary>
    internal static RenderedTask Render(RunContext run, ContainerTask task, int tryNumber, IReadOnlyDictionary<string, JsonElement>? upstreamOutputs, ref TemplateSession? session) =>
        Render(run, task, tryNumber, upstreamOutputs, preview: false, ref session);

    /// <summary>
    /// Renders an attempt for a preview (<c>render</c>, snapshots): expressions that read upstream
    /// outputs, known only at run time, stay as written (<c>&lt;&lt; tasks.x.output.rows &gt;&gt;</c>).
    /// </summary>
    public static RenderedTask Preview(RunContext run, ContainerTask task) => Render(run, task, 1, null, preview: true);

    private static RenderedTask Render(RunContext run, ContainerTask task, int tryNumber, IReadOnlyDictionary<string, JsonElement>? upstreamOutputs, bool preview)
    {
        TemplateSession? session = null;
        return Render(run, task, tryNumber, upstreamOutputs, preview, ref session);
    }

    private static RenderedTask Render(RunContext run, ContainerTask task, int tryNumber, IReadOnlyDictionary<string, JsonElement>? upstreamOutputs, bool preview, ref TemplateSession? session)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(task);
        var scope = new TemplateScope(
            run.Dag.Id,
            task.Id,
            run.RunId,
            run.LogicalDate,
            run.LogicalDate,
            run.DataIntervalEnd,
            tryNumber,
            run.Environment.Name,
            run.Params,
            run.Environment.Vars,
            upstreamOutputs ?? NoOutputs)
        { PreviewOutputs = preview };
        if (session is null)
        {
            session = TemplateRenderer.Shared.Begin(scope);
        }
        else
        {
            session.Reset(scope);
        }

        var problems = new List<DefinitionProblem>();
        var templates = session;
        var rendered = task.MapStrings((value, field) =>
        {
            if (!TemplateText.MayContainTemplate(value))
            {
                return value;
            }

            try
            {
                return templates.Render(value, field.ToString());
            }
            catch (TemplateRenderException ex)
            {
                problems.Add(new DefinitionProblem(run.Dag.Id, task.Id, ex.Field, $"<< {ex.Expression} >>: {ex.Reason}"));
                return value;
            }
        });

        if (problems.Count == 0)
        {
            DagValidator.CheckSettings(rendered, (field, message) => problems.Add(new DefinitionProblem(run.Dag.Id, task.Id, field, message)));
        }

        if (problems.Count > 0)
        {
            throw new PipelineDefinitionException(problems);
        }

        var image = run.Environment.RewriteImage(rendered.Image);
        return new RenderedTask(ReferenceEquals(image, rendered.Image) ? rendered : rendered with { Image = image }, run, tryNumber);
    }
}
