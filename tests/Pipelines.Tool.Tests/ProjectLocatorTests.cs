namespace Pipelines.Tool.Tests;

public sealed class ProjectLocatorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pipelines-tool-locator-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void The_one_project_of_the_current_folder_is_found()
    {
        var project = Touch("App.csproj");
        Touch("App.slnx");
        Directory.CreateDirectory(Path.Combine(_dir, "App.Tests"));
        Touch("App.Tests/App.Tests.csproj");

        Assert.Equal(new ProjectLookup(project, null), ProjectLocator.Find(null, _dir));
    }

    [Fact]
    public void No_project_is_an_error_that_says_what_to_do()
    {
        var lookup = ProjectLocator.Find(null, _dir);

        Assert.Null(lookup.Path);
        Assert.Contains($"No project file (*.csproj) in the current folder ({_dir})", lookup.Error);
        Assert.Contains("--project", lookup.Error);
        Assert.Contains("pipelines new", lookup.Error);
    }

    [Fact]
    public void Two_projects_are_an_error_that_lists_them_and_suggests_project()
    {
        Touch("B.csproj");
        Touch("A.csproj");

        var lookup = ProjectLocator.Find(null, _dir);

        Assert.Null(lookup.Path);
        Assert.Contains("More than one project file", lookup.Error);
        Assert.Contains("A.csproj, B.csproj", lookup.Error);
        Assert.Contains("pipelines --project A.csproj <verb>", lookup.Error);
    }

    [Fact]
    public void Project_names_a_file_relative_to_the_current_folder()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "src"));
        var project = Touch("src/App.csproj");
        Touch("Other.csproj");

        Assert.Equal(project, ProjectLocator.Find("src/App.csproj", _dir).Path);
    }

    [Fact]
    public void Project_names_a_folder_with_one_project()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "src"));
        var project = Touch("src/App.csproj");

        Assert.Equal(project, ProjectLocator.Find("src", _dir).Path);
    }

    [Fact]
    public void Project_naming_nothing_or_no_project_file_is_an_error()
    {
        Touch("notes.txt");

        Assert.Contains("there is no file or folder", ProjectLocator.Find("missing", _dir).Error);
        Assert.Contains("is not a project file", ProjectLocator.Find("notes.txt", _dir).Error);
    }

    private string Touch(string relative)
    {
        var path = Path.Combine(_dir, relative);
        File.WriteAllText(path, "<Project />");
        return path;
    }
}
