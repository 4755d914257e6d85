using System.Reflection;
using System.Security;
using Pipelines.Kubernetes.Rendering;
using Pipelines.Testing;

namespace Pipelines.Tool.Starter;

/// <summary>
/// <c>pipelines new</c>: a host program with one pipeline (<c>hello</c>), its <c>pipelines.json</c>, and a test project
/// whose snapshot test passes at once — its verified YAML is rendered here by the same renderer the test uses.
/// </summary>
internal static class StarterProject
{
    /// <summary>The date the starter's snapshot test renders the DAG for.</summary>
    public static readonly DateOnly SnapshotDate = new(2026, 11, 25);

    /// <summary>The namespace <c>Starter/Hello.cs</c> is written in here; a starter gets its own project name.</summary>
    private const string TemplateNamespace = "namespace MyPipelines;";

    /// <summary>The exit code of a usage error, as the host's.</summary>
    private const int UsageError = 2;

    /// <summary>
    /// Writes the starter <paramref name="name"/> (default: the folder's name) into <paramref name="output"/> (default:
    /// <c>./NAME</c>, or the current folder without a name), referencing the Pipelines packages at
    /// <paramref name="pipelinesVersion"/>, with <paramref name="sources"/> in its nuget.config; returns the exit code
    /// (0, or 2 with the reason on <paramref name="stderr"/>).
    /// </summary>
    public static int Create(string? name, string? output, IReadOnlyList<string> sources, string currentDirectory, string pipelinesVersion, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var folder = Path.GetFullPath(output ?? name ?? ".", currentDirectory);
        if (File.Exists(folder) || (Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any()))
        {
            stderr.WriteLine($"new: {folder} is {(File.Exists(folder) ? "a file" : "not empty")}; a new project goes into an empty or new folder (pipelines new NAME, or --output DIR).");
            return UsageError;
        }

        // A name may be a path (pipelines new ../reports): its last part names the project.
        var projectName = ProjectName.From(Path.GetFileName((name ?? folder).TrimEnd('/', '\\')));
        if (ProjectName.Problem(projectName) is { } problem)
        {
            stderr.WriteLine($"new: {problem}");
            return UsageError;
        }

        var feeds = sources.Select(s => Uri.TryCreate(s, UriKind.Absolute, out var uri) && !uri.IsFile ? s : Path.GetFullPath(s, currentDirectory)).ToList();
        foreach (var (path, text) in Files(projectName, pipelinesVersion, feeds))
        {
            var full = Path.Combine(folder, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, text.ReplaceLineEndings("\n"));
        }

        var cd = Path.GetRelativePath(currentDirectory, folder);
        stdout.WriteLine($"Created {projectName} in {folder}: the host program {projectName}.csproj with the pipeline 'hello' (Hello.cs), pipelines.json, and the tests {projectName}.Tests.");
        stdout.WriteLine("Next:");
        if (cd != ".")
        {
            stdout.WriteLine($"  cd {cd}");
        }

        stdout.WriteLine($"  pipelines run hello --date {SnapshotDate:yyyy-MM-dd}   # build the host program, run the DAG");
        stdout.WriteLine("  pipelines list                          # any verb of the host (pipelines -- --help lists them)");
        stdout.WriteLine("  dotnet test                             # the snapshot test");
        return 0;
    }

