using System.Diagnostics;
using System.Reflection;

namespace Pipelines.Hosting.Tests.EndToEnd;

/// <summary>The result of running a host program as a child process.</summary>
public sealed record HostResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>Runs a built host program (<c>dotnet host.dll args</c>) as a child process, as a user would.</summary>
public static class HostProcess
{
    /// <summary>The repository root: the folder that holds <c>Pipelines.sln</c>.</summary>
    public static string RepositoryRoot { get; } = Pipelines.Tests.Shared.RepositoryRoot.Path;

    /// <summary>The examples host, <c>pipelines/</c>.</summary>
    public static string ExamplesHost => HostDll("pipelines", "pipelines.dll");

    /// <summary>The test host with broken pipelines, <c>tests/Pipelines.TestHost</c>.</summary>
    public static string TestHost => HostDll("tests/Pipelines.TestHost", "pipelines-testhost.dll");

    /// <summary>The kubeconfig a host sees unless a test gives it one: none, so no test reaches the machine user's cluster.</summary>
    public const string NoKubeconfig = "/nonexistent/pipelines-test-kubeconfig";

    public static Task<HostResult> RunAsync(string hostDll, string workingDirectory, params string[] args) =>
        RunAsync(hostDll, workingDirectory, new Dictionary<string, string>(), args);

    /// <summary>How a host is started: <c>dotnet host.dll args</c>, output redirected, no inherited environment choice.</summary>
    public static ProcessStartInfo StartInfo(string hostDll, string workingDirectory, IReadOnlyDictionary<string, string>? environment, string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(hostDll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("PIPELINES_ENVIRONMENT");
        start.Environment["KUBECONFIG"] = NoKubeconfig; // never a cluster of the machine's user; a test that wants one says so
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return start;
    }

    public static Task<HostResult> RunAsync(string hostDll, string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] args) =>
        RunAsync(StartInfo(hostDll, workingDirectory, environment, args));

    /// <summary>Runs a process (output redirected) to its end, 2 minutes at most.</summary>
    public static async Task<HostResult> RunAsync(ProcessStartInfo start)
    {
        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{start.FileName} {string.Join(' ', start.ArgumentList)} did not exit within 2 minutes");
        }

        return new HostResult(process.ExitCode, await stdout, await stderr);
    }

    private static string HostDll(string projectDir, string dll)
    {
        var configuration = typeof(HostProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var path = Path.Combine(RepositoryRoot, projectDir, "bin", configuration, "net10.0", dll);
        return File.Exists(path) ? path : throw new FileNotFoundException($"The host is not built: {path}");
    }
}
