namespace Pipelines.Tests.Shared;

/// <summary>The repository a test runs in: the folder that holds <c>Pipelines.sln</c>, found by walking up from the test's binaries.</summary>
internal static class RepositoryRoot
{
    /// <summary>The folder that holds <c>Pipelines.sln</c>.</summary>
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Pipelines.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Pipelines.sln above {AppContext.BaseDirectory}");
    }
}
