using System.Globalization;
using Pipelines.Attempts;
using Pipelines.Templating;
using Pipelines.Templating.Evaluation;
using static Pipelines.Core.Tests.Templating.TestScopes;

namespace Pipelines.Core.Tests.Templating;

public class TemplateVariablesTests
{
    [Theory]
    [InlineData("<< ds >>", "2026-11-25")]
    [InlineData("<< ds_nodash >>", "20261125")]
    [InlineData("<< ts >>", "2026-11-25T00:00:00+00:00")]
    [InlineData("<< ts_nodash >>", "20261125T000000")]
    [InlineData("<< logical_date >>", "2026-11-25T00:00:00+00:00")]
    [InlineData("<< data_interval_start >>", "2026-11-25T00:00:00+00:00")]
    [InlineData("<< data_interval_end >>", "2026-11-26T00:00:00+00:00")]
    [InlineData("<< run_id >>", "manual__2026-11-25T00:00:00+00:00")]
    [InlineData("<< dag_id >>", "customers_etl")]
    [InlineData("<< task_id >>", "extract")]
    [InlineData("<< try_number >>", "2")]
    [InlineData("<< try_number + 1 >>", "3")]
    [InlineData("<< env >>", "local")]
    [InlineData("<< params.table >>", "customers")]
    [InlineData("<< params.limit >>", "10")]
    [InlineData("<< params.limit * 2 >>", "20")]
    [InlineData("<< params.batch >>", "3")]
    [InlineData("<< params.full_refresh >>", "false")]
    [InlineData("<< !params.full_refresh >>", "true")]
    [InlineData("<< params[\"table\"] >>", "customers")]
    [InlineData("<< var.source_host >>:<< var.source_port >>", "db.local:5432")]
    [InlineData("<< params.table | string.upcase >>", "CUSTOMERS")]
    [InlineData("<< string.upcase params.table >>", "CUSTOMERS")]
    [InlineData("<< params.table.size >>", "9")]
    public void Renders_each_variable(string text, string expected) => Assert.Equal(expected, Resolve(text));

    [Theory]
    [InlineData("<< tasks.fetch.output.rows >>", "42")]
    [InlineData("<< tasks.fetch.output.ok >>", "true")]
    [InlineData("<< tasks.fetch.output.path >>", "s3://bucket/x.csv")]
    [InlineData("<< tasks.fetch.output.meta.schema >>", "public")]
    [InlineData("<< tasks.fetch.output.meta.tables[1] >>", "b")]
    [InlineData("<< tasks.fetch.output.meta.tables.size >>", "2")]
    [InlineData("<< tasks.fetch.output.meta.tables | array.join \",\" >>", "a,b")]
    [InlineData("<< tasks.fetch.output.meta >>", """{"schema": "public", "tables": ["a", "b"]}""")]
    [InlineData("<< tasks.fetch.output.meta.tables >>", """["a", "b"]""")]
    [InlineData("<< tasks.fetch.output.rows + 1 >>", "43")]
    [InlineData("<< tasks[\"extract-data\"].output.rows >>", "7")]
    [InlineData("<< tasks[\"load.v2\"].output.rows >>", "9")]
    public void Renders_upstream_outputs_at_any_depth(string text, string expected) => Assert.Equal(expected, Resolve(text));

    [Theory]
    [InlineData("<< tasks.big.output.above_double >>", "9007199254740993")]
    [InlineData("<< tasks.big.output.max_long >>", "9223372036854775807")]
    [InlineData("<< tasks.big.output.min_long >>", "-9223372036854775808")]
    [InlineData("<< tasks.big.output.above_long >>", "18446744073709551616")]
    [InlineData("<< tasks.big.output.items[0] >>", "9007199254740993")]
    [InlineData("<< tasks.big.output.above_double + 1 >>", "9007199254740994")]
    [InlineData("<< tasks.big.output.above_long + 1 >>", "18446744073709551617")]
    public void Output_integers_stay_exact_at_any_size(string text, string expected)
    {
        var scope = TestScopes.Default() with
        {
            TaskOutputs = new Dictionary<string, System.Text.Json.JsonElement>
            {
                ["big"] = System.Text.Json.JsonDocument.Parse("""
                    {"above_double": 9007199254740993, "max_long": 9223372036854775807, "min_long": -9223372036854775808,
                     "above_long": 18446744073709551616, "items": [9007199254740993]}
                    """).RootElement.Clone(),
            },
        };

        Assert.Equal(expected, TemplateEngine.Shared.Begin(scope).Resolve(text, "args[0]"));
    }

