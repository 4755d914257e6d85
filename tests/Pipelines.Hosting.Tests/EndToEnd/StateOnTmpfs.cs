using System.ComponentModel;
using System.Diagnostics;
using Pipelines.Tests.Shared;

namespace Pipelines.Hosting.Tests.EndToEnd;

/// <summary>
/// Runs host commands with a project's <c>.pipelines</c> on a small tmpfs — read-only, or one a task
/// fills — inside a private user and mount namespace (<c>unshare -rm</c>): no root is needed where
/// unprivileged namespaces are allowed, and nothing outside the test sees the mount, which goes away
/// with the namespace. Where it cannot be set up the test skips, and fails under <c>CI=true</c>.
/// </summary>
public static class StateOnTmpfs
{
    // Stops when the mount fails, so that a host never runs on the real folder by mistake.
    private const string Prelude = """
        set -u
        mount -t tmpfs -o "$1" pipelines-test .pipelines || exit 97
        host_dll=$2
        results=$3
        n=0
        host() {
            n=$((n + 1))
            dotnet "$host_dll" "$@" >"$results/$n.out" 2>"$results/$n.err"
            echo $? >"$results/$n.exit"
        }

        """;

    private static readonly Lazy<string?> WhyUnavailable = new(Probe);

    /// <summary>
    /// Runs <paramref name="script"/> (POSIX sh, in the project folder) with <c>.pipelines</c> on a tmpfs
    /// mounted with <paramref name="mountOptions"/> (<c>ro,size=1m</c>); in it, <c>host ARGS…</c> runs the
    /// host. Returns each <c>host</c> command's result, in order.
    /// </summary>
    public static async Task<IReadOnlyList<HostResult>> RunAsync(ProjectFolder project, string mountOptions, string hostDll, string script)
    {
        if (WhyUnavailable.Value is { } reason)
        {
            MachineRequirement.Unmet(reason);
        }

        var results = Directory.CreateTempSubdirectory("pipelines-tmpfs-results-").FullName;
        try
        {
            Directory.CreateDirectory(project.StateFolder);
            var unshare = await UnshareAsync(project.Path, Prelude + script, mountOptions, hostDll, results);
            Assert.True(unshare.ExitCode == 0, $"the script failed: {unshare}");
            var count = Directory.GetFiles(results, "*.exit").Length;
            return [.. Enumerable.Range(1, count).Select(n => new HostResult(
                int.Parse(File.ReadAllText(Path.Combine(results, $"{n}.exit")), System.Globalization.CultureInfo.InvariantCulture),
                File.ReadAllText(Path.Combine(results, $"{n}.out")),
                File.ReadAllText(Path.Combine(results, $"{n}.err"))))];
        }
        finally
        {
            Directory.Delete(results, recursive: true);
        }
    }

    private static string? Probe()
    {
        var folder = Directory.CreateTempSubdirectory("pipelines-tmpfs-probe-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(folder, ".pipelines"));
            var probe = UnshareAsync(folder, Prelude, "size=64k", "-", folder).GetAwaiter().GetResult();
            return probe.ExitCode == 0 ? null
                : $"a tmpfs cannot be mounted in a private user and mount namespace here (unshare -rm: exit {probe.ExitCode}, {probe.Stderr.Trim()}); " +
                  "unprivileged user namespaces may be disabled";
        }
        catch (Win32Exception)
        {
            return "unshare (util-linux) is not installed, so no tmpfs can be mounted for the test";
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static Task<HostResult> UnshareAsync(string workingDirectory, string script, params string[] args)
    {
        var start = new ProcessStartInfo("unshare")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            ArgumentList = { "-rm", "sh", "-c", script, "sh" },
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("PIPELINES_ENVIRONMENT");
        return HostProcess.RunAsync(start);
    }
}
