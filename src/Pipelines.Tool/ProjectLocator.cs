namespace Pipelines.Tool;

/// <summary>Where the pipelines project is (a project file), or why it cannot be told.</summary>
internal sealed record ProjectLookup(string? Path, string? Error);

/// <summary>
/// Finds the pipelines project as <c>dotnet ef</c> does: the one project file (<c>*.csproj</c>) in the current folder,
/// or the file or folder that <c>--project</c> names.
/// </summary>
internal static class ProjectLocator
{
    public static ProjectLookup Find(string? project, string currentDirectory)
    {
        if (project is null)
        {
            return InFolder(currentDirectory, "the current folder");
        }

        var path = Path.GetFullPath(project, currentDirectory);
        if (File.Exists(path))
        {
            return path.EndsWith("proj", StringComparison.OrdinalIgnoreCase)
                ? new ProjectLookup(path, null)
                : new ProjectLookup(null, $"--project {project}: {path} is not a project file (*.csproj).");
        }

        return Directory.Exists(path)
            ? InFolder(path, $"the folder of --project {project}")
            : new ProjectLookup(null, $"--project {project}: there is no file or folder {path}.");
    }

    private static ProjectLookup InFolder(string folder, string described)
    {
        var projects = Directory.GetFiles(folder, "*.csproj").Order(StringComparer.Ordinal).ToList();
        return projects.Count switch
        {
            1 => new ProjectLookup(projects[0], null),
            0 => new ProjectLookup(null, $"No project file (*.csproj) in {described} ({folder}). Run this in the folder of your pipelines project, name it with --project PATH, or make one with 'pipelines new'."),
            _ => new ProjectLookup(null, $"More than one project file in {described} ({folder}): {string.Join(", ", projects.Select(Path.GetFileName))}. Choose one with --project, such as: pipelines --project {Path.GetFileName(projects[0])} <verb>"),
        };
    }
}
