using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace Pipelines.Processes;

/// <summary>
/// A child process started with <c>posix_spawn</c> — what <see cref="System.Diagnostics.Process"/> cannot do:
/// in a session of its own (<c>POSIX_SPAWN_SETSID</c>, no <c>setsid</c> program to run first), with every
/// signal back to its default disposition (a host started as a background job ignores SIGINT, and a child
/// would inherit that), an empty signal mask, stdin from <c>/dev/null</c> and stdout and stderr appended to a
/// file. Its exit is reaped by <see cref="ChildReaper"/> (.NET reaps only the children it started itself).
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class ChildProcess
{
    private const short SetSignalDefaults = 0x04; // POSIX_SPAWN_SETSIGDEF
    private const short SetSignalMask = 0x08; // POSIX_SPAWN_SETSIGMASK
    private const short SetSession = 0x80; // POSIX_SPAWN_SETSID (glibc)
    private const int ReadOnly = 0;
    private const int AppendCreate = 0x1 | 0x40 | 0x400; // O_WRONLY | O_CREAT | O_APPEND
    private const int OwnerReadWrite = 0x180; // 0600
    private const int SigKill = 9;
    private const int SigStop = 19;

    // Opaque glibc structures: posix_spawnattr_t is 336 bytes, posix_spawn_file_actions_t 80, sigset_t 128 on 64-bit Linux.
    private const int OpaqueSize = 1024;

    private static readonly bool CanChangeDirectory =
        NativeLibrary.TryLoad("libc.so.6", out var libc) && NativeLibrary.TryGetExport(libc, "posix_spawn_file_actions_addchdir_np", out _);

    private ChildProcess(int pid, Task<int> exited)
    {
        Pid = pid;
        Exited = exited;
    }

    /// <summary>The process id.</summary>
    public int Pid { get; }

    /// <summary>
    /// Completes with the exit status when the process has exited: its exit code, or 128 + n when signal n
    /// ended it; -1 when another part of the program reaped it first, so its status is unknown.
    /// </summary>
    public Task<int> Exited { get; }

    /// <summary>True when the C library can set a spawned process's working directory (glibc 2.29 and later).</summary>
    public static bool SetsWorkingDirectory => CanChangeDirectory;

    /// <summary>Starts <paramref name="program"/> with exactly <paramref name="arguments"/> (argv, with argv[0]) and <paramref name="environment"/>.</summary>
    /// <param name="program">The full path of the program.</param>
    /// <param name="arguments">Its argv, argv[0] included.</param>
    /// <param name="environment">Its whole environment.</param>
    /// <param name="workingDirectory">Its working directory (set only when <see cref="SetsWorkingDirectory"/>).</param>
    /// <param name="output">The file its stdout and stderr are appended to (created 0600 when missing).</param>
    /// <exception cref="Win32Exception">The program could not be started.</exception>
    public static ChildProcess Start(string program, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment, string workingDirectory, string output)
    {
        var attributes = Marshal.AllocHGlobal(OpaqueSize);
        var actions = Marshal.AllocHGlobal(OpaqueSize);
        var signals = Marshal.AllocHGlobal(OpaqueSize);
        var argv = Strings(arguments);
        var envp = Strings(environment.Select(e => $"{e.Key}={e.Value}").ToList());
        try
        {
            Check(NativeSpawn.posix_spawnattr_init(attributes));
            Check(NativeSpawn.posix_spawn_file_actions_init(actions));
            Check(NativeSpawn.posix_spawnattr_setflags(attributes, SetSession | SetSignalDefaults | SetSignalMask));
            Check(NativeSpawn.sigfillset(signals));
            NativeSpawn.sigdelset(signals, SigKill);
            NativeSpawn.sigdelset(signals, SigStop);
            Check(NativeSpawn.posix_spawnattr_setsigdefault(attributes, signals));
            Check(NativeSpawn.sigemptyset(signals));
            Check(NativeSpawn.posix_spawnattr_setsigmask(attributes, signals));
            Check(NativeSpawn.posix_spawn_file_actions_addopen(actions, 0, "/dev/null", ReadOnly, 0));
            Check(NativeSpawn.posix_spawn_file_actions_addopen(actions, 1, output, AppendCreate, OwnerReadWrite));
            Check(NativeSpawn.posix_spawn_file_actions_adddup2(actions, 1, 2));
            if (CanChangeDirectory)
            {
                Check(NativeSpawn.posix_spawn_file_actions_addchdir_np(actions, workingDirectory));
            }

            // The reaper must know the pid before it can be reaped: the spawn and the registration happen
            // under its lock. Continuations run on the reaping thread: one thread hop less between a task's
            // end and the start of the next.
            var exited = new TaskCompletionSource<int>();
            var pid = ChildReaper.Spawn(exited, () =>
            {
                var error = NativeSpawn.posix_spawn(out var child, program, actions, attributes, argv, envp);
                return error == 0 ? child : throw new Win32Exception(error);
            });
            return new ChildProcess(pid, exited.Task);
        }
        finally
        {
            NativeSpawn.posix_spawn_file_actions_destroy(actions);
            NativeSpawn.posix_spawnattr_destroy(attributes);
            Marshal.FreeHGlobal(actions);
            Marshal.FreeHGlobal(attributes);
            Marshal.FreeHGlobal(signals);
            Free(argv);
            Free(envp);
        }
    }

    private static void Check(int result)
    {
        if (result != 0)
        {
            throw new Win32Exception(result);
        }
    }

    private static IntPtr[] Strings(IReadOnlyList<string> values)
    {
        var pointers = new IntPtr[values.Count + 1];
        for (var i = 0; i < values.Count; i++)
        {
            pointers[i] = Marshal.StringToCoTaskMemUTF8(values[i]);
        }

        return pointers;
    }

    private static void Free(IntPtr[] pointers)
    {
        foreach (var pointer in pointers)
        {
            if (pointer != IntPtr.Zero)
            {
                Marshal.FreeCoTaskMem(pointer);
            }
        }
    }

    // DllImport, not LibraryImport: the generated stubs need unsafe code; these arguments need no marshalling
    // but the UTF-8 paths.
    [SuppressMessage("Style", "IDE1006:Naming Styles", Justification = "The C library's names.")]
    private static class NativeSpawn
    {
        [DllImport("libc", SetLastError = true)]
        public static extern int posix_spawn(out int pid, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, IntPtr fileActions, IntPtr attributes, IntPtr[] argv, IntPtr[] envp);

        [DllImport("libc")]
        public static extern int posix_spawnattr_init(IntPtr attributes);

        [DllImport("libc")]
        public static extern int posix_spawnattr_destroy(IntPtr attributes);

        [DllImport("libc")]
        public static extern int posix_spawnattr_setflags(IntPtr attributes, short flags);

        [DllImport("libc")]
        public static extern int posix_spawnattr_setsigdefault(IntPtr attributes, IntPtr signals);

        [DllImport("libc")]
        public static extern int posix_spawnattr_setsigmask(IntPtr attributes, IntPtr signals);

        [DllImport("libc")]
        public static extern int posix_spawn_file_actions_init(IntPtr actions);

        [DllImport("libc")]
        public static extern int posix_spawn_file_actions_destroy(IntPtr actions);

        [DllImport("libc")]
        public static extern int posix_spawn_file_actions_addopen(IntPtr actions, int fd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, int mode);

        [DllImport("libc")]
        public static extern int posix_spawn_file_actions_adddup2(IntPtr actions, int fd, int newFd);

        [DllImport("libc")]
        public static extern int posix_spawn_file_actions_addchdir_np(IntPtr actions, [MarshalAs(UnmanagedType.LPUTF8Str)] string path);

        [DllImport("libc")]
        public static extern int sigfillset(IntPtr set);

        [DllImport("libc")]
        public static extern int sigemptyset(IntPtr set);

        [DllImport("libc")]
        public static extern int sigdelset(IntPtr set, int signal);

    }
}
