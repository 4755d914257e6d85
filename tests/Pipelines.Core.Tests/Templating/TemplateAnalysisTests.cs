using Pipelines.Templating;
using Pipelines.Templating.Parsing;

namespace Pipelines.Core.Tests.Templating;

public class TemplateAnalysisTests
{
    [Fact]
    public void References_name_root_and_first_member()
    {
        var analysis = TemplateText.Analyze("--table=<< params.table >> --rows=<< tasks[\"extract-data\"].output.rows >> << ds_add(ds, params.days) >>");

        Assert.True(analysis.HasExpressions);
        Assert.Empty(analysis.Errors);
        Assert.Equal(
            [
                new TemplateReference("params.table", "params", "table", false),
                new TemplateReference("tasks[\"extract-data\"].output.rows", "tasks", "extract-data", false),
                new TemplateReference("ds_add(ds, params.days)", "ds_add", null, false),
                new TemplateReference("ds_add(ds, params.days)", "ds", null, false),
                new TemplateReference("ds_add(ds, params.days)", "params", "days", false),
            ],
            analysis.References);
    }

    [Fact]
    public void References_inside_the_left_of_coalesce_are_guarded()
    {
        var analysis = TemplateText.Analyze("<< var.version ?? params.default_version >> << (tasks.a.output.n ?? tasks.b.output.n) ?? 0 >>");

        Assert.Equal(
            [
                new TemplateReference("var.version ?? params.default_version", "var", "version", true),
                new TemplateReference("var.version ?? params.default_version", "params", "default_version", false),
                new TemplateReference("(tasks.a.output.n ?? tasks.b.output.n) ?? 0", "tasks", "a", true),
                new TemplateReference("(tasks.a.output.n ?? tasks.b.output.n) ?? 0", "tasks", "b", true),
            ],
            analysis.References);
    }

    [Theory]
    [InlineData("<< params[key] >>", "params", null)]
    [InlineData("<< params[\"table\"] >>", "params", "table")]
    [InlineData("<< params.table | string.upcase >>", "params", "table")]
    [InlineData("<< string.upcase params.table >>", "string", "upcase")]
    [InlineData("<< undefined_thing >>", "undefined_thing", null)]
    [InlineData("<< { a: params.x }.a >>", "params", "x")]
    public void The_first_reference_is_found_in_every_form(string text, string root, string? member)
    {
        var first = TemplateText.Analyze(text).References[0];

        Assert.Equal(root, first.Root);
        Assert.Equal(member, first.Member);
        Assert.False(first.Guarded);
    }

    [Fact]
    public void A_non_constant_indexer_also_reads_its_index()
    {
        var references = TemplateText.Analyze("<< params[key] >>").References;

        Assert.Equal(["params", "key"], references.Select(r => r.Root));
    }

    [Fact]
    public void Member_names_and_object_keys_are_not_references()
    {
        var references = TemplateText.Analyze("<< { table: 1 }.table + params.limit >>").References;

        Assert.Equal(["params"], references.Select(r => r.Root));
    }

    [Fact]
    public void The_same_text_returns_the_same_analysis()
    {
        var text = "<< params.cache_probe >> and << ds >>";

        Assert.Same(TemplateText.Analyze(text), TemplateText.Analyze(string.Concat("<< params.cache_probe >>", " and << ds >>")));
    }

    [Fact]
    public void Analysis_reads_what_the_engine_parsed_for_resolving()
    {
        var text = "<< params.table >> " + Guid.NewGuid().ToString("N");

        TemplateEngine.Shared.Begin(TestScopes.Default()).Resolve(text, "args[0]");

        Assert.Same(TemplateEngine.Shared.Cache.GetTemplate(text).Analysis, TemplateText.Analyze(text));
        Assert.NotSame(TemplateText.Analyze(text), new TemplateEngine().Cache.GetTemplate(text).Analysis);
    }

    [Fact]
    public void Escapes_alone_are_not_expressions()
    {
        var analysis = TemplateText.Analyze("cat \\<<EOF >> out.txt");

        Assert.True(TemplateText.MayContainTemplate("cat \\<<EOF >> out.txt"));
        Assert.False(analysis.HasExpressions);
        Assert.Empty(analysis.Errors);
        Assert.Empty(analysis.References);
    }
}
