using System.Reflection;
using Pipelines.Tool.Starter;

namespace Pipelines.Tool;

/// <summary>The tool's command line: <c>new</c>, its own help and version, and every other verb to the project's host.</summary>
internal static class ToolProgram
{
    public const string Usage = """
        Usage: pipelines [options] <verb> [arguments]
               pipelines new [NAME] [--output DIR] [--source FEED]

        Runs the host program of the Pipelines project in the current folder: builds it (dotnet build), then runs it
        with the verb and everything after it, e.g. pipelines run hello --date 2026-11-25. The project is the one
        *.csproj in the current folder, or the one --project names.

        Verbs:
          new         write a starter project: a host program with one pipeline (hello), pipelines.json, and a test
                      project with a snapshot test; into DIR (default: ./NAME, or the current folder without NAME,
                      which must be empty), named NAME (default: the folder's name). --source adds a package feed to
                      its nuget.config (where the Pipelines packages are, when not on nuget.org).
          any other   goes to the project's host: list, validate, graph, render, run, test, backfill, scheduler,
                      report, next, runs, clean, images, shell, clear, … (pipelines -- --help lists them)

        Options (before the verb):
          --project PATH          the project file (*.csproj), or its folder
          -c, --configuration C   build configuration (default: the project's, Debug)
          --no-build              run the last build
          -h, --help              this help
          --version               the tool's version (and of the packages pipelines new references)

        Exit codes: the host's (0 success, 1 a task failed, 2 usage error, 130 Ctrl+C, 143 SIGTERM); 2 when the
        project cannot be found or built.
        """;

    public static async Task<int> RunAsync(string[] args, string currentDirectory, TextWriter stdout, TextWriter stderr)
    {
        switch (ToolArguments.Parse(args))
        {
            case ToolCommand.Help { Asked: true }:
                await stdout.WriteLineAsync(Usage);
                return 0;
            case ToolCommand.Help:
                await stderr.WriteLineAsync(Usage);
                return HostLauncher.UsageError;
            case ToolCommand.Version:
                await stdout.WriteLineAsync(Version);
                return 0;
            case ToolCommand.Invalid invalid:
                await stderr.WriteLineAsync(invalid.Message);
                await stderr.WriteLineAsync("See pipelines --help.");
                return HostLauncher.UsageError;
            case ToolCommand.New command:
                return StarterProject.Create(command.Name, command.Output, command.Sources, currentDirectory, Version, stdout, stderr);
            case ToolCommand.Host command:
                return await HostLauncher.RunAsync(command, currentDirectory, stderr);
            default:
                throw new InvalidOperationException("An unknown command.");
        }
    }

    /// <summary>
    /// The tool's version, which is the version of the Pipelines packages it was packed with: its informational version
    /// without the commit (<c>1.2.0+4f1c…</c> is <c>1.2.0</c>).
    /// </summary>
    public static string Version { get; } = PackageVersion(typeof(ToolProgram).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0");

    internal static string PackageVersion(string informationalVersion) =>
        informationalVersion.Split('+', 2)[0];
}
