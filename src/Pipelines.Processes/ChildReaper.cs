using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace Pipelines.Processes;

/// <summary>
/// Reaps the children <see cref="ChildProcess"/> starts, and only those, the moment they exit: a thread of
/// its own waits in <c>poll</c> on a pidfd per child (Linux 5.3 and later), which becomes readable when the
/// child exits — no signal involved, and no thread hop between the exit and the code waiting for it.
/// Where pidfds are missing, SIGCHLD reaps instead (a few hundred microseconds later per exit).
/// </summary>
[SupportedOSPlatform("linux")]
internal static class ChildReaper
{
    private const int NoHang = 1; // WNOHANG
    private const int Interrupted = 4; // EINTR
    private const short Readable = 0x1; // POLLIN
    private const int CloseOnExec = 0x80000; // O_CLOEXEC

    private static readonly Lock Gate = new();
    private static readonly Dictionary<int, Child> ByPidfd = [];
    private static readonly Dictionary<int, TaskCompletionSource<int>> BySignal = [];
    private static readonly Lazy<int> WakeWriter = new(StartThread);
    private static readonly Lazy<PosixSignalRegistration> OnSigChld = new(() => PosixSignalRegistration.Create(PosixSignal.SIGCHLD, _ => ReapSignalled()));
    private static int _wakeReader = -1;

    /// <summary>
    /// Runs <paramref name="spawn"/> (which returns the new child's pid) and completes <paramref name="exited"/>
    /// with the child's exit status once it exits: its exit code, 128 + n for signal n, -1 when unknown.
    /// </summary>
    public static int Spawn(TaskCompletionSource<int> exited, Func<int> spawn)
    {
        var wake = WakeWriter.Value;
        int pid;
        lock (Gate)
        {
            pid = spawn();
            var pidfd = wake < 0 ? -1 : Native.pidfd_open(pid, 0);
            if (pidfd >= 0)
            {
                ByPidfd[pidfd] = new Child(pid, exited);
            }
            else
            {
                _ = OnSigChld.Value;
                BySignal[pid] = exited;
            }
        }

        if (wake >= 0)
        {
            Native.write(wake, [1], 1); // the poller takes the new pidfd in
        }

        ReapSignalled(); // an exit before the registration raised a SIGCHLD nobody could match
        return pid;
    }

    // The wake pipe's write end, or -1 when pidfds are not available.
    private static int StartThread()
    {
        var probe = Native.pidfd_open(Environment.ProcessId, 0);
        if (probe < 0)
        {
            return -1;
        }

        Native.close(probe);
        var ends = new int[2];
        if (Native.pipe2(ends, CloseOnExec) != 0)
        {
            return -1;
        }

        _wakeReader = ends[0];
        new Thread(Poll) { IsBackground = true, Name = "Pipelines child reaper" }.Start();
        return ends[1];
    }

    private static void Poll()
    {
        var drain = new byte[256];
        var ended = new List<(TaskCompletionSource<int>, int)>();
        while (true)
        {
            PollFd[] fds;
            lock (Gate)
            {
                fds = new PollFd[ByPidfd.Count + 1];
                fds[0] = new PollFd { Fd = _wakeReader, Events = Readable };
                var i = 1;
                foreach (var pidfd in ByPidfd.Keys)
                {
                    fds[i++] = new PollFd { Fd = pidfd, Events = Readable };
                }
            }

            if (Native.poll(fds, (ulong)fds.Length, -1) < 0)
            {
                continue; // EINTR
            }

            if (fds[0].Revents != 0)
            {
                Native.read(_wakeReader, drain, drain.Length);
            }

            lock (Gate)
            {
                for (var i = 1; i < fds.Length; i++)
                {
                    if (fds[i].Revents != 0 && ByPidfd.Remove(fds[i].Fd, out var child))
                    {
                        ended.Add((child.Exited, Reap(child.Pid, block: true)));
                        Native.close(fds[i].Fd);
                    }
                }
            }

            Complete(ended);
        }
    }

    private static void ReapSignalled()
    {
        var ended = new List<(TaskCompletionSource<int>, int)>();
        lock (Gate)
        {
            foreach (var (pid, exited) in BySignal.ToList())
            {
                var status = Reap(pid, block: false);
                if (status != int.MinValue)
                {
                    BySignal.Remove(pid);
                    ended.Add((exited, status));
                }
            }
        }

        Complete(ended);
    }

    // Outside the lock: the continuations run here.
    private static void Complete(List<(TaskCompletionSource<int> Exited, int Status)> ended)
    {
        foreach (var (exited, status) in ended)
        {
            exited.TrySetResult(status);
        }

        ended.Clear();
    }

    // The exit status, -1 when someone else reaped it, int.MinValue while it runs (without blocking).
    private static int Reap(int pid, bool block)
    {
        int result;
        int status;
        while ((result = Native.waitpid(pid, out status, block ? 0 : NoHang)) < 0 && Marshal.GetLastPInvokeError() == Interrupted)
        {
        }

        if (result == 0)
        {
            return int.MinValue;
        }

        if (result < 0)
        {
            return -1;
        }

        var signal = status & 0x7F;
        return signal == 0 ? (status >> 8) & 0xFF : 128 + signal;
    }

    private readonly record struct Child(int Pid, TaskCompletionSource<int> Exited);

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    private static class Native
    {
        [DllImport("libc", EntryPoint = "pidfd_open", SetLastError = true)]
        public static extern int pidfd_open(int pid, uint flags);

        [DllImport("libc", EntryPoint = "poll", SetLastError = true)]
        public static extern int poll([In, Out] PollFd[] fds, ulong count, int timeout);

        [DllImport("libc", EntryPoint = "pipe2", SetLastError = true)]
        public static extern int pipe2(int[] fds, int flags);

        [DllImport("libc", EntryPoint = "read", SetLastError = true)]
        public static extern nint read(int fd, byte[] buffer, nint count);

        [DllImport("libc", EntryPoint = "write", SetLastError = true)]
        public static extern nint write(int fd, byte[] buffer, nint count);

        [DllImport("libc", EntryPoint = "close")]
        public static extern int close(int fd);

        [DllImport("libc", EntryPoint = "waitpid", SetLastError = true)]
        public static extern int waitpid(int pid, out int status, int options);
    }
}
