using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace Pipelines.Processes;

/// <summary>This process's user, and whether a directory is a private one of that user's.</summary>
[SupportedOSPlatform("linux")]
internal static class UserId
{
    private const int NoFollow = 0x100; // AT_SYMLINK_NOFOLLOW
    private const uint TypeModeAndOwner = 0x1 | 0x2 | 0x8; // STATX_TYPE | STATX_MODE | STATX_UID
    private const int AtCurrentDirectory = -100; // AT_FDCWD

    /// <summary>The real user id.</summary>
    public static uint Current { get; } = getuid();

    /// <summary>
    /// True when <paramref name="path"/> is a directory itself (not a symbolic link), owned by this user and
    /// closed to everyone else (mode 0700) — a folder in a shared place such as <c>/dev/shm</c> that nobody
    /// else could have prepared.
    /// </summary>
    public static bool OwnsPrivateDirectory(string path)
    {
        var stat = new byte[256];
        if (statx(AtCurrentDirectory, path, NoFollow, TypeModeAndOwner, stat) != 0)
        {
            return false;
        }

        // struct statx: stx_uid is the u32 at byte 20, stx_mode the u16 at byte 28.
        var owner = MemoryMarshal.Read<uint>(stat.AsSpan(20));
        var mode = MemoryMarshal.Read<ushort>(stat.AsSpan(28));
        return (mode & 0xF000) == 0x4000 && (mode & 0x3F) == 0 && owner == Current;
    }

    [DllImport("libc")]
    private static extern uint getuid();

    [DllImport("libc", SetLastError = true)]
    private static extern int statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte[] buffer);
}
