using Pipelines.Templating;
using static Pipelines.Core.Tests.Templating.TestScopes;

namespace Pipelines.Core.Tests.Templating;

public class TemplateStrictnessTests
{
    [Theory]
    [InlineData("params.typo", "params has no 'typo'; params has: batch, full_refresh, limit, note, ratio, table")]
    [InlineData("params[\"typo\"]", "params has no 'typo'; params has: batch, full_refresh, limit, note, ratio, table")]
    [InlineData("var.typo", "var has no 'typo'; var has: source_host, source_port")]
    [InlineData("tasks.unknown.output.rows", "no output of task 'unknown' is available (the task does not exist, is not upstream, or wrote no output); tasks with outputs: extract-data, fetch, load.v2")]
    [InlineData("tasks.fetch.outputs", "tasks.fetch has no 'outputs'; tasks.fetch has: output")]
    [InlineData("tasks.fetch.output.typo", "tasks.fetch.output has no 'typo'; tasks.fetch.output has: meta, nothing, ok, path, ratio, rows")]
    [InlineData("tasks.fetch.output.meta.typo", "tasks.fetch.output.meta has no 'typo'; tasks.fetch.output.meta has: schema, tables")]
    [InlineData("tasks[\"extract-data\"].output.typo", "tasks[\"extract-data\"].output has no 'typo'; tasks[\"extract-data\"].output has: rows")]
    [InlineData("params.table.typo", "cannot read 'typo' of the string \"customers\"")]
    [InlineData("params.limit.typo", "cannot read 'typo' of the long 10")]
    [InlineData("params.full_refresh.typo", "cannot read 'typo' of the bool false")]
    [InlineData("string.upcaze params.table", "string has no 'upcaze'; string has: ")]
    public void A_missing_member_at_any_depth_names_what_exists(string expression, string reason)
    {
        var error = ResolveFails($"--x=<< {expression} >>", "args[1]");

        Assert.Equal("customers_etl", error.DagId);
        Assert.Equal("extract", error.TaskId);
        Assert.Equal("args[1]", error.Field);
        Assert.Equal(expression, error.Expression);
        Assert.StartsWith(reason, error.Reason, StringComparison.Ordinal);
        Assert.Contains("customers_etl", error.Message, StringComparison.Ordinal);
        Assert.Contains("'extract'", error.Message, StringComparison.Ordinal);
        Assert.Contains("args[1]", error.Message, StringComparison.Ordinal);
        Assert.Contains($"<< {expression} >>", error.Message, StringComparison.Ordinal);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_message_has_every_part()
    {
        var error = ResolveFails("<< var.typo >>", "env.SOURCE_DB_HOST");

        Assert.Equal(
            "DAG 'customers_etl', task 'extract', field 'env.SOURCE_DB_HOST': << var.typo >>: var has no 'typo'; var has: source_host, source_port",
            error.Message);
    }

    [Theory]
    [InlineData("undefined_name")]
    [InlineData("undefined_name + 1")]
    [InlineData("nope(1)")]
    [InlineData("params.table | nope")]
    public void An_unknown_top_level_name_lists_the_names(string expression)
    {
        var error = ResolveFails($"<< {expression} >>");

        Assert.StartsWith("unknown name '", error.Reason, StringComparison.Ordinal);
        Assert.Contains("the names are: array, blank, dag_id, data_interval_end,", error.Reason, StringComparison.Ordinal);
        Assert.Contains("For a literal '<<' write '\\<<'", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_heredoc_without_escape_fails_with_the_hint()
    {
        var error = ResolveFails("cat <<EOF >> out.txt");

        Assert.Equal("EOF", error.Expression);
        Assert.Contains("unknown name 'EOF'", error.Reason, StringComparison.Ordinal);
        Assert.Contains("'\\<<'", error.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("<< var.version ?? \"latest\" >>", "latest")]
    [InlineData("<< var.source_host ?? \"fallback\" >>", "db.local")]
    [InlineData("<< params.typo ?? params.table >>", "customers")]
    [InlineData("<< params[\"typo\"] ?? 5 >>", "5")]
    [InlineData("<< params.note ?? \"none\" >>", "none")]
    [InlineData("<< tasks.fetch.output.count ?? 0 >>", "0")]
    [InlineData("<< tasks.fetch.output.nothing ?? \"n/a\" >>", "n/a")]
    [InlineData("<< tasks.fetch.output.meta.owner.name ?? \"nobody\" >>", "nobody")]
    [InlineData("<< tasks.unknown.output.rows ?? -1 >>", "-1")]
    [InlineData("<< tasks[\"not-there\"].output.rows ?? 0 >>", "0")]
    [InlineData("<< params.table.foo ?? \"x\" >>", "x")]
    [InlineData("<< params.limit.foo ?? \"y\" >>", "y")]
    [InlineData("<< undefined_name ?? 1 >>", "1")]
    [InlineData("<< (var.a ?? var.b) ?? \"c\" >>", "c")]
    [InlineData("<< 1 + (var.missing ?? 2) >>", "3")]
    [InlineData("<< (var.version ?? \"latest\") | string.upcase >>", "LATEST")]
    [InlineData("<< var.version ?? null >>", "")]
    [InlineData("a<< (var.version ?? null) >>b", "ab")]
    public void The_default_idiom_allows_a_missing_read_left_of_coalesce(string text, string expected) =>
        Assert.Equal(expected, Resolve(text));

    [Theory]
    [InlineData("params.typo ?? params.other")] // the right operand is not guarded
    [InlineData("var.typo ?? var.other ?? var.third")] // in a chain only the last operand is unguarded
    public void Only_the_left_operand_is_guarded(string expression)
    {
        var error = ResolveFails($"<< {expression} >>");

        Assert.Contains("has no '", error.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("params.note")]
    [InlineData("tasks.fetch.output.nothing")]
    [InlineData("tasks.fetch.output.meta.tables[5]")]
    [InlineData("string.upcase params.note")]
    public void A_null_value_is_an_error_unless_the_expression_is_a_coalesce(string expression)
    {
        var error = ResolveFails($"--x=<< {expression} >>");

        Assert.StartsWith("evaluated to null", error.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1 // 0", "divide by zero")]
    [InlineData("1 / 0", "evaluated to Infinity")]
    [InlineData("string.replace \"a\"", "Invalid number of arguments")]
    public void Scriban_runtime_errors_become_render_errors(string expression, string reason)
    {
        var error = ResolveFails($"<< {expression} >>");

        Assert.Equal(expression, error.Expression);
        Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_session_keeps_working_after_an_error()
    {
        var session = Session();

        Assert.Throws<TemplateException>(() => session.Resolve("<< string.upcase params.typo >>", "args[0]"));
        Assert.Equal("CUSTOMERS", session.Resolve("<< string.upcase params.table >>", "args[0]"));
        Assert.Throws<TemplateException>(() => session.Resolve("<< params.typo ?? params.other >>", "args[0]"));
        Assert.Equal("fallback", session.Resolve("<< params.typo ?? \"fallback\" >>", "args[0]"));
    }
}
