using static Pipelines.Core.Tests.Templating.TestScopes;

namespace Pipelines.Core.Tests.Templating;

public class TemplateMacrosTests
{
    [Theory]
    [InlineData("<< ds_add(ds, 7) >>", "2026-12-02")]
    [InlineData("<< ds_add(ds, -30) >>", "2026-10-26")]
    [InlineData("<< ds_add(ds, 0) >>", "2026-11-25")]
    [InlineData("<< ds_add ds 1 >>", "2026-11-26")]
    [InlineData("<< ds_add(\"2024-02-28\", 1) >>", "2024-02-29")]
    [InlineData("<< ds_add(ds, params.batch) >>", "2026-11-28")]
    [InlineData("<< ds_add(ds, params.limit) >>", "2026-12-05")]
    [InlineData("<< ds_add(ds, 2.0) >>", "2026-11-27")]
    public void Ds_add_shifts_a_date(string text, string expected) => Assert.Equal(expected, Resolve(text));

    [Theory]
    [InlineData("ds, \"%Y-%m-%d\", \"%d/%m/%Y\"", "25/11/2026")]
    [InlineData("\"2026-11-25\", \"%Y-%m-%d\", \"%d/%m/%Y\"", "25/11/2026")]
    [InlineData("ds, \"%Y-%m-%d\", \"%a %A %b %B %j %y\"", "Wed Wednesday Nov November 329 26")]
    [InlineData("\"2026-11-25 14:05:09\", \"%Y-%m-%d %H:%M:%S\", \"%I:%M %p|%H%M%S\"", "02:05 PM|140509")]
    [InlineData("\"2026-11-25T10:00:00+0530\", \"%Y-%m-%dT%H:%M:%S%z\", \"%z %%\"", "+0530 %")]
    [InlineData("\"2026-11-25T10:00:00-08:00\", \"%Y-%m-%dT%H:%M:%S%z\", \"%z\"", "-0800")]
    [InlineData("ds, \"%Y-%m-%d\", \"[%z]\"", "[]")]
    [InlineData("\"2026-329\", \"%Y-%j\", \"%Y-%m-%d\"", "2026-11-25")]
    [InlineData("\"November 25, 2026\", \"%B %d, %Y\", \"%Y-%m-%d\"", "2026-11-25")]
    [InlineData("\"25 nov 26\", \"%d %b %y\", \"%Y%m%d\"", "20261125")]
    [InlineData("\"12:30 AM 01/02/03\", \"%I:%M %p %m/%d/%y\", \"%Y-%m-%d %H:%M\"", "2003-01-02 00:30")]
    [InlineData("ds_nodash, \"%Y%m%d\", \"%Y-%m-%d\"", "2026-11-25")]
    public void Ds_format_converts_like_python(string arguments, string expected) =>
        Assert.Equal(expected, Resolve($"<< ds_format({arguments}) >>"));

    [Theory]
    [InlineData("ds_add(\"25/11/2026\", 1)", "ds_add: the first argument must be a date written yyyy-MM-dd, got '25/11/2026'")]
    [InlineData("ds_add(ds, 1.5)", "ds_add: the number of days must be a whole number, got 1.5")]
    [InlineData("ds_add(ds, \"1\")", "ds_add: the number of days must be a whole number, got '1'")]
    [InlineData("ds_format(ds, \"%Y-%m-%d\", \"%Q\")", "ds_format: unsupported directive %Q in format '%Q'; supported: %Y %m %d")]
    [InlineData("ds_format(ds, \"%Y-%m-%d\", \"%Y%\")", "ds_format: format '%Y%' ends with a lone '%'; write '%%' for a literal '%'")]
    [InlineData("ds_format(\"2026/11/25\", \"%Y-%m-%d\", \"%Y\")", "ds_format: '2026/11/25' does not match format '%Y-%m-%d'")]
    [InlineData("ds_format(\"2026-11-25x\", \"%Y-%m-%d\", \"%Y\")", "ds_format: '2026-11-25x' does not match format '%Y-%m-%d': unconverted text 'x' remains")]
    [InlineData("ds_format(\"2026-02-30\", \"%Y-%m-%d\", \"%Y\")", "ds_format: '2026-02-30' matches format '%Y-%m-%d' but is not a valid date and time")]
    [InlineData("ds_format(ds, 1, \"%Y\")", "ds_format: all three arguments must be strings")]
    [InlineData("ds_add(ds)", "Invalid number of arguments")]
    public void Macro_misuse_is_a_clear_error(string expression, string reason)
    {
        var error = ResolveFails($"<< {expression} >>", "command[0]");

        Assert.Equal("command[0]", error.Field);
        Assert.Equal(expression, error.Expression);
        Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
    }
}
