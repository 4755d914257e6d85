using Pipelines.Templating;
using static Pipelines.Core.Tests.Templating.TestScopes;

namespace Pipelines.Core.Tests.Templating;

public class TemplateScannerTests
{
    [Theory]
    [InlineData("<< \"a>>b\" >>", "a>>b")]
    [InlineData("<< 'x>>' + \"y\" >>", "x>>y")]
    [InlineData("<< `a>>b` >>", "a>>b")]
    [InlineData("<< `c:\\dir>>` >>", "c:\\dir>>")] // verbatim: the backslash escapes nothing
    [InlineData("<< \"say \\\"hi>>\\\"\" >>", "say \"hi>>\"")]
    [InlineData("<< 'it\\'s >>' >>", "it's >>")]
    [InlineData("<<ds>>", "2026-11-25")]
    [InlineData("<< ds >>>", "2026-11-25>")]
    [InlineData("a >> b << ds >>", "a >> b 2026-11-25")]
    public void A_closing_delimiter_inside_a_string_literal_does_not_close(string text, string expected) =>
        Assert.Equal(expected, Resolve(text));

    [Theory]
    [InlineData("cat \\<<EOF >> out.txt", "cat <<EOF >> out.txt")]
    [InlineData("grep x \\<<< \"$VAR\"", "grep x <<< \"$VAR\"")]
    [InlineData("\\<<<", "<<<")]
    [InlineData("\\<< ds >>", "<< ds >>")]
    [InlineData("C:\\data\\<< ds >>", "C:\\data<< ds >>")]
    [InlineData("C:\\data\\ << ds >>", "C:\\data\\ 2026-11-25")]
    [InlineData("a\\b \\n \\\\", "a\\b \\n \\\\")]
    [InlineData("<< \"\\\\\" >><< ds >>", "\\2026-11-25")]
    [InlineData("\\<<EOF\n<< ds >>\nEOF", "<<EOF\n2026-11-25\nEOF")]
    public void Backslash_before_open_is_the_only_escape(string text, string expected) => Assert.Equal(expected, Resolve(text));

    [Theory]
    [InlineData("{{ ds }}")]
    [InlineData("{% if x %}")]
    [InlineData("echo {{ params.table }} > >")]
    public void Scriban_delimiters_pass_through_untouched(string text) => Assert.Same(text, Resolve(text));

    [Fact]
    public void Scriban_delimiters_next_to_an_expression_are_literal()
    {
        Assert.Equal("{{ ds }} 2026-11-25", Resolve("{{ ds }} << ds >>"));
    }

    [Fact]
    public void A_text_without_the_open_delimiter_is_returned_as_the_same_instance()
    {
        var text = string.Concat("plain ", "text > with >> and \\ and {{ x }}");
        var session = Session();

        Assert.Same(text, session.Resolve(text, "args[0]"));
        Assert.Same(TemplateText.Analyze(text), TemplateText.Analyze("other plain text"));
        Assert.False(TemplateText.Analyze(text).HasExpressions);
        Assert.False(TemplateText.MayContainTemplate(text));
    }

    [Theory]
    [InlineData("--date=<< ds", "ds")]
    [InlineData("<< \"a>> \" ", "\"a>> \"")]
    [InlineData("x << `unterminated >>", "`unterminated >>")]
    [InlineData("cat <<EOF", "EOF")]
    public void An_unterminated_expression_is_a_syntax_error(string text, string expression)
    {
        var error = Assert.Single(TemplateText.Analyze(text).Errors);

        Assert.Equal(expression, error.Expression);
        Assert.Contains("no '>>' closes it", error.Message, StringComparison.Ordinal);
        Assert.Contains("write '\\<<' for a literal '<<'", error.Message, StringComparison.Ordinal);
        var failure = ResolveFails(text);
        Assert.Equal(error.Message, failure.Reason);
    }

    [Theory]
    [InlineData("<< >>", "empty expression")]
    [InlineData("a<<>>b", "empty expression")]
    [InlineData("<< 1; 2 >>", "only one expression is allowed, found 2 statements")]
    [InlineData("<< x = 1 >>", "changes a variable")]
    [InlineData("<< params.limit = 1 >>", "changes a variable")]
    [InlineData("<< (x = 1) + 1 >>", "assign")] // Scriban itself rejects a nested assignment
    [InlineData("<< if true; 1; end >>", "not a 'if' statement")]
    [InlineData("<< for x in [1]; x; end >>", "not a 'for' statement")]
    [InlineData("<< func f; ret 1; end >>", "not a 'func' statement")]
    [InlineData("<< params.limit + >>", "syntax error")]
    [InlineData("<< \"abc >>\" + >>", "syntax error")]
    public void Invalid_expressions_are_syntax_errors(string text, string message)
    {
        var analysis = TemplateText.Analyze(text);

        Assert.True(analysis.HasExpressions);
        Assert.False(analysis.IsValid);
        Assert.Contains(message, Assert.Single(analysis.Errors).Message, StringComparison.Ordinal);
        Assert.Contains(message, ResolveFails(text).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Syntax_errors_report_each_expression()
    {
        var analysis = TemplateText.Analyze("<< ds >> << >> << 1; 2 >> << ds_nodash >>");

        Assert.Equal(["", "1; 2"], analysis.Errors.Select(e => e.Expression));
    }
}
