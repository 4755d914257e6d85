using System.Globalization;
using System.Text;

namespace Pipelines.Execution.State;

/// <summary>
/// A run lock held as an OS file lock: the file is opened with <see cref="FileShare.None"/>, which is
/// <c>flock(LOCK_EX)</c> on Linux and macOS and a share lock on Windows. The OS drops it when the
/// process dies, even by SIGKILL, so a dead holder never blocks a re-run.
/// </summary>
internal sealed class RunLockFile : IDisposable
{
    private readonly string _holderPath;
    private FileStream? _stream;

    private RunLockFile(FileStream stream, string holderPath)
    {
        _stream = stream;
        _holderPath = holderPath;
    }

    /// <summary>Takes the lock at <paramref name="lockPath"/>, or returns null with a description of its holder.</summary>
    public static RunLockFile? TryAcquire(string lockPath, out string? holder)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(lockPath)!);
        // .NET cannot read a file another process holds with flock (it takes a shared flock on every
        // open), so the holder text also goes to a side file that waiting processes can read.
        var holderPath = lockPath + ".holder";
        FileStream stream;
        try
        {
            // The lock file is never deleted: deleting a locked file lets a waiter lock the old inode
            // while a newcomer locks a new file of the same name, and both would "hold" the run.
            stream = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (IsHeldElsewhere(e))
        {
            holder = ReadHolder(holderPath) ?? $"another process (no holder recorded; the lock file is {lockPath})";
            return null;
        }

        try
        {
            var text = $"pid {Environment.ProcessId.ToString(CultureInfo.InvariantCulture)} on host {Environment.MachineName} " +
                $"since {DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)}";
            var bytes = Encoding.UTF8.GetBytes(text + "\n");
            stream.SetLength(0);
            stream.Write(bytes);
            stream.Flush();
            WriteAtomically(holderPath, bytes);
            holder = null;
            return new RunLockFile(stream, holderPath);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Releases the lock (once).</summary>
    public void Dispose()
    {
        var stream = Interlocked.Exchange(ref _stream, null);
        if (stream is null)
        {
            return;
        }

        // Removed while still held, so it can never remove the next holder's text.
        try
        {
            File.Delete(_holderPath);
        }
        catch (IOException)
        {
            // A stale holder text is only a message; the lock itself is what matters.
        }
        catch (UnauthorizedAccessException)
        {
        }

        stream.Dispose();
    }

    // EWOULDBLOCK on Linux (11) and macOS (35); sharing or lock violation on Windows.
    private static bool IsHeldElsewhere(IOException e) =>
        e.GetType() == typeof(IOException) && e.HResult is 11 or 35 or unchecked((int)0x80070020) or unchecked((int)0x80070021);

    private static string? ReadHolder(string holderPath)
    {
        try
        {
            var text = File.ReadAllText(holderPath).Trim();
            return text.Length == 0 ? null : text;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static void WriteAtomically(string path, byte[] bytes)
    {
        var temporary = $"{path}.{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}.tmp";
        File.WriteAllBytes(temporary, bytes);
        File.Move(temporary, path, overwrite: true);
    }
}
