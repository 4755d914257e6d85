using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Docker.DotNet;
using Docker.DotNet.Models;
using Pipelines.Docker.Rendering;
using Pipelines.Rendering;
using Pipelines.Resolution;
using Pipelines.Secrets;

namespace Pipelines.Docker.Runtime;

/// <summary>
/// An interactive shell in a task's container, as <c>docker run -it --entrypoint /bin/sh …</c> would start it by hand: the
/// attempt rendered as the Docker runtime renders it (image, variables with their secrets, mounts, user, working folder,
/// output file and secret files), with a program of the user's (<see cref="DefaultProgram"/> unless named) instead of the
/// task's command, attached to the caller's streams. The container and its own volumes are removed when it ends.
/// </summary>
/// <remarks>
/// The container belongs to no run store: its store label is <see cref="StorePrefix"/> and random hex digits, so its name
/// never clashes with a run's containers and no run takes it for a leftover of its own.
/// </remarks>
public static class DockerShell
{
    /// <summary>The program started when none is named.</summary>
    public const string DefaultProgram = "/bin/sh";

    /// <summary>How the store label of a shell's container begins (then 12 random hex digits).</summary>
    public const string StorePrefix = "shell";

    /// <summary>Runs the shell to its end.</summary>
    /// <param name="engine">The engine to run it on.</param>
    /// <param name="attempt">The task attempt whose container it is.</param>
    /// <param name="secrets">Resolves the task's secrets.</param>
    /// <param name="masker">Receives every secret value resolved.</param>
    /// <param name="entrypoint">The program to start instead of the task's command; null for <see cref="DefaultProgram"/>.</param>
    /// <param name="stdin">Copied to the program's standard input; its end closes that input.</param>
    /// <param name="stdout">Receives the program's standard output (and, with a TTY, its standard error).</param>
    /// <param name="stderr">Receives the program's standard error when there is no TTY.</param>
    /// <param name="tty">Allocates a terminal in the container (the caller's is a terminal, in raw mode).</param>
    /// <param name="starting">
    /// Called just before the container starts, once everything before it succeeded (such as putting the caller's terminal in
    /// raw mode); what it returns is disposed when the container has ended, or failed to start. Null for nothing.
    /// </param>
    /// <param name="cancellationToken">Removes the container and ends the shell.</param>
    /// <returns>The container's exit code.</returns>
    /// <exception cref="DockerUnreachableException">No engine answered.</exception>
    /// <exception cref="DockerShellException">The container could not be made or started.</exception>
    public static async Task<int> RunAsync(
        DockerEngine engine,
        ResolvedTask attempt,
        ISecretResolver secrets,
        SecretMasker masker,
        string? entrypoint,
        Stream stdin,
        Stream stdout,
        Stream stderr,
        bool tty,
        Func<IDisposable?>? starting,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(attempt);
        ArgumentNullException.ThrowIfNull(secrets);
        ArgumentNullException.ThrowIfNull(masker);
        ArgumentNullException.ThrowIfNull(stdin);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);

