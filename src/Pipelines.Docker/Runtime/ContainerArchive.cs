using System.Formats.Tar;
using System.Text;
using Docker.DotNet;
using Docker.DotNet.Models;
using Pipelines.Attempts;

namespace Pipelines.Docker.Runtime;

/// <summary>
/// Files an attempt's container reads and writes, moved through the engine's archive API — never a bind mount of a host
/// folder, so a remote engine, a task's own user and a read-only root file system all work: the output file is made
/// before start, writable by the task's user, and read after its end; secret files are written before start.
/// </summary>
internal static class ContainerArchive
{
    /// <summary>
    /// Makes the empty output file, writable by any user (0666), in its folder, writable by any user as a pod's emptyDir is
    /// (1777), in a created container. Both are owned by root: the engine's copyUIDGID would look the task's user up in the
    /// image's passwd file, which a numeric user:group need not be in (Docker 20.10 fails then).
    /// </summary>
    public static async Task PrepareOutputAsync(IDockerClient client, string containerId, CancellationToken cancellationToken)
    {
        using var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "./")
            {
                Mode = (UnixFileMode)0b111_111_111 | UnixFileMode.StickyBit,
            });
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, Path.GetFileName(AttemptContract.OutputPath))
            {
                Mode = (UnixFileMode)0b110_110_110,
                DataStream = new MemoryStream(),
            });
        }

        tar.Position = 0;
        await client.Containers.ExtractArchiveToContainerAsync(
            containerId,
            new CopyToContainerParameters { Path = AttemptContract.OutputDirectory, CopyUIDGID = false },
            tar,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes secret files (mode 0644, owned by root, as a pod's secret volume) into their volumes of a created container.</summary>
    public static async Task WriteSecretFilesAsync(IDockerClient client, string containerId, IEnumerable<(string MountPath, string Path, string Value)> files, CancellationToken cancellationToken)
    {
        foreach (var group in files.GroupBy(f => f.MountPath, StringComparer.Ordinal))
        {
            using var tar = new MemoryStream();
            using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
            {
                var folders = new HashSet<string>(StringComparer.Ordinal);
                foreach (var (_, path, value) in group)
                {
                    var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
                    for (var i = 1; i < parts.Length; i++)
                    {
                        var folder = string.Join('/', parts[..i]) + "/";
                        if (folders.Add(folder))
                        {
                            writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, folder) { Mode = (UnixFileMode)0b111_101_101 });
                        }
                    }

                    writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, string.Join('/', parts))
                    {
                        Mode = (UnixFileMode)0b110_100_100,
                        DataStream = new MemoryStream(Encoding.UTF8.GetBytes(value)),
                    });
                }
            }

            tar.Position = 0;
            await client.Containers.ExtractArchiveToContainerAsync(
                containerId,
                new CopyToContainerParameters { Path = group.Key, CopyUIDGID = false },
                tar,
                cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The output the task wrote: its text (null when it wrote nothing or no file is there), or why it cannot be taken —
    /// not a regular file, or over <see cref="AttemptContract.MaxOutputBytes"/>.
    /// </summary>
    public static async Task<(string? Text, string? Problem)> ReadOutputAsync(IDockerClient client, string containerId, CancellationToken cancellationToken)
    {
        ContainerArchiveResponse response;
        try
        {
            // Most tasks write no output: a stat (a header) says so without fetching an archive.
            var stat = await client.Containers.GetArchiveFromContainerAsync(
                containerId,
                new ContainerPathStatParameters { Path = AttemptContract.OutputPath },
                statOnly: true,
                cancellationToken).ConfigureAwait(false);
            stat.Stream?.Dispose();
            if (stat.Stat is { Size: 0 } empty && string.IsNullOrEmpty(empty.LinkTarget))
            {
                return (null, null);
            }

            response = await client.Containers.GetArchiveFromContainerAsync(
                containerId,
                new ContainerPathStatParameters { Path = AttemptContract.OutputPath },
                statOnly: false,
                cancellationToken).ConfigureAwait(false);
        }
        catch (DockerApiException ex) when (ex.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return (null, null); // the task removed the file: it wrote nothing
        }

        using var stream = response.Stream;
        if (stream is null)
        {
            return (null, null);
        }

        using var reader = new TarReader(stream);
        var entry = await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false);
        if (entry is null)
        {
            return (null, null);
        }

        if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile))
        {
            return (null, $"$PIPELINES_OUTPUT was replaced: it is a {Describe(entry.EntryType)}, not a regular file; write the output as a file");
        }

        if (entry.Length > AttemptContract.MaxOutputBytes)
        {
            return (null, AttemptContract.OutputTooLarge(entry.Length));
        }

        if (entry.Length == 0 || entry.DataStream is null)
        {
            return (null, null);
        }

        var bytes = new byte[entry.Length];
        await entry.DataStream.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
        return (Encoding.UTF8.GetString(bytes), null);
    }

    private static string Describe(TarEntryType type) => type switch
    {
        TarEntryType.SymbolicLink => "symbolic link",
        TarEntryType.Directory => "directory",
        TarEntryType.Fifo => "FIFO",
        TarEntryType.CharacterDevice or TarEntryType.BlockDevice => "device",
        _ => type.ToString(),
    };
}
