using System.Runtime.Versioning;
using System.Text;
using Pipelines.Rendering;

namespace Pipelines.Execution;

/// <summary>
/// The per-attempt directory <c>&lt;projectRoot&gt;/.pipelines/work/&lt;attempt resource name&gt;/</c> (mode 0700):
/// the output file, the scratch working directory, temp volumes and secret files. Its path follows from
/// the attempt's identity, so a restarted host finds and deletes what a crashed one left.
/// </summary>
[UnsupportedOSPlatform("windows")]
internal sealed class AttemptWorkspace : IDisposable
{
    /// <summary>The most output read back; the executor rejects anything over 4096 bytes, this only bounds memory.</summary>
    private const int MaxOutputBytes = 1 << 20;

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private AttemptWorkspace(string root) => Root = root;

    /// <summary>The attempt's directory.</summary>
    public string Root { get; }

    /// <summary>The file whose path is <c>$PIPELINES_OUTPUT</c>.</summary>
    public string OutputFile => Path.Combine(Root, "output.json");

    /// <summary>The working directory when the task names none.</summary>
    public string Scratch => Path.Combine(Root, "scratch");

    /// <summary>The attempt's directory under <paramref name="projectRoot"/>.</summary>
    public static string PathFor(string projectRoot, RenderedTask attempt) =>
        Path.Combine(projectRoot, ".pipelines", "work", AttemptNames.ResourceName(attempt.DagId, attempt.Run.RunId, attempt.Task.Id, attempt.TryNumber));

    /// <summary>Creates the directory afresh (removing what an earlier host left), the empty output file and the scratch directory.</summary>
    public static AttemptWorkspace Create(string projectRoot, RenderedTask attempt)
    {
        var workspace = new AttemptWorkspace(PathFor(projectRoot, attempt));
        DeleteDirectory(workspace.Root);
        Directory.CreateDirectory(Path.GetDirectoryName(workspace.Root)!);
        Directory.CreateDirectory(workspace.Root, OwnerOnly);
        Directory.CreateDirectory(workspace.Scratch, OwnerOnly);
        File.WriteAllBytes(workspace.OutputFile, []);
        return workspace;
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

    /// <summary>The output file's text when it exists and is not empty, else null.</summary>
    public string? ReadOutput()
    {
        try
        {
            using var stream = new FileStream(OutputFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var buffer = new byte[(int)Math.Min(stream.Length, MaxOutputBytes)];
            var length = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            return length == 0 ? null : Encoding.UTF8.GetString(buffer, 0, length);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Deletes the attempt's directory with everything in it.</summary>
    public void Dispose() => DeleteDirectory(Root);

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
}
