using System.Diagnostics;
using System.Runtime.Versioning;

namespace Pipelines.Execution;

/// <summary>
/// What stands between the host and a task, as containerd's shim stands between containerd and a
/// container: a small <c>/bin/sh</c> script, started in a session of its own (<c>setsid</c>), that
/// <list type="number">
/// <item>sends its stdin to <c>/dev/null</c> and its stdout and stderr to the workspace's log file (a file,
/// not a pipe to the host: a task keeps running when its host dies, instead of dying of SIGPIPE);</item>
/// <item>records its pid and joins the attempt's cgroup, when there is one, before the task exists;</item>
/// <item>runs the task as its child, outliving SIGTERM (a trap) so it sees how the task ends;</item>
/// <item>records the task's exit status in the workspace and exits with it.</item>
/// </list>
/// So a host that died while the task ran finds, when it restarts, the exit status, the output and the
/// log of an attempt that finished meanwhile — and reads them instead of running the attempt again.
/// It costs one <c>sh</c> start per attempt, no more: no pipe, no reader thread, no second program.
/// </summary>
[SupportedOSPlatform("linux")]
internal static class AttemptShim
{
    /// <summary>The script; <c>$1</c> is the workspace, <c>$2</c> the cgroup's <c>cgroup.procs</c> (or empty), then the program and its arguments.</summary>
    public const string Script = """
        exec </dev/null >>"$1/log" 2>&1
        echo $$ >"$1/pid"
        [ -z "$2" ] || echo $$ >"$2" || echo "pipelines: the attempt could not join its cgroup; a process that leaves its session may outlive it" >&2
        w=$1
        shift 2
        trap : HUP INT TERM
        "$@"
        c=$?
        echo $c >"$w/exit"
        exit $c
        """;

    private static readonly string Shell = File.Exists("/bin/sh") ? "/bin/sh" : "sh";

    private static readonly string? SetsidPath = new[] { "/usr/bin/setsid", "/bin/setsid" }.FirstOrDefault(File.Exists);

    /// <summary>
    /// The start info of the shim for <paramref name="program"/> and <paramref name="arguments"/> with exactly
    /// <paramref name="environment"/> (nothing of the host's own). Nothing is redirected: the shim replaces its
    /// standard streams before anything runs.
    /// </summary>
    public static ProcessStartInfo StartInfo(
        string program,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string> environment,
        string workingDirectory,
        AttemptWorkspace workspace,
        AttemptCgroup? cgroup)
    {
        var start = new ProcessStartInfo
        {
            FileName = SetsidPath ?? Shell,
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
        };
        if (SetsidPath is not null)
        {
            // .NET cannot call setsid() between fork and exec; setsid(1) does and execs the shell in the
            // same pid (it forks only when already a group leader, which a fresh child never is; --wait
            // keeps the exit status right if it ever had to).
            start.ArgumentList.Add("--wait");
            start.ArgumentList.Add("--");
            start.ArgumentList.Add(Shell);
        }

        start.ArgumentList.Add("-c");
        // The shell exports PWD; a container's environment has only what the task set.
        start.ArgumentList.Add(environment.ContainsKey("PWD") ? Script : "unset PWD\n" + Script);
        start.ArgumentList.Add("pipelines-shim");
        start.ArgumentList.Add(workspace.Root);
        start.ArgumentList.Add(cgroup?.ProcsFile ?? string.Empty);
        start.ArgumentList.Add(program);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Clear();
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return start;
    }
}
