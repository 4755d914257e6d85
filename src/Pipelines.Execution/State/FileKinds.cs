using System.Runtime.InteropServices;

namespace Pipelines.Execution.State;

/// <summary>
/// What a path is when it is not a regular file: SQLite opens <c>/dev/null</c> or a pipe as if it
/// were an empty database (and, as root, writes its journal beside it in <c>/dev</c>), and .NET
/// reports such files as ordinary ones, so the run store asks the kernel.
/// </summary>
internal static class FileKinds
{
    private const int AtCurrentDirectory = -100;
    private const uint StatxType = 0x1;
    private const int TypeMask = 0xF000;

    /// <summary>
    /// "a directory", "a character device", "a block device", "a pipe (FIFO)" or "a socket"; null for a
    /// regular file, a path that does not exist, or where the kernel cannot be asked (not Linux).
    /// </summary>
    public static string? DescribeUnlessRegular(string path)
    {
        if (Directory.Exists(path))
        {
            return "a directory";
        }

        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            if (Statx(AtCurrentDirectory, path, 0, StatxType, out var status) != 0)
            {
                return null; // missing, or not ours to look at: opening it reports that better
            }

            return (status.Mode & TypeMask) switch
            {
                0x2000 => "a character device",
                0x6000 => "a block device",
                0x1000 => "a pipe (FIFO)",
                0xC000 => "a socket",
                _ => null,
            };
        }
        catch (EntryPointNotFoundException)
        {
            return null; // a libc older than glibc 2.28
        }
    }

    // The statx(2) system call: unlike stat(2), its buffer has the same layout on every architecture.
    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int Statx(int directory, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, out StatxBuffer buffer);

    [StructLayout(LayoutKind.Sequential, Size = 256)]
    private struct StatxBuffer
    {
        public uint Mask;
        public uint BlockSize;
        public ulong Attributes;
        public uint Links;
        public uint User;
        public uint Group;
        public ushort Mode;
    }
}
