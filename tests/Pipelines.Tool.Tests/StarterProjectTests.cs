using System.Text.RegularExpressions;
using Pipelines.Tests.Shared;
using Pipelines.Tool.Starter;

namespace Pipelines.Tool.Tests;

public sealed class StarterProjectTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pipelines-tool-new-").FullName;
    private readonly StringWriter _stdout = new();
    private readonly StringWriter _stderr = new();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void New_with_a_name_writes_the_project_into_a_folder_of_that_name()
    {
        var exit = StarterProject.Create("my-pipelines", null, [], _dir, "1.2.3", _stdout, _stderr);

        Assert.Equal(0, exit);
        var folder = Path.Combine(_dir, "my-pipelines");
        Assert.Equal(
            [".gitignore", "Directory.Build.props", "Directory.Packages.props", "Hello.cs", "Program.cs", "global.json", "my_pipelines.Tests/HelloTests.cs", "my_pipelines.Tests/my_pipelines.Tests.csproj", "my_pipelines.Tests/snapshots/hello.kubernetes.verified.yaml", "my_pipelines.csproj", "my_pipelines.slnx", "pipelines.json"],
            Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(folder, f)).Order(StringComparer.Ordinal));
        Assert.Contains("cd my-pipelines", _stdout.ToString());
    }

    [Fact]
    public void The_starter_references_the_tools_version_and_this_repositorys_test_packages()
    {
        StarterProject.Create(null, _dir, [], _dir, "1.2.3-alpha.4", _stdout, _stderr);

        var packages = Read("Directory.Packages.props");
        Assert.Contains("""<PackageVersion Include="Pipelines.Hosting" Version="1.2.3-alpha.4" />""", packages);
        Assert.Contains("""<PackageVersion Include="Pipelines.Testing" Version="1.2.3-alpha.4" />""", packages);
        var repositoryXunit = Regex.Match(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "Directory.Packages.props")), """<PackageVersion Include="xunit.v3" Version="([^"]+)" />""").Groups[1].Value;
        Assert.Contains($"""<PackageVersion Include="xunit.v3" Version="{repositoryXunit}" />""", packages);
        Assert.Contains("Microsoft.Testing.Platform", Read("global.json"));
    }

    [Fact]
    public void The_host_project_is_named_after_the_folder_and_leaves_the_tests_out()
    {
        var folder = Path.Combine(_dir, "2026 reports");

        StarterProject.Create(null, null, [], folder, "1.0.0", _stdout, _stderr);

        var project = File.ReadAllText(Path.Combine(folder, "_2026_reports.csproj"));
        Assert.Contains("<DefaultItemExcludes>$(DefaultItemExcludes);_2026_reports.Tests/**</DefaultItemExcludes>", project);
        Assert.Contains("""<PackageReference Include="Pipelines.Hosting" />""", project);
        Assert.Contains("namespace _2026_reports;", File.ReadAllText(Path.Combine(folder, "Hello.cs")));
        Assert.Contains("namespace _2026_reports.Tests;", File.ReadAllText(Path.Combine(folder, "_2026_reports.Tests", "HelloTests.cs")));
        Assert.Contains("PipelineHost.RunAsync(args, typeof(Program).Assembly)", File.ReadAllText(Path.Combine(folder, "Program.cs")));
        Assert.DoesNotContain("cd ", _stdout.ToString());
    }

    [Fact]
    public void The_verified_snapshot_is_what_the_test_renders_of_the_written_pipeline()
    {
        StarterProject.Create("app", null, [], _dir, "1.0.0", _stdout, _stderr);

        var verified = File.ReadAllText(Path.Combine(_dir, "app", "app.Tests", "snapshots", "hello.kubernetes.verified.yaml"));
        Assert.Equal(StarterProject.HelloSnapshot(), verified);
        Assert.Contains("dag: \"hello\"", verified);
        Assert.Contains("- \"echo hello 2026-11-25; echo '{\\\"n\\\": 1}' > \\\"$PIPELINES_OUTPUT\\\"\"", verified);
        Assert.Equal(StarterProject.HelloSource().Replace("namespace MyPipelines;", "namespace app;", StringComparison.Ordinal), File.ReadAllText(Path.Combine(_dir, "app", "Hello.cs")));
    }

    [Fact]
    public void Sources_go_into_a_nuget_config_beside_nuget_org()
    {
        StarterProject.Create("app", null, ["feed", "https://example.invalid/v3/index.json"], _dir, "1.0.0", _stdout, _stderr);

        var config = File.ReadAllText(Path.Combine(_dir, "app", "nuget.config"));
        Assert.Contains($"""<add key="pipelines-1" value="{Path.Combine(_dir, "feed")}" />""", config);
        Assert.Contains("""<add key="pipelines-2" value="https://example.invalid/v3/index.json" />""", config);
        Assert.Contains("""<add key="nuget.org" value="https://api.nuget.org/v3/index.json" />""", config);
    }

    [Fact]
    public void Without_sources_there_is_no_nuget_config()
    {
        StarterProject.Create("app", null, [], _dir, "1.0.0", _stdout, _stderr);

        Assert.False(File.Exists(Path.Combine(_dir, "app", "nuget.config")));
    }

    [Fact]
    public void A_folder_that_is_not_empty_is_refused_and_left_alone()
    {
        File.WriteAllText(Path.Combine(_dir, "notes.txt"), "mine");

        var exit = StarterProject.Create(null, null, [], _dir, "1.0.0", _stdout, _stderr);

        Assert.Equal(2, exit);
        Assert.Contains($"new: {_dir} is not empty", _stderr.ToString());
        Assert.Equal(["notes.txt"], Directory.GetFileSystemEntries(_dir).Select(Path.GetFileName));
    }

    [Fact]
    public void A_name_that_is_a_path_names_the_folder_and_its_last_part_the_project()
    {
        var current = Directory.CreateDirectory(Path.Combine(_dir, "here")).FullName;

        var exit = StarterProject.Create("../reports", null, [], current, "1.0.0", _stdout, _stderr);

        Assert.Equal(0, exit);
        Assert.True(File.Exists(Path.Combine(_dir, "reports", "reports.csproj")));
        Assert.Contains("cd ../reports", _stdout.ToString());
    }

    [Fact]
    public void The_name_of_a_referenced_package_is_refused()
    {
        var exit = StarterProject.Create("Pipelines.Hosting", null, [], _dir, "1.0.0", _stdout, _stderr);

        Assert.Equal(2, exit);
        Assert.Contains("is the name of a package the project references", _stderr.ToString());
    }

    [Theory]
    [InlineData("myproject", "myproject")]
    [InlineData("my-pipelines", "my_pipelines")]
    [InlineData("Acme.Data Jobs", "Acme.Data_Jobs")]
    [InlineData("2026", "_2026")]
    [InlineData("class", "_class")]
    [InlineData("..", "MyPipelines")]
    public void A_name_becomes_a_project_name_that_is_a_namespace(string name, string expected) =>
        Assert.Equal(expected, ProjectName.From(name));

    private string Read(string file) => File.ReadAllText(Path.Combine(_dir, file));
}
