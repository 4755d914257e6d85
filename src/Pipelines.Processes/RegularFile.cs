using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Microsoft.Win32.SafeHandles;

namespace Pipelines.Processes;

/// <summary>
/// Opens files a task controls (its output, its log) without ever blocking: opened with
/// <c>O_NONBLOCK</c> (a FIFO then opens at once instead of waiting for a writer) and refused unless
/// the opened file is a regular one (checked on the descriptor, with <c>statx</c>, so a swap after a
/// check cannot fool it). .NET's own open would wait forever on a FIFO, and with it the host.
/// </summary>
[SupportedOSPlatform("linux")]
internal static class RegularFile
{
    private const int ReadOnly = 0;
    private const int ReadWrite = 2;
    private const int NonBlocking = 0x800; // O_NONBLOCK: 04000 on every Linux architecture .NET runs on
    private const int CloseOnExec = 0x80000; // O_CLOEXEC: 02000000
    private const int EmptyPath = 0x1000; // AT_EMPTY_PATH
    private const uint TypeAndSize = 0x1 | 0x200; // STATX_TYPE | STATX_SIZE
    private const int FileTypeMask = 0xF000; // S_IFMT
    private const int RegularType = 0x8000; // S_IFREG
    private const int PunchHoleKeepSize = 0x02 | 0x01; // FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE
    private const int SeekData = 3; // SEEK_DATA

    /// <summary>Opens <paramref name="path"/> for reading, or returns null with why not (missing, not a regular file).</summary>
    /// <param name="path">The file.</param>
    /// <param name="size">Its size in bytes when opened.</param>
    /// <param name="problem">Why it was not opened.</param>
    public static SafeFileHandle? OpenForReading(string path, out long size, out string? problem) => Open(path, ReadOnly, out size, out problem);

    /// <summary>Opens <paramref name="path"/> for reading and writing (to free what was read, see <see cref="FreeRange"/>), or returns null with why not.</summary>
    public static SafeFileHandle? OpenForUpdate(string path, out long size, out string? problem) => Open(path, ReadWrite, out size, out problem);

    /// <summary>
    /// Frees the storage of <c>[0, end)</c> without changing the file's size or what is after it (a hole reads as
    /// zeros): a log that was read costs neither memory on tmpfs nor disk while its writer goes on appending.
    /// Best effort: false when the file system cannot punch holes.
    /// </summary>
    public static bool FreeRange(SafeFileHandle file, long end) =>
        end > 0 && NativeFallocate(file.DangerousGetHandle().ToInt32(), PunchHoleKeepSize, 0, end) == 0;

    /// <summary>
    /// Where the file's data starts at or after <paramref name="offset"/>: past a hole that <see cref="FreeRange"/> punched.
    /// The offset itself when the file system cannot say (no <c>SEEK_DATA</c>) or there is no data after it.
    /// </summary>
    public static long DataStart(SafeFileHandle file, long offset)
    {
        var data = NativeSeek(file.DangerousGetHandle().ToInt32(), offset, SeekData);
        return data < 0 ? offset : data;
    }

    private static SafeFileHandle? Open(string path, int access, out long size, out string? problem)
    {
        size = 0;
        var fd = NativeOpen(path, access | NonBlocking | CloseOnExec);
        if (fd < 0)
        {
            problem = Marshal.GetLastPInvokeError() == 2 ? "it does not exist" : $"it cannot be opened ({Marshal.GetLastPInvokeErrorMessage()})";
            return null;
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        var stat = new byte[256];
        if (NativeStatx(fd, string.Empty, EmptyPath, TypeAndSize, stat) != 0)
        {
            problem = $"it cannot be inspected ({Marshal.GetLastPInvokeErrorMessage()})";
            handle.Dispose();
            return null;
        }

        // struct statx: stx_mode is the u16 at byte 28, stx_size the u64 at byte 40, on every architecture.
        var mode = MemoryMarshal.Read<ushort>(stat.AsSpan(28)) & FileTypeMask;

        if (mode != RegularType)
        {
            problem = $"it is {Describe(mode)}, not a regular file";
            handle.Dispose();
            return null;
        }

        size = MemoryMarshal.Read<long>(stat.AsSpan(40));
        problem = null;
        return handle;
    }

    /// <summary>
    /// Reads at most <paramref name="maxBytes"/> of a regular file. Null text when the file is missing or
    /// empty; a problem when it is not a regular file or is larger than <paramref name="maxBytes"/>.
    /// </summary>
    public static (byte[]? Bytes, long Size, string? Problem) Read(string path, int maxBytes)
    {
        using var handle = OpenForReading(path, out var size, out var problem);
        if (handle is null)
        {
            return (null, 0, problem == "it does not exist" ? null : problem);
        }

        if (size > maxBytes)
        {
            return (null, size, null);
        }

        var buffer = new byte[size];
        var read = 0;
        while (read < buffer.Length)
        {
            var n = RandomAccess.Read(handle, buffer.AsSpan(read), read);
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        return (read == buffer.Length ? buffer : buffer[..read], read, null);
    }

    private static string Describe(int mode) => mode switch
    {
        0x1000 => "a FIFO (named pipe)",
        0x2000 => "a character device",
        0x4000 => "a directory",
        0x6000 => "a block device",
        0xC000 => "a socket",
        _ => "not a regular file",
    };

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int NativeOpen([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fallocate", SetLastError = true)]
    private static extern int NativeFallocate(int fd, int mode, long offset, long length);

    [DllImport("libc", EntryPoint = "lseek", SetLastError = true)]
    private static extern long NativeSeek(int fd, long offset, int whence);

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int NativeStatx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte[] buffer);
}
