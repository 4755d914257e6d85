using System.Globalization;
using System.Runtime.Versioning;
using System.Text;
using Microsoft.Win32.SafeHandles;
using Pipelines.Attempts;
using Pipelines.Execution.Runtimes;

namespace Pipelines.Processes;

/// <summary>
/// The per-attempt directory <c>&lt;work directory&gt;/&lt;store id&gt;/&lt;attempt resource name&gt;/</c> (mode 0700),
/// where the work directory is in memory when the machine has <c>/dev/shm</c> (see <see cref="DefaultBase"/>).
/// It holds what the attempt leaves for whoever reads it — this host, or the next one if this one dies — as a
/// container runtime's shim keeps a container's end:
/// <list type="bullet">
/// <item><c>output.json</c>: <c>$PIPELINES_OUTPUT</c>;</item>
/// <item><c>log</c>: the task's stdout and stderr, appended by the shim (so a task outlives its host's death without SIGPIPE);</item>
/// <item><c>exit</c>: written by the shim when the task has exited;</item>
/// <item><c>attempt</c>: which attempt it is (<c>dag/run/task/try</c>), so a host finds a run's attempts in one listing;</item>
/// <item><c>scratch/</c>, <c>volumes/</c>: the working directory when the task names none, temp and secret volumes.</item>
/// </list>
/// Its path follows from the store and the attempt's identity, so a restarted host finds it, and two stores never share one.
/// </summary>
[UnsupportedOSPlatform("windows")]
internal sealed class AttemptWorkspace : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private AttemptWorkspace(string root) => Root = root;

    /// <summary>The attempt's directory.</summary>
    public string Root { get; }

    /// <summary>The file whose path is <c>$PIPELINES_OUTPUT</c>.</summary>
    public string OutputFile => Path.Combine(Root, "output.json");

    /// <summary>The task's stdout and stderr.</summary>
    public string LogFile => Path.Combine(Root, "log");

    /// <summary>The working directory when the task names none.</summary>
    public string Scratch => Path.Combine(Root, "scratch");

    private string ExitFile => Path.Combine(Root, "exit");

    private string AttemptFile => Path.Combine(Root, "attempt");

    /// <summary>The attempt's directory under <paramref name="workRoot"/> (the runtime's work directory for one store).</summary>
    public static string PathFor(string workRoot, string resourceName) => Path.Combine(workRoot, resourceName);

    /// <summary>
    /// Where attempt directories go unless the runtime is told: <c>$PIPELINES_WORK_DIR</c> when set; else, when
    /// this machine has <c>/dev/shm</c>, <c>/dev/shm/pipelines-&lt;uid&gt;</c> — memory, as a container's tmpfs, so an
    /// attempt's files cost no disk writes, and a secret file never reaches a disk; else
    /// <c>&lt;projectRoot&gt;/.pipelines/work</c>. A <c>/dev/shm</c> folder that is not a directory of this user's,
    /// closed to others, is not used.
    /// </summary>
    public static string DefaultBase(string projectRoot, Func<string, string?> environmentVariable)
    {
        if (environmentVariable("PIPELINES_WORK_DIR") is { Length: > 0 } configured)
        {
            return Path.GetFullPath(configured, projectRoot);
        }

        var fallback = Path.Combine(projectRoot, ".pipelines", "work");
        if (!OperatingSystem.IsLinux() || !Directory.Exists("/dev/shm"))
        {
            return fallback;
        }

        var shared = $"/dev/shm/pipelines-{UserId.Current.ToString(CultureInfo.InvariantCulture)}";
        try
        {
            Directory.CreateDirectory(shared, OwnerOnly);
            return UserId.OwnsPrivateDirectory(shared) ? shared : fallback;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return fallback;
        }
    }

    /// <summary>
    /// Creates the directory afresh (removing what an earlier host left), the empty output file, the scratch directory and the
    /// record of which attempt it is; the log file is made by the spawn.
    /// </summary>
    public static AttemptWorkspace Create(string workRoot, string resourceName, Pipelines.Execution.Runtimes.AttemptKey attempt)
    {
        var workspace = new AttemptWorkspace(PathFor(workRoot, resourceName));
        DeleteDirectory(workspace.Root);
        Directory.CreateDirectory(Path.GetDirectoryName(workspace.Root)!);
        Directory.CreateDirectory(workspace.Root, OwnerOnly);
        Directory.CreateDirectory(workspace.Scratch, OwnerOnly);
        File.WriteAllBytes(workspace.OutputFile, []);
        File.WriteAllText(workspace.AttemptFile, attempt.ToString());
        return workspace;
    }

    /// <summary>Every attempt directory under <paramref name="workRoot"/>.</summary>
    public static IEnumerable<AttemptWorkspace> All(string workRoot)
    {
        IEnumerable<string> folders;
        try
        {
            folders = Directory.EnumerateDirectories(workRoot).ToList();
        }
        catch (DirectoryNotFoundException)
        {
            return [];
        }

        return folders.Select(f => new AttemptWorkspace(f));
    }

    /// <summary>Which attempt this directory is for, or null when it does not say (made by an older version, or damaged).</summary>
    [SupportedOSPlatform("linux")]
    public Pipelines.Execution.Runtimes.AttemptKey? ReadAttempt()
    {
        var (bytes, _, _) = RegularFile.Read(AttemptFile, 4 * 1024);
        var parts = bytes is null ? [] : Encoding.UTF8.GetString(bytes).Split('/');
        return parts.Length == 4 && int.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var tryNumber)
            ? new(parts[0], parts[1], parts[2], tryNumber)
            : null;
    }

    /// <summary>The workspace an earlier host left, or null.</summary>
    public static AttemptWorkspace? Find(string workRoot, string resourceName)
    {
        var root = PathFor(workRoot, resourceName);
        return Directory.Exists(root) ? new AttemptWorkspace(root) : null;
    }

    /// <summary>A new owner-only directory for mount <paramref name="index"/> of kind <paramref name="kind"/> (<c>temp</c>, <c>secret</c>).</summary>
    public string VolumeDirectory(string kind, int index)
    {
        var path = Path.Combine(Root, "volumes", $"{kind}-{index}");
        Directory.CreateDirectory(path, OwnerOnly);
        return path;
    }

    /// <summary>Writes a secret file readable by its owner only (0600), creating parent directories.</summary>
    public static void WriteSecretFile(string path, string value)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!, OwnerOnly);
        var options = new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        };
        using var stream = new FileStream(path, options);
        stream.Write(Encoding.UTF8.GetBytes(value));
    }

    /// <summary>
    /// The output the task wrote: its text (null when it wrote nothing), or why it cannot be taken — not a
    /// regular file (a FIFO the task made would otherwise block the host), or over <see cref="AttemptContract.MaxOutputBytes"/>.
    /// </summary>
    [SupportedOSPlatform("linux")]
    public (string? Text, string? Problem) ReadOutput()
    {
        var (bytes, size, problem) = RegularFile.Read(OutputFile, AttemptContract.MaxOutputBytes);
        if (problem is not null)
        {
            return (null, $"$PIPELINES_OUTPUT was replaced: {problem}; write the output as a file");
        }

        if (size > AttemptContract.MaxOutputBytes)
        {
            return (null, AttemptContract.OutputTooLarge(size));
        }

        return (bytes is null || bytes.Length == 0 ? null : Encoding.UTF8.GetString(bytes), null);
    }

    /// <summary>Opens the log to follow it (and free what was read), without blocking; null when it is not a regular file.</summary>
    [SupportedOSPlatform("linux")]
    public SafeFileHandle? OpenLog() => RegularFile.OpenForUpdate(LogFile, out _, out _);

    /// <summary>The exit status the shim recorded, or null while the task runs (or when the shim died first).</summary>
    [SupportedOSPlatform("linux")]
    public int? ReadExit() => ReadNumber(ExitFile) is { } code and >= 0 and <= 255 ? (int)code : null;

    /// <summary>Deletes the attempt's directory with everything in it.</summary>
    public void Dispose()
    {
        // The files the runtime and the shim make, one by one, then the folders: cheaper than a tree walk, and
        // what a task left in its scratch folder or volumes is removed by the walk that follows when needed.
        foreach (var file in new[] { OutputFile, LogFile, ExitFile, AttemptFile })
        {
            try
            {
                File.Delete(file);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
            }
        }

        try
        {
            Directory.Delete(Scratch);
            Directory.Delete(Root);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            DeleteDirectory(Root);
        }
    }

    /// <summary>
    /// Removes the empty store folders in the work directory <paramref name="workBase"/> but
    /// <paramref name="ownStoreId"/>'s: stores whose attempts were all recorded and forgotten. A folder that
    /// is not empty is left (removing an empty one races nothing: an attempt's folder is made with its parents).
    /// </summary>
    public static void RemoveEmptyStoreFolders(string workBase, string ownStoreId)
    {
        try
        {
            foreach (var folder in Directory.EnumerateDirectories(workBase))
            {
                if (Path.GetFileName(folder) != ownStoreId && !Directory.EnumerateFileSystemEntries(folder).Any())
                {
                    try
                    {
                        Directory.Delete(folder);
                    }
                    catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                    {
                        // Not empty any more, or not ours to remove.
                    }
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Deletes a directory tree; a part that cannot be deleted is left (best effort: cleanup must not fail an attempt).</summary>
    public static void DeleteDirectory(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A task may leave files it made unremovable; the next attempt of the same id retries.
        }
    }

    // A small number a shim wrote; the task could have replaced the file, so it is read without blocking.
    [SupportedOSPlatform("linux")]
    private static long? ReadNumber(string path)
    {
        var (bytes, _, _) = RegularFile.Read(path, 64);
        return bytes is not null && long.TryParse(Encoding.ASCII.GetString(bytes).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : null;
    }
}
