using System.Runtime.Versioning;

namespace Pipelines.Processes;

/// <summary>
/// What stands between the host and a task, as containerd's shim stands between containerd and a
/// container: a small <c>/bin/sh</c> script, spawned in a session of its own with stdin from
/// <c>/dev/null</c> and stdout and stderr appended to the workspace's log file (a file, not a pipe to the
/// host: a task keeps running when its host dies, instead of dying of SIGPIPE), that
/// <list type="number">
/// <item>joins the attempt's cgroup, when there is one, before the task exists;</item>
/// <item>runs the task as its child, outliving SIGTERM (a trap) so it sees how the task ends;</item>
/// <item>records the task's exit status in the workspace and exits with it.</item>
/// </list>
/// So a host that died while the task ran finds, when it restarts, the exit status, the output and the
/// log of an attempt that finished meanwhile — and reads them instead of running the attempt again.
/// It costs one <c>sh</c> per attempt and no more: no <c>setsid</c> program, no pipe, no reader thread.
/// </summary>
[SupportedOSPlatform("linux")]
internal static class AttemptShim
{
    /// <summary>
    /// The script; <c>$1</c> is the workspace, <c>$2</c> the cgroup's <c>cgroup.procs</c> (or empty), <c>$3</c>
    /// the working directory when the spawn could not set it (or empty), then the program and its arguments.
    /// </summary>
    public const string Script = """
        [ -z "$2" ] || echo $$ >"$2" || echo "pipelines: the attempt could not join its cgroup; a process that leaves its session may outlive it" >&2
        [ -z "$3" ] || cd "$3" || exit 126
        w=$1
        shift 3
        trap : HUP INT TERM
        "$@"
        c=$?
        echo $c >"$w/exit"
        exit $c
        """;

    /// <summary>The shim's name (its argv[0]), by which a host that lost its handle tells it from the task's processes.</summary>
    public const string Name = "pipelines-shim";

    private static readonly string Shell = File.Exists("/bin/sh") ? "/bin/sh" : "/usr/bin/sh";

    /// <summary>
    /// Starts the shim for <paramref name="program"/> and <paramref name="arguments"/> with exactly
    /// <paramref name="environment"/> (nothing of the host's own).
    /// </summary>
    /// <exception cref="System.ComponentModel.Win32Exception">The shell could not be started.</exception>
    public static ChildProcess Start(
        string program,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string> environment,
        string workingDirectory,
        AttemptWorkspace workspace,
        AttemptCgroup? cgroup)
    {
        // The shell exports PWD; a container's environment has only what the task set.
        var script = environment.ContainsKey("PWD") ? Script : "unset PWD\n" + Script;
        var argv = new List<string>
        {
            Name,
            "-c",
            script,
            Name,
            workspace.Root,
            cgroup?.ProcsFile ?? string.Empty,
            ChildProcess.SetsWorkingDirectory ? string.Empty : workingDirectory,
            program,
        };
        argv.AddRange(arguments);
        return ChildProcess.Start(Shell, argv, environment, workingDirectory, workspace.LogFile);
    }
}