    /// <summary>The starter's files, by path relative to its folder.</summary>
    internal static IEnumerable<(string Path, string Text)> Files(string name, string pipelinesVersion, IReadOnlyList<string> sources)
    {
        var tests = name + ".Tests";
        yield return ($"{name}.csproj", $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <!-- The host program: every IPipeline of this assembly behind the pipelines command line. -->
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <!-- The tests are a project of their own. -->
                <DefaultItemExcludes>$(DefaultItemExcludes);{tests}/**</DefaultItemExcludes>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Pipelines.Hosting" />
              </ItemGroup>
            </Project>

            """);
        yield return ("Program.cs", """
            using Pipelines.Hosting;

            // The host program: every IPipeline in this assembly, behind the `pipelines` command line.
            return await PipelineHost.RunAsync(args, typeof(Program).Assembly);

            """);
        yield return ("Hello.cs", HelloSource().Replace(TemplateNamespace, $"namespace {name};", StringComparison.Ordinal));
        yield return ("pipelines.json", """
            {
              // Environments: --env NAME > PIPELINES_ENVIRONMENT > local. Each chooses its runtime (auto, process, docker,
              // kubernetes), image registry rewrites and the values of << var.NAME >>.
              "environments": {
                "local": {
                  "runtime": "auto",
                  "vars": {}
                }
              }
            }

            """);
        yield return ("Directory.Build.props", """
            <Project>
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
            </Project>

            """);
        yield return ("Directory.Packages.props", $"""
            <Project>
              <!-- Every package version, once. -->
              <PropertyGroup>
                <ManagePackageVersionsCentrally>true</ManagePackageVersionsCentrally>
              </PropertyGroup>
              <ItemGroup>
                <PackageVersion Include="Pipelines.Hosting" Version="{pipelinesVersion}" />
                <PackageVersion Include="Pipelines.Testing" Version="{pipelinesVersion}" />
                <PackageVersion Include="xunit.v3" Version="{PackageVersion("xunit.v3")}" />
              </ItemGroup>
            </Project>

            """);
        yield return ("global.json", """
            {
              "test": {
                "runner": "Microsoft.Testing.Platform"
              }
            }

            """);
        yield return ($"{name}.slnx", $"""
            <Solution>
              <Project Path="{name}.csproj" />
              <Project Path="{tests}/{tests}.csproj" />
            </Solution>

            """);
        yield return (".gitignore", """
            bin/
            obj/
            .pipelines/
            *.received.yaml
            TestResults/

            """);
        if (sources.Count > 0)
        {
            yield return ("nuget.config", NuGetConfig(sources));
        }

        yield return ($"{tests}/{tests}.csproj", $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <!-- xunit.v3 on Microsoft.Testing.Platform (global.json): dotnet test. -->
              <PropertyGroup>
                <OutputType>Exe</OutputType>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="xunit.v3" />
                <PackageReference Include="Pipelines.Testing" />
                <ProjectReference Include="../{name}.csproj" />
                <Using Include="Xunit" />
              </ItemGroup>
            </Project>

            """);
        yield return ($"{tests}/HelloTests.cs", $$"""
            using Pipelines;
            using Pipelines.Kubernetes.Rendering;
            using Pipelines.Testing;

            namespace {{tests}};

            /// <summary>
            /// The hello DAG as a Kubernetes cluster would receive it, compared with the reviewed
            /// snapshots/hello.kubernetes.verified.yaml. After a change to the DAG, review the .received.yaml the
            /// failing test writes, and accept it by renaming it (or run the tests with PIPELINES_ACCEPT_SNAPSHOTS=1).
            /// </summary>
            public sealed class HelloTests
            {
                [Fact]
                public void Hello_renders_as_its_snapshot()
                {
                    var dag = new DagBuilder();
                    new Hello().Define(dag);

                    var yaml = PipelineSnapshot.Render(dag.Build(), new DateOnly({{SnapshotDate.Year}}, {{SnapshotDate.Month}}, {{SnapshotDate.Day}}), new PodRenderer());

                    Snapshot.Match(yaml, "snapshots/hello.kubernetes");
                }
            }

            """);
        yield return ($"{tests}/snapshots/hello.kubernetes.verified.yaml", HelloSnapshot());
    }

    /// <summary>A nuget.config with the feeds of <c>--source</c> (where the Pipelines packages are) and nuget.org.</summary>
    internal static string NuGetConfig(IReadOnlyList<string> sources)
    {
        var text = new System.Text.StringBuilder();
        text.Append("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<configuration>\n  <packageSources>\n");
        for (var i = 0; i < sources.Count; i++)
        {
            text.Append($"    <add key=\"pipelines-{i + 1}\" value=\"{SecurityElement.Escape(sources[i])}\" />\n");
        }

        text.Append("    <add key=\"nuget.org\" value=\"https://api.nuget.org/v3/index.json\" />\n  </packageSources>\n</configuration>\n");
        return text.ToString();
    }

    /// <summary>The hello DAG's pods, as the starter's test renders them.</summary>
    internal static string HelloSnapshot()
    {
        var dag = new DagBuilder();
        new MyPipelines.Hello().Define(dag);
        return PipelineSnapshot.Render(dag.Build(), SnapshotDate, new PodRenderer());
    }

    internal static string HelloSource()
    {
        using var stream = typeof(StarterProject).Assembly.GetManifestResourceStream("Starter/Hello.cs")
            ?? throw new InvalidOperationException("The tool lacks its resource Starter/Hello.cs.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>A package version this repository's tests use, recorded in the tool's assembly when it was built.</summary>
    internal static string PackageVersion(string id) =>
        typeof(StarterProject).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "PackageVersion:" + id)?.Value
            ?? throw new InvalidOperationException($"The tool was built without the version of {id}.");
}