        var storeId = StorePrefix + RandomNumberGenerator.GetHexString(12, lowercase: true);
        var spec = new ContainerRenderer().RenderContainer(attempt, storeId, out var diagnostics);
        if (diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => $"field '{d.Field}': {d.Message}").ToList() is { Count: > 0 } errors)
        {
            throw new DockerShellException("the container cannot be made: " + string.Join("; ", errors));
        }

        var problems = ContainerEnvironment.Complete(spec, secrets, masker).ToList();
        var (files, fileProblems) = ContainerEnvironment.SecretFiles(spec, secrets, masker);
        problems.AddRange(fileProblems);
        if (problems.Count > 0)
        {
            throw new DockerShellException(string.Join("; ", problems));
        }

        // After the expansion: the program is the user's, taken literally.
        var create = spec.Create;
        create.Entrypoint = [string.IsNullOrEmpty(entrypoint) ? DefaultProgram : entrypoint];
        create.Cmd = null!;
        create.Tty = tty;
        create.OpenStdin = true;
        create.StdinOnce = true;
        create.AttachStdin = true;
        create.AttachStdout = true;
        create.AttachStderr = true;

        using var client = await engine.ConnectAsync(DockerEngine.ProbeTimeout, cancellationToken).ConfigureAwait(false);
        var image = create.Image;
        if (await ImagePuller.EnsureAsync(client, image, spec.PullPolicy, cancellationToken).ConfigureAwait(false) is { } pull)
        {
            throw new DockerShellException(pull, image);
        }

        if (await EngineSteps.NonRootProblemAsync(client, attempt.Task, image, cancellationToken).ConfigureAwait(false) is { } root)
        {
            throw new DockerShellException(root);
        }

        using (var gate = new SemaphoreSlim(1, 1))
        {
            if (await EngineSteps.EnsureNetworkAsync(client, create.HostConfig?.NetworkMode, gate, cancellationToken).ConfigureAwait(false) is { } network)
            {
                throw new DockerShellException(network);
            }
        }
        string? id = null;
        try
        {
            foreach (var volume in spec.Volumes)
            {
                await client.Volumes.CreateAsync(
                    new VolumesCreateParameters { Name = volume.Name, Labels = new Dictionary<string, string>(volume.Labels) },
                    cancellationToken).ConfigureAwait(false);
            }

            try
            {
                id = (await client.Containers.CreateContainerAsync(create, cancellationToken).ConfigureAwait(false)).ID;
            }
            catch (DockerApiException ex)
            {
                throw new DockerShellException($"the engine refused to make the container: {ImagePuller.Message(ex)}");
            }

            await ContainerArchive.PrepareOutputAsync(client, id, cancellationToken).ConfigureAwait(false);
            await ContainerArchive.WriteSecretFilesAsync(client, id, files, cancellationToken).ConfigureAwait(false);
            return await AttachAsync(client, id, create.Entrypoint[0], stdin, stdout, stderr, tty, starting, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await EngineSteps.RemoveAsync(client, id, spec.Name, storeId, TimeProvider.System).ConfigureAwait(false);
        }
    }

    // Attaches (before the start, so no output is missed), starts, copies the streams both ways and waits for the end.
    private static async Task<int> AttachAsync(
        DockerClient client, string id, string program, Stream stdin, Stream stdout, Stream stderr, bool tty, Func<IDisposable?>? starting, CancellationToken cancellationToken)
    {
        using var stream = await client.Containers.AttachContainerAsync(
            id,
            new ContainerAttachParameters { Stream = true, Stdin = true, Stdout = true, Stderr = true },
            cancellationToken).ConfigureAwait(false);
        using var started = starting?.Invoke();
        try
        {
            await client.Containers.StartContainerAsync(id, new ContainerStartParameters(), cancellationToken).ConfigureAwait(false);
        }
        catch (DockerApiException ex)
        {
            throw new DockerShellException($"the container could not start '{program}': {ImagePuller.Message(ex)}; name a program the image has with --entrypoint");
        }

        // With a TTY the output is one raw stream; without, stdout and stderr come multiplexed. It ends when the program does.
        var output = stream.CopyOutputToAsync(Stream.Null, stdout, stderr, CancellationToken.None);
        _ = PumpInputAsync(stream, stdin);
        using var resizing = tty ? TerminalSize.Follow(client, id) : null;
        var exit = await client.Containers.WaitContainerAsync(id, cancellationToken).ConfigureAwait(false);

        // The last output may still be on its way when the wait returns.
        try
        {
            await output.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or IOException or ObjectDisposedException)
        {
        }

        await stdout.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        await stderr.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        return (int)exit.StatusCode;
    }

    // Copies the caller's input to the program until it ends, then closes the program's input (StdinOnce): a shell ends at
    // the end of its input. A read still waiting when the program ended is abandoned with the rest.
    private static async Task PumpInputAsync(MultiplexedStream stream, Stream stdin)
    {
        try
        {
            await stream.CopyFromAsync(stdin, CancellationToken.None).ConfigureAwait(false);
            stream.CloseWrite();
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or NotSupportedException or SocketException)
        {
            // The program ended first, and its connection with it.
        }
    }

    // Keeps the container's terminal the size of the caller's: now, and on every SIGWINCH.
    private sealed class TerminalSize : IDisposable
    {
        private readonly DockerClient _client;
        private readonly string _id;
        private readonly PosixSignalRegistration? _registration;

        private TerminalSize(DockerClient client, string id)
        {
            _client = client;
            _id = id;
            if (!OperatingSystem.IsWindows())
            {
                _registration = PosixSignalRegistration.Create(PosixSignal.SIGWINCH, signal => { _ = ResizeAsync(TimeSpan.FromMilliseconds(50)); });
            }
        }

        public static TerminalSize Follow(DockerClient client, string id)
        {
            var size = new TerminalSize(client, id);
            _ = size.ResizeAsync(TimeSpan.Zero);
            return size;
        }

        public void Dispose() => _registration?.Dispose();

        private async Task ResizeAsync(TimeSpan delay)
        {
            try
            {
                // The console reads the new size once its own SIGWINCH handler has run.
                await Task.Delay(delay).ConfigureAwait(false);
                var (width, height) = (Console.WindowWidth, Console.WindowHeight);
                if (width > 0 && height > 0)
                {
                    await _client.Containers.ResizeContainerTtyAsync(_id, new ContainerResizeParameters { Width = width, Height = height }, CancellationToken.None).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is IOException or DockerApiException or HttpRequestException or ObjectDisposedException or InvalidOperationException)
            {
                // No size to give, or the container ended meanwhile.
            }
        }
    }
}

/// <summary>A shell's container could not be made or started; nothing is left on the engine.</summary>
public sealed class DockerShellException(string message, string? image = null) : Exception(message)
{
    /// <summary>The image that could not be had, when that was the problem.</summary>
    public string? Image { get; } = image;
}
