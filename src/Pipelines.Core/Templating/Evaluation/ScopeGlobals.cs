using System.Globalization;
using Pipelines.Attempts;
using Scriban;
using Scriban.Parsing;

namespace Pipelines.Templating.Evaluation;

/// <summary>
/// The top-level names of one scope. Values are computed on first read and kept for the session, so a task
/// that only reads <c>params</c> never formats dates.
/// </summary>
internal sealed class ScopeGlobals(TemplateScope scope) : ReadOnlyScriptObject
{
    private TemplateScope _scope = scope;
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
    private DictionaryObject<object?>? _history;

    public override string Path => "(top level)";

    /// <summary>
    /// Reads another scope's values from now on. What the two scopes share — the dates, parameters and
    /// variables of one run — stays cached; the rest is dropped.
    /// </summary>
    public void Reset(TemplateScope next)
    {
        if (next.LogicalDate != _scope.LogicalDate || next.LogicalDate.Offset != _scope.LogicalDate.Offset)
        {
            _ds = _dsNodash = _ts = _tsNodash = null;
        }

        if (next.DataIntervalStart != _scope.DataIntervalStart || next.DataIntervalStart.Offset != _scope.DataIntervalStart.Offset)
        {
            _intervalStart = null;
        }

        if (next.DataIntervalEnd != _scope.DataIntervalEnd || next.DataIntervalEnd.Offset != _scope.DataIntervalEnd.Offset)
        {
            _intervalEnd = null;
        }

        if (!ReferenceEquals(next.Params, _scope.Params))
        {
            _params = null;
        }

        if (!ReferenceEquals(next.Vars, _scope.Vars))
        {
            _vars = null;
        }

        _tryNumber = null;
        _tasks = null;
        _history = null;
        _scope = next;
    }

    public override int Count => TemplateNames.Variables.Count;

    public override IEnumerable<string> GetMembers() => TemplateNames.Variables;

    public override bool Contains(string member) => TemplateNames.Variables.Contains(member);

    public override bool TryGetValue(TemplateContext? context, SourceSpan span, string member, out object? value)
    {
        value = member switch
        {
            TemplateNames.Ds => _ds ??= Format(_scope.LogicalDate, "yyyy-MM-dd"),
            TemplateNames.DsNodash => _dsNodash ??= Format(_scope.LogicalDate, "yyyyMMdd"),
            TemplateNames.Ts or TemplateNames.LogicalDate => _ts ??= Format(_scope.LogicalDate, IsoFormat),
            TemplateNames.TsNodash => _tsNodash ??= Format(_scope.LogicalDate, "yyyyMMdd'T'HHmmss"),
            TemplateNames.DataIntervalStart => _intervalStart ??= Format(_scope.DataIntervalStart, IsoFormat),
            TemplateNames.DataIntervalEnd => _intervalEnd ??= Format(_scope.DataIntervalEnd, IsoFormat),
            TemplateNames.TryNumber => _tryNumber ??= _scope.TryNumber,
            TemplateNames.DagId => _scope.DagId,
            TemplateNames.TaskId => _scope.TaskId,
            TemplateNames.RunId => _scope.RunId,
            TemplateNames.Env => _scope.Environment,
            TemplateNames.Params => _params ??= new(TemplateNames.Params, _scope.Params),
            TemplateNames.Var => _vars ??= new(TemplateNames.Var, _scope.Vars),
            TemplateNames.Tasks => _tasks ??= new(_scope.TaskOutputs),
            TemplateNames.History => _history ??= new(TemplateNames.History, HistoryValues(_scope.History)),
            TemplateNames.DsAdd => Macros.DsAdd,
            TemplateNames.DsFormat => Macros.DsFormat,
            _ => null,
        };

        // Every provided name has a non-null value, so null means "not ours": Scriban then tries its builtins.
        return value is not null;
    }

    private static Dictionary<string, object?> HistoryValues(TaskHistory history) => new(StringComparer.Ordinal)
    {
        ["attempts"] = history.Attempts,
        ["memory_peak_max"] = history.MemoryPeakMax,
        ["memory_peak_max_bytes"] = history.MemoryPeakMaxBytes,
        ["cpu_seconds_max"] = history.CpuSecondsMax,
        ["duration_seconds_max"] = history.DurationMax?.TotalSeconds,
    };

    private static string Format(DateTimeOffset value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
