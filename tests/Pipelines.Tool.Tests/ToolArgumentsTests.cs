namespace Pipelines.Tool.Tests;

public sealed class ToolArgumentsTests
{
    [Fact]
    public void Every_argument_from_the_verb_on_goes_to_the_host()
    {
        var command = Assert.IsType<ToolCommand.Host>(ToolArguments.Parse(["run", "hello", "--date", "2026-11-25", "--project", "x", "--help"]));

        Assert.Equal(["run", "hello", "--date", "2026-11-25", "--project", "x", "--help"], command.Arguments);
        Assert.Null(command.Project);
        Assert.Null(command.Configuration);
        Assert.False(command.NoBuild);
    }

    [Fact]
    public void The_tools_options_come_before_the_verb()
    {
        var command = Assert.IsType<ToolCommand.Host>(ToolArguments.Parse(["--project", "src/App", "-c", "Release", "--no-build", "list"]));

        Assert.Equal("src/App", command.Project);
        Assert.Equal("Release", command.Configuration);
        Assert.True(command.NoBuild);
        Assert.Equal(["list"], command.Arguments);
    }

    [Fact]
    public void Options_take_their_value_after_an_equals_sign_too()
    {
        var command = Assert.IsType<ToolCommand.Host>(ToolArguments.Parse(["--project=App.csproj", "--configuration=Release", "validate"]));

        Assert.Equal("App.csproj", command.Project);
        Assert.Equal("Release", command.Configuration);
    }

    [Fact]
    public void Everything_after_a_double_dash_goes_to_the_host()
    {
        var command = Assert.IsType<ToolCommand.Host>(ToolArguments.Parse(["--no-build", "--", "--help"]));

        Assert.Equal(["--help"], command.Arguments);
        Assert.True(command.NoBuild);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("-?")]
    public void Help_before_a_verb_is_the_tools(string option) =>
        Assert.Equal(new ToolCommand.Help(null, Asked: true), ToolArguments.Parse([option]));

    [Fact]
    public void No_verb_is_the_usage_as_an_error() =>
        Assert.Equal(new ToolCommand.Help(null, Asked: false), ToolArguments.Parse(["--no-build"]));

    [Theory]
    [InlineData("--env", "Unknown option '--env'")]
    [InlineData("--project", "--project needs a value")]
    [InlineData("-c", "-c needs a value")]
    public void A_bad_option_before_the_verb_is_a_usage_error(string option, string message)
    {
        var invalid = Assert.IsType<ToolCommand.Invalid>(ToolArguments.Parse([option]));

        Assert.StartsWith(message, invalid.Message);
    }

    [Fact]
    public void New_takes_a_name_an_output_folder_and_sources()
    {
        var command = Assert.IsType<ToolCommand.New>(ToolArguments.Parse(["new", "myproject", "--output", "out", "--source", "a", "--source", "b"]));

        Assert.Equal("myproject", command.Name);
        Assert.Equal("out", command.Output);
        Assert.Equal(["a", "b"], command.Sources);
    }

    [Fact]
    public void New_alone_names_nothing()
    {
        var command = Assert.IsType<ToolCommand.New>(ToolArguments.Parse(["new"]));

        Assert.Null(command.Name);
        Assert.Null(command.Output);
        Assert.Empty(command.Sources);
    }

    [Theory]
    [InlineData(new[] { "new", "a", "b" }, "new: one name only")]
    [InlineData(new[] { "new", "--force" }, "new: unknown option '--force'")]
    [InlineData(new[] { "new", "--output" }, "new: --output needs a value")]
    [InlineData(new[] { "--project", "x", "new" }, "'new' writes a project")]
    public void Bad_arguments_of_new_are_usage_errors(string[] args, string message)
    {
        var invalid = Assert.IsType<ToolCommand.Invalid>(ToolArguments.Parse(args));

        Assert.StartsWith(message, invalid.Message);
    }

    [Fact]
    public void Help_after_new_is_the_help_of_new() =>
        Assert.Equal(new ToolCommand.Help("new", Asked: true), ToolArguments.Parse(["new", "--help"]));

    [Theory]
    [InlineData("1.2.0", "1.2.0")]
    [InlineData("1.2.0+4f1c2d3", "1.2.0")]
    [InlineData("0.0.0-alpha.0.115+2bcc259fd5a177b73346fac1612b35dd44f46ed2", "0.0.0-alpha.0.115")]
    public void The_package_version_is_the_informational_version_without_its_commit(string informational, string expected) =>
        Assert.Equal(expected, ToolProgram.PackageVersion(informational));

    [Fact]
    public void The_msbuild_properties_are_read_from_its_json()
    {
        const string json = """
            {
              "Properties": {
                "TargetPath": "/p/bin/Debug/net10.0/App.dll",
                "OutputType": "Exe"
              }
            }
            """;

        Assert.Equal(("/p/bin/Debug/net10.0/App.dll", "Exe"), HostLauncher.Properties(json));
        Assert.Null(HostLauncher.Properties("MSBUILD : error MSB1009: Project file does not exist."));
    }
}
