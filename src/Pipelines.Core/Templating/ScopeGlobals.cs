using System.Globalization;
using Scriban;
using Scriban.Parsing;

namespace Pipelines.Templating;

/// <summary>
/// The top-level names of one scope. Values are computed on first read and kept for the session, so a task
/// that only reads <c>params</c> never formats dates.
/// </summary>
internal sealed class ScopeGlobals(TemplateScope scope) : ReadOnlyScriptObject
{
    private const string IsoFormat = "yyyy-MM-dd'T'HH:mm:sszzz";

    private string? _ds;
    private string? _dsNodash;
    private string? _ts;
    private string? _tsNodash;
    private string? _intervalStart;
    private string? _intervalEnd;
    private object? _tryNumber;
    private DictionaryObject<object?>? _params;
    private DictionaryObject<string>? _vars;
    private TasksObject? _tasks;

    public override string Path => "(top level)";

    public override int Count => TemplateNames.Variables.Count;

    public override IEnumerable<string> GetMembers() => TemplateNames.Variables;

    public override bool Contains(string member) => TemplateNames.Variables.Contains(member);

    public override bool TryGetValue(TemplateContext? context, SourceSpan span, string member, out object? value)
    {
        value = member switch
        {
            TemplateNames.Ds => _ds ??= Format(scope.LogicalDate, "yyyy-MM-dd"),
            TemplateNames.DsNodash => _dsNodash ??= Format(scope.LogicalDate, "yyyyMMdd"),
            TemplateNames.Ts or TemplateNames.LogicalDate => _ts ??= Format(scope.LogicalDate, IsoFormat),
            TemplateNames.TsNodash => _tsNodash ??= Format(scope.LogicalDate, "yyyyMMdd'T'HHmmss"),
            TemplateNames.DataIntervalStart => _intervalStart ??= Format(scope.DataIntervalStart, IsoFormat),
            TemplateNames.DataIntervalEnd => _intervalEnd ??= Format(scope.DataIntervalEnd, IsoFormat),
            TemplateNames.TryNumber => _tryNumber ??= scope.TryNumber,
            TemplateNames.DagId => scope.DagId,
            TemplateNames.TaskId => scope.TaskId,
            TemplateNames.RunId => scope.RunId,
            TemplateNames.Env => scope.Environment,
            TemplateNames.Params => _params ??= new(TemplateNames.Params, scope.Params),
            TemplateNames.Var => _vars ??= new(TemplateNames.Var, scope.Vars),
            TemplateNames.Tasks => _tasks ??= new(scope.TaskOutputs),
            TemplateNames.DsAdd => Macros.DsAdd,
            TemplateNames.DsFormat => Macros.DsFormat,
            _ => null,
        };

        // Every provided name has a non-null value, so null means "not ours": Scriban then tries its builtins.
        return value is not null;
    }

    private static string Format(DateTimeOffset value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