    [Fact]
    public void A_reset_session_reads_the_new_scope_and_keeps_nothing_of_the_old_attempt()
    {
        var session = TemplateEngine.Shared.Begin(TestScopes.Default());
        Assert.Equal("extract 2 42 2026-11-25", session.Resolve("<< task_id >> << try_number >> << tasks.fetch.output.rows >> << ds >>", "args[0]"));

        session.Reset(TestScopes.Default(TestScopes.LogicalDate.AddDays(1)) with
        {
            TaskId = "load",
            TryNumber = 3,
            TaskOutputs = new Dictionary<string, System.Text.Json.JsonElement> { ["fetch"] = System.Text.Json.JsonDocument.Parse("""{"rows": 7}""").RootElement.Clone() },
        });

        Assert.Equal("load 3 7 2026-11-26", session.Resolve("<< task_id >> << try_number >> << tasks.fetch.output.rows >> << ds >>", "args[0]"));
    }

    [Fact]
    public void Output_numbers_are_long_or_double()
    {
        Assert.Equal("5", Resolve("<< tasks.fetch.output.rows / 8 | math.floor >>"));
        Assert.Equal("0.5", Resolve("<< tasks.fetch.output.ratio * 2 >>"));
    }

    [Fact]
    public void Mixes_literal_text_and_expressions()
    {
        Assert.Equal(
            "--date=2026-11-25 --table=customers --try=2",
            Resolve("--date=<< ds >> --table=<< params.table >> --try=<< try_number >>"));
    }

    [Fact]
    public void Numbers_render_with_the_invariant_culture()
    {
        var previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
        try
        {
            Assert.Equal("1.5", Resolve("<< params.ratio >>"));
            Assert.Equal("0.25", Resolve("<< tasks.fetch.output.ratio >>"));
            Assert.Equal("[1.5, 2]", Resolve("<< [params.ratio, 2] >>"));
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Theory]
    [InlineData("+05:30", "2026-11-25T00:00:00+05:30", "20261125T000000")]
    [InlineData("-08:00", "2026-11-25T00:00:00-08:00", "20261125T000000")]
    public void A_non_utc_logical_date_keeps_its_offset(string offset, string ts, string tsNodash)
    {
        var date = new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Parse(offset.TrimStart('+'), CultureInfo.InvariantCulture));
        var session = Session(date);

        Assert.Equal(ts, session.Resolve("<< ts >>", "args[0]"));
        Assert.Equal(ts, session.Resolve("<< logical_date >>", "args[0]"));
        Assert.Equal("2026-11-25", session.Resolve("<< ds >>", "args[0]"));
        Assert.Equal(tsNodash, session.Resolve("<< ts_nodash >>", "args[0]"));
        Assert.Equal(ts.Replace("-11-25T", "-11-26T", StringComparison.Ordinal), session.Resolve("<< data_interval_end >>", "args[0]"));
    }

    [Fact]
    public void Globals_list_the_variables_macros_and_scriban_builtins()
    {
        foreach (var name in new[] { "ds", "ds_nodash", "ts", "ts_nodash", "logical_date", "data_interval_start", "data_interval_end", "run_id", "dag_id", "task_id", "try_number", "env", "params", "var", "tasks", "ds_add", "ds_format" })
        {
            Assert.Contains(name, TemplateNames.Globals);
            Assert.Contains(name, TemplateNames.Variables);
        }

        foreach (var builtin in new[] { "string", "math", "date", "array", "object", "regex", "timespan", "html" })
        {
            Assert.Contains(builtin, TemplateNames.Globals);
            Assert.DoesNotContain(builtin, TemplateNames.Variables);
        }

        Assert.DoesNotContain("include", TemplateNames.Globals); // no template loader for task fields
    }

    [Fact]
    public void Every_global_resolves_at_render_time()
    {
        var session = Session();
        foreach (var name in TemplateNames.Globals)
        {
            // `@name` reads a function without calling it; an unknown name would throw.
            Assert.Equal("true", session.Resolve($"<< @{name} != null >>", name));
        }

        Assert.Throws<TemplateException>(() => session.Resolve("<< @not_a_global != null >>", "x"));
    }
}
