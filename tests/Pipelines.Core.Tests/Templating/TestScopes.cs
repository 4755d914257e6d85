using System.Text.Json;
using Pipelines.Attempts;
using Pipelines.Templating;
using Pipelines.Templating.Evaluation;

namespace Pipelines.Core.Tests.Templating;

/// <summary>The fixed scope the templating tests render with.</summary>
internal static class TestScopes
{
    public static readonly DateTimeOffset LogicalDate = new(2026, 11, 25, 0, 0, 0, TimeSpan.Zero);

    public static TemplateScope Default(DateTimeOffset? logicalDate = null)
    {
        var date = logicalDate ?? LogicalDate;
        return new TemplateScope(
            DagId: "customers_etl",
            TaskId: "extract",
            RunId: "manual__2026-11-25T00:00:00+00:00",
            LogicalDate: date,
            DataIntervalStart: date,
            DataIntervalEnd: date.AddDays(1),
            TryNumber: 2,
            Environment: "local",
            Params: new Dictionary<string, object?>
            {
                ["table"] = "customers",
                ["limit"] = 10L,
                ["batch"] = 3,
                ["ratio"] = 1.5,
                ["full_refresh"] = false,
                ["note"] = null,
            },
            Vars: new Dictionary<string, string> { ["source_host"] = "db.local", ["source_port"] = "5432" },
            TaskOutputs: new Dictionary<string, JsonElement>
            {
                ["fetch"] = Json("""{"rows": 42, "ratio": 0.25, "ok": true, "nothing": null, "path": "s3://bucket/x.csv", "meta": {"schema": "public", "tables": ["a", "b"]}}"""),
                ["extract-data"] = Json("""{"rows": 7}"""),
                ["load.v2"] = Json("""{"rows": 9}"""),
            });
    }

    public static TemplateSession Session(DateTimeOffset? logicalDate = null) => TemplateEngine.Shared.Begin(Default(logicalDate));

    public static string Resolve(string text, string field = "args[0]") => Session().Resolve(text, field);

    public static TemplateException ResolveFails(string text, string field = "args[1]") =>
        Assert.Throws<TemplateException>(() => Session().Resolve(text, field));

    private static JsonElement Json(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
