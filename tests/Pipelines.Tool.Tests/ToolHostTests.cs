using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using Pipelines.Tests.Shared;

namespace Pipelines.Tool.Tests;

/// <summary>
/// The tool in front of a host (tests/Pipelines.TestHost, already built: <c>--no-build</c>), as a child process: the
/// host's output and exit code are the tool's, and a SIGTERM sent to the tool alone reaches the host.
/// </summary>
public sealed class ToolHostTests : IDisposable
{
    private static readonly string TestHost = Path.Combine(RepositoryRoot.Path, "tests", "Pipelines.TestHost", "Pipelines.TestHost.csproj");

    private static readonly string Configuration = typeof(ToolHostTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    private readonly string _dir = Directory.CreateTempSubdirectory("pipelines-tool-host-").FullName;

    public ToolHostTests() =>
        File.WriteAllText(Path.Combine(_dir, "pipelines.json"), """{ "environments": { "local": { "runtime": "process" } } }""");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task The_hosts_output_and_exit_code_are_the_tools()
    {
        using var validate = Start("validate", "cyclic");
        var invalid = await validate.EndAsync();

        Assert.Equal(2, invalid.ExitCode);
        Assert.Contains("cycle: extract → transform → load → extract", invalid.Output);

        using var run = Start("run", "fails", "--date", "2026-11-25", "--plain");
        var failed = await run.EndAsync();

        Assert.Equal(1, failed.ExitCode);
        Assert.Contains("[boom] line 30 of boom", failed.Output);
    }

    [Fact]
    public async Task A_SIGTERM_to_the_tool_stops_the_run_and_the_tool_ends_with_the_hosts_143()
    {
        using var tool = Start("run", "slow", "--date", "2026-11-25", "--plain");
        tool.WaitForLine("[sleepy] sleeping");

        Assert.Equal(0, kill(tool.Pid, 15));
        var result = await tool.EndAsync();

        Assert.Equal(143, result.ExitCode);
        Assert.Contains("sleepy cancelled", result.Output);
        Assert.DoesNotContain("last running", result.Output);
    }

    [Fact]
    public async Task A_project_that_is_not_found_is_a_usage_error()
    {
        using var tool = Start(["list"], project: null);
        var result = await tool.EndAsync();

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("No project file (*.csproj) in the current folder", result.Output);
    }

    [DllImport("libc", SetLastError = true)]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Style", "IDE1006:Naming Styles", Justification = "The C library's name.")]
    private static extern int kill(int pid, int sig);

    private ToolProcess Start(params string[] args) => Start(args, TestHost);

    private ToolProcess Start(string[] args, string? project)
    {
        var start = new ProcessStartInfo(Dotnet.Executable)
        {
            WorkingDirectory = _dir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(typeof(ToolProgram).Assembly.Location);
        if (project is not null)
        {
            start.ArgumentList.Add("--project");
            start.ArgumentList.Add(project);
            start.ArgumentList.Add("--configuration");
            start.ArgumentList.Add(Configuration);
            start.ArgumentList.Add("--no-build");
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        ToolProcess.Isolate(start.Environment);
        return new ToolProcess(Process.Start(start)!);
    }
}

/// <summary>A child process whose output is read as it comes (stdout and stderr as one text).</summary>
internal sealed class ToolProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly BlockingCollection<string> _lines = [];

    public ToolProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                _lines.CompleteAdding();
                return;
            }

            Append(e.Data);
            _lines.Add(e.Data);
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                Append(e.Data);
            }
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Pid => _process.Id;

    /// <summary>
    /// Sets a child <c>dotnet</c>'s environment apart from the test host's: no MSBuild or test-platform settings of the
    /// running test (they would steer nested builds), no telemetry or banners, no cluster or environment choice of the
    /// machine's user.
    /// </summary>
    public static void Isolate(IDictionary<string, string?> environment)
    {
        foreach (var name in environment.Keys.Where(k =>
            k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k.StartsWith("TESTINGPLATFORM_", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            environment.Remove(name);
        }

        environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        environment["DOTNET_NOLOGO"] = "1";
        environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        environment["DOTNET_ROOT"] = Path.GetDirectoryName(Path.GetFullPath(Dotnet.Executable)); // for the tool's apphost
        environment["KUBECONFIG"] = "/nonexistent/pipelines-test-kubeconfig";
        environment.Remove("PIPELINES_ENVIRONMENT");
    }

    /// <summary>Waits for a stdout line containing <paramref name="text"/>; fails with everything seen after 60 s or at the end of output.</summary>
    public void WaitForLine(string text)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            if (_lines.GetConsumingEnumerable(timeout.Token).Any(line => line.Contains(text, StringComparison.Ordinal)))
            {
                return;
            }
        }
        catch (OperationCanceledException)
        {
        }

        throw new InvalidOperationException($"The tool never printed '{text}'.\n{Output()}");
    }

    /// <summary>Waits for the end (2 minutes at most); the exit code and the output.</summary>
    public async Task<(int ExitCode, string Output)> EndAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The tool did not end within 2 minutes.\n{Output()}");
        }

        await _process.WaitForExitAsync(CancellationToken.None);
        return (_process.ExitCode, Output());
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
        _lines.Dispose();
    }

    private void Append(string line)
    {
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private string Output()
    {
        lock (_output)
        {
            return _output.ToString();
        }
    }
}
