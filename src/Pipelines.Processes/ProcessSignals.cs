using System.Runtime.InteropServices;

namespace Pipelines.Processes;

/// <summary>POSIX signals through libc's <c>kill</c>; .NET has no SIGTERM and no process-group signal.</summary>
internal static class ProcessSignals
{
    /// <summary>SIGKILL on Linux.</summary>
    public const int Kill = 9;

    /// <summary>SIGTERM on Linux.</summary>
    public const int Terminate = 15;

    /// <summary>Sends <paramref name="signal"/> to a process (<paramref name="pid"/> &gt; 0) or a process group (&lt; 0).</summary>
    /// <returns>False when no such process or group exists (or it is not ours).</returns>
    public static bool Send(int pid, int signal) => pid != 0 && pid != -1 && NativeKill(pid, signal) == 0;

    // DllImport, not LibraryImport: the generated stub needs unsafe code, and int arguments need no marshalling.
    [DllImport("libc", EntryPoint = "kill")]
    private static extern int NativeKill(int pid, int sig);
}
