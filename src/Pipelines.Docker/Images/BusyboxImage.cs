using System.Diagnostics;
using System.Formats.Tar;
using System.Text;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Pipelines.Docker.Images;

/// <summary>
/// An image made here, with no registry: a root file system holding a static busybox (Debian's <c>busybox-static</c>)
/// and a link per applet in <c>/bin</c>, <c>/tmp</c>, and users <c>root</c> and <c>nobody</c> — imported into the engine
/// under the name a DAG gives its image, as <c>docker import</c> does (<c>FROM scratch</c> without a builder). Enough
/// for the examples' shell and awk tasks, and for the tests.
/// </summary>
public static class BusyboxImage
{
    /// <summary>Where Debian's <c>busybox-static</c> puts the program.</summary>
    public const string DefaultBusybox = "/bin/busybox";

    /// <summary>Why <paramref name="busybox"/> cannot go into an image (missing, or linked dynamically); null when it can.</summary>
    public static string? Problem(string busybox)
    {
        if (!File.Exists(busybox))
        {
            return $"{busybox} does not exist; install Debian's busybox-static ('apt-get install busybox-static')";
        }

        return IsDynamic(busybox)
            ? $"{busybox} is linked dynamically and would not run in an image without its libraries; install Debian's busybox-static ('apt-get install busybox-static')"
            : null;
    }

    /// <summary>Imports the image as <paramref name="image"/> (<c>name:tag</c>) into the engine.</summary>
    /// <exception cref="InvalidOperationException">The busybox cannot be used, or the engine refused the import.</exception>
    public static async Task ImportAsync(IDockerClient client, string image, string busybox = DefaultBusybox, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (Problem(busybox) is { } problem)
        {
            throw new InvalidOperationException(problem);
        }

        var (repository, tag) = Split(image);
        using var rootfs = new MemoryStream();
        await WriteRootFileSystemAsync(rootfs, busybox, cancellationToken).ConfigureAwait(false);
        rootfs.Position = 0;
        string? error = null;
        await client.Images.CreateImageAsync(
            new ImagesCreateParameters
            {
                FromSrc = "-",
                Repo = repository,
                Tag = tag,
                Message = "pipelines: busybox from " + busybox,
                Changes = ["ENV PATH=/bin", "CMD [\"/bin/sh\"]"],
            },
            rootfs,
            authConfig: null,
            new SyncProgress<JSONMessage>(m => error ??= m.Error?.Message),
            cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            throw new InvalidOperationException($"the engine refused to import image '{image}': {error}");
        }
    }

    /// <summary>The repository and tag of an image reference; <c>latest</c> when it names none.</summary>
    /// <exception cref="ArgumentException">It names a digest, which an import cannot make.</exception>
    public static (string Repository, string Tag) Split(string image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Contains('@', StringComparison.Ordinal))
        {
            throw new ArgumentException($"image '{image}' is named by its digest; a built image can only be tagged", nameof(image));
        }

        var slash = image.LastIndexOf('/');
        var colon = image.LastIndexOf(':');
        return colon > slash ? (image[..colon], image[(colon + 1)..]) : (image, "latest");
    }

    // bin/busybox, a link per applet, tmp (1777), etc/passwd and etc/group.
    private static async Task WriteRootFileSystemAsync(Stream destination, string busybox, CancellationToken cancellationToken)
    {
        var applets = await AppletsAsync(busybox, cancellationToken).ConfigureAwait(false);
        await using var writer = new TarWriter(destination, TarEntryFormat.Pax, leaveOpen: true);
        foreach (var folder in new[] { "bin/", "etc/", "tmp/", "root/", "home/" })
        {
            var mode = folder == "tmp/" ? (UnixFileMode)0b111_111_111 | UnixFileMode.StickyBit : (UnixFileMode)0b111_101_101;
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, folder) { Mode = mode }, cancellationToken).ConfigureAwait(false);
        }

        await using (var program = File.OpenRead(busybox))
        {
            await writer.WriteEntryAsync(
                new PaxTarEntry(TarEntryType.RegularFile, "bin/busybox") { Mode = (UnixFileMode)0b111_101_101, DataStream = program },
                cancellationToken).ConfigureAwait(false);
        }

        foreach (var applet in applets.Where(a => a != "busybox"))
        {
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.SymbolicLink, "bin/" + applet) { LinkName = "busybox" }, cancellationToken).ConfigureAwait(false);
        }

        await WriteTextAsync(writer, "etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n", cancellationToken).ConfigureAwait(false);
        await WriteTextAsync(writer, "etc/group", "root:x:0:\nnogroup:x:65534:\n", cancellationToken).ConfigureAwait(false);
    }

    private static async Task WriteTextAsync(TarWriter writer, string path, string text, CancellationToken cancellationToken) =>
        await writer.WriteEntryAsync(
            new PaxTarEntry(TarEntryType.RegularFile, path) { Mode = (UnixFileMode)0b110_100_100, DataStream = new MemoryStream(Encoding.UTF8.GetBytes(text)) },
            cancellationToken).ConfigureAwait(false);

    // The applets this busybox has: `busybox --list`.
    private static async Task<IReadOnlyList<string>> AppletsAsync(string busybox, CancellationToken cancellationToken)
    {
        using var process = Process.Start(new ProcessStartInfo(busybox, "--list") { RedirectStandardOutput = true, UseShellExecute = false })
            ?? throw new InvalidOperationException($"{busybox} could not be started");
        var text = await process.StandardOutput.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        var applets = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return process.ExitCode == 0 && applets.Length > 0
            ? applets
            : throw new InvalidOperationException($"'{busybox} --list' listed no applets (exit code {process.ExitCode})");
    }

    // An ELF file with a PT_INTERP program header needs a dynamic loader.
    private static bool IsDynamic(string path)
    {
        using var file = File.OpenRead(path);
        Span<byte> header = stackalloc byte[64];
        if (file.Read(header) < 64 || header[0] != 0x7F || header[1] != (byte)'E' || header[4] != 2 || header[5] != 1)
        {
            return false; // not a 64-bit little-endian ELF: let the engine say what it thinks
        }

        var phoff = (long)BitConverter.ToUInt64(header[0x20..]);
        var phentsize = BitConverter.ToUInt16(header[0x36..]);
        var phnum = BitConverter.ToUInt16(header[0x38..]);
        Span<byte> entry = stackalloc byte[4];
        for (var i = 0; i < phnum; i++)
        {
            file.Position = phoff + ((long)i * phentsize);
            if (file.Read(entry) == 4 && BitConverter.ToUInt32(entry) == 3)
            {
                return true;
            }
        }

        return false;
    }
}
