using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using Pipelines.Tests.Shared;

namespace Pipelines.Tool.Tests;

/// <summary>
/// The "Show it", as a user does it: pack the libraries and the tool of this repository with a version of
/// their own, install the tool from that feed, make a project with <c>pipelines new</c>, then <c>pipelines list</c>,
/// <c>pipelines run hello</c> and <c>dotnet test</c> in it. Slow (minutes: a Release build of src/); never skipped.
/// </summary>
public sealed class ToolEndToEndTests : IDisposable
{
    private static readonly TimeSpan Slow = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan Quick = TimeSpan.FromMinutes(5);

    private readonly string _dir = Directory.CreateTempSubdirectory("pipelines-tool-e2e-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task A_packed_tool_makes_a_project_that_lists_runs_and_passes_its_tests()
    {
        var version = $"0.0.0-e2e-{Guid.NewGuid():N}"[..22];
        var feed = Path.Combine(_dir, "feed");
        var packages = PackableProjects();

        // Pack with the user's package folder: the repository's own restore, which downloads nothing new. Outputs of
        // the build go to the temp folder (--artifacts-path), never into the repository's bin/ and obj/.
        await Step(
            RepositoryRoot.Path,
            Slow,
            isolated: false,
            Dotnet.Executable,
            "pack", WriteSolutionFilter(packages), "-c", "Release", "--artifacts-path", Path.Combine(_dir, "artifacts"),
            $"-p:PackageOutputPath={feed}", $"-p:MinVerVersionOverride={version}");
        foreach (var id in packages.Select(Path.GetFileNameWithoutExtension))
        {
            Assert.True(File.Exists(Path.Combine(feed, $"{id}.{version}.nupkg")), $"{id}.{version}.nupkg is not in {feed}");
            Assert.True(File.Exists(Path.Combine(feed, $"{id}.{version}.snupkg")), $"{id}.{version}.snupkg is not in {feed}");
        }

        AssertPackageMetadata(Path.Combine(feed, $"Pipelines.Core.{version}.nupkg"));

        // From here on a user's machine: our feed and nuget.org, the packages already on this machine read in place.
        WriteNuGetConfig(feed);
        var tools = Path.Combine(_dir, "tools");
        await Step(_dir, Quick, isolated: true, Dotnet.Executable, "tool", "install", "Pipelines.Tool", "--tool-path", tools, "--add-source", feed, "--version", version);
        var pipelines = Path.Combine(tools, "pipelines");

        var project = Directory.CreateDirectory(Path.Combine(_dir, "my-pipelines")).FullName;
        var created = await Step(project, Quick, isolated: true, pipelines, "new");
        Assert.True(File.Exists(Path.Combine(project, "my_pipelines.csproj")), created);

        var list = await Step(project, Slow, isolated: true, pipelines, "list");
        Assert.Contains("hello", list);

        var run = await Step(project, Quick, isolated: true, pipelines, "run", "hello", "--date", "2026-11-25");
        Assert.Contains("greet success", run);
        Assert.Contains("after success", run);
        Assert.Contains("greet said n=1", run);
        Assert.Contains("success (2 success)", run);

        var test = await Step(project, Slow, isolated: true, Dotnet.Executable, "test");
        Assert.Contains("succeeded: 1", test);
    }

    /// <summary>Every library of src/ and the tool: the projects that make packages.</summary>
    private static List<string> PackableProjects() =>
        [.. Directory.GetDirectories(Path.Combine(RepositoryRoot.Path, "src"))
            .Select(d => Path.Combine(d, Path.GetFileName(d) + ".csproj"))
            .Where(File.Exists)
            .Order(StringComparer.Ordinal)];

    // A solution filter of the packable projects: one build of them all, no test project restored or built.
    private string WriteSolutionFilter(IEnumerable<string> projects)
    {
        var path = Path.Combine(_dir, "packages.slnf");
        var list = string.Join(",\n", projects.Select(p => $"      \"{Path.GetRelativePath(RepositoryRoot.Path, p).Replace('\\', '/')}\""));
        File.WriteAllText(path, $$"""
            {
              "solution": {
                "path": "{{Path.Combine(RepositoryRoot.Path, "Pipelines.sln")}}",
                "projects": [
            {{list}}
                ]
              }
            }
            """);
        return path;
    }

    // The feed, nuget.org, and the user's package folder as a fallback: what it already has is used from there, not
    // downloaded; what the feed brings goes into the temp package folder (NUGET_PACKAGES), not the user's.
    private void WriteNuGetConfig(string feed) =>
        File.WriteAllText(Path.Combine(_dir, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="e2e" value="{feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
              <fallbackPackageFolders>
                <add key="user" value="{UserPackageFolder()}" />
              </fallbackPackageFolders>
            </configuration>
            """);

    private static string UserPackageFolder() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } folder
            ? folder
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    private static void AssertPackageMetadata(string package)
    {
        using var zip = ZipFile.OpenRead(package);
        using var reader = new StreamReader(zip.GetEntry("Pipelines.Core.nuspec")!.Open());
        var nuspec = reader.ReadToEnd();
        Assert.Contains("""<license type="expression">MIT</license>""", nuspec);
        Assert.Contains("<readme>README.md</readme>", nuspec);
        // SourceLink: the commit the package was built from (and the branch, when one is checked out).
        Assert.Matches("<repository type=\"git\"( branch=\"[^\"]+\")? commit=\"[0-9a-f]{40}\"", nuspec);
        Assert.NotNull(zip.GetEntry("README.md"));
        Assert.NotNull(zip.GetEntry("lib/net10.0/Pipelines.Core.dll"));
        Assert.NotNull(zip.GetEntry("lib/net10.0/Pipelines.Core.xml"));
    }

    /// <summary>Runs a step to its end; fails with its output unless it exits 0 within <paramref name="timeout"/>.</summary>
    private async Task<string> Step(string workingDirectory, TimeSpan timeout, bool isolated, string program, params string[] args)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        ToolProcess.Isolate(start.Environment);
        if (isolated)
        {
            start.Environment["NUGET_PACKAGES"] = Path.Combine(_dir, "nuget-packages");
        }

        var output = new StringBuilder();
        void Append(object sender, DataReceivedEventArgs e)
        {
            if (e.Data is not null)
            {
                lock (output)
                {
                    output.AppendLine(e.Data);
                }
            }
        }

        var command = $"{Path.GetFileName(program)} {string.Join(' ', args)} (in {workingDirectory})";
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{command} did not start");
        process.StandardInput.Close();
        process.OutputDataReceived += Append;
        process.ErrorDataReceived += Append;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timer = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(timer.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            Assert.Fail($"{command} did not end within {timeout}:\n{Text()}");
        }

        await process.WaitForExitAsync(CancellationToken.None); // the output's end
        TestContext.Current.SendDiagnosticMessage($"{command}: exit {process.ExitCode} after {clock.Elapsed.TotalSeconds:F0} s");
        Assert.True(process.ExitCode == 0, $"{command} exited {process.ExitCode}:\n{Text()}");
        return Text();

        string Text()
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }
}
