using System.Diagnostics;
using System.Text;
using Docker.DotNet;
using Docker.DotNet.Models;
using Pipelines.Docker.Rendering;
using Pipelines.Docker.Runtime;
using Pipelines.Environments;
using Pipelines.Tests.Shared;

namespace Pipelines.Hosting.Tests.EndToEnd;

/// <summary>
/// <c>shell DAG TASK</c> as a script runs it: the host a child process with its stdin redirected (no terminal, so no TTY),
/// on the engine this machine has. The images carry a name of this test's own (a registry rewrite in its
/// <c>pipelines.json</c>), built by <c>images build</c> and removed at the end.
/// </summary>
public sealed class ShellCommandTests : IAsyncLifetime
{
    private const string Date = "2026-11-25";
    private readonly string _prefix = "registry.localhost/e2e-" + Guid.NewGuid().ToString("N")[..10];
    private ProjectFolder? _project;
    private DockerClient? _client;
    private string? _noEngine;

    private ProjectFolder Project => _project ?? throw new InvalidOperationException("not started");

    private string Image => $"{_prefix}/busybox:stable";

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _project = new ProjectFolder($$"""
            { "environments": { "local": { "runtime": "auto",
              "registry": { "registry.localhost/testhost": "{{_prefix}}" } } } }
            """);
        try
        {
            _client = await DockerEngine.For(EnvironmentConfig.DefaultLocal).ConnectAsync(DockerEngine.ProbeTimeout, Cancel);
        }
        catch (DockerUnreachableException ex)
        {
            _noEngine = $"no Docker engine: {ex.Message} (.ci/run starts one: dockerd)";
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_client is not null)
        {
            foreach (var container in await ShellContainersAsync("containers"))
            {
                await _client.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true, RemoveVolumes = true });
            }

            foreach (var image in await _client.Images.ListImagesAsync(new ImagesListParameters()))
            {
                if (image.RepoTags?.Any(t => t.StartsWith(_prefix, StringComparison.Ordinal)) == true)
                {
                    await _client.Images.DeleteImageAsync(image.ID, new ImageDeleteParameters { Force = true });
                }
            }

            _client.Dispose();
        }

        _project?.Dispose();
    }

    [Fact]
    public async Task A_shell_reads_its_stdin_in_the_task_container_exits_with_its_code_and_leaves_no_container()
    {
        var engine = RequireEngine();
        await BuildAsync("containers");
        var volumesBefore = await ShellVolumesAsync(engine, "containers");

        var result = await ShellAsync("echo in-shell $PIPELINES_OUTPUT; id -u; echo to-stderr >&2; exit 7\n", "shell", "containers", "a", "--date", Date);

        Assert.True(result.ExitCode == 7, result.ToString());
        Assert.Contains("in-shell /pipelines/output.json\n", result.Stdout);
        Assert.Matches(@"(?m)^\d+$", result.Stdout); // id -u: the task's user, here the image's
        Assert.Contains("to-stderr", result.Stderr);
        Assert.DoesNotContain("to-stderr", result.Stdout);
        Assert.Empty(await ShellContainersAsync("containers"));
        Assert.Equal(volumesBefore, await ShellVolumesAsync(engine, "containers"));
    }

    [Fact]
    public async Task A_secret_variable_of_the_task_reaches_the_shell()
    {
        RequireEngine();
        await BuildAsync("shell_secret");
        const string Token = "shell-t0ken-6a1f9c";
        var environment = new Dictionary<string, string> { ["PIPELINES_SECRET_API_TOKEN"] = Token };

        var result = await ShellAsync("echo \"token=$TOKEN\"\n", environment, "shell", "shell_secret", "show", "--date", Date);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"token={Token}\n", result.Stdout);
    }

    [Fact]
    public async Task Entrypoint_names_the_program_started_instead_of_the_shell()
    {
        RequireEngine();
        await BuildAsync("containers");

        var result = await ShellAsync("piped through\n", "shell", "containers", "b", "--date", Date, "--entrypoint", "/bin/cat");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("piped through\n", result.Stdout);
    }

    [Fact]
    public async Task A_task_that_reads_outputs_no_run_recorded_gets_them_as_written_and_says_so()
    {
        RequireEngine();
        await BuildAsync("containers");

        var result = await ShellAsync("exit 0\n", "shell", "containers", "after", "--date", Date);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("note: task 'after' reads upstream outputs that run manual__2026-11-25T00:00:00+00:00 has not recorded", result.Stderr);
    }

    [Fact]
    public async Task An_image_the_engine_cannot_have_is_named_with_how_to_build_it()
    {
        RequireEngine();

        var result = await ShellAsync("exit 0\n", "shell", "containers", "a", "--date", Date);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains($"No shell started: image '{Image}' could not be pulled", result.Stderr);
        Assert.Contains("'images build containers'", result.Stderr);
        Assert.Empty(await ShellContainersAsync("containers"));
    }

    [Fact]
    public async Task An_unknown_task_is_a_usage_error_that_names_the_tasks()
    {
        var result = await ShellAsync(string.Empty, "shell", "containers", "nope", "--date", Date);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("DAG 'containers' has no task 'nope'; its tasks: a, after, b, held", result.Stderr);
    }

    [Fact]
    public async Task A_bad_date_is_a_usage_error()
    {
        var result = await ShellAsync(string.Empty, "shell", "containers", "a", "--date", "25.11.2026");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("--date '25.11.2026' is not a date", result.Stderr);
    }

    [Fact]
    public async Task Without_an_engine_it_exits_1_naming_the_endpoint()
    {
        const string Endpoint = "unix:///nonexistent/pipelines-shell-test.sock";
        using var project = new ProjectFolder($$"""{ "environments": { "local": { "runtime": "auto", "docker": { "endpoint": "{{Endpoint}}" } } } }""");

        var result = await ShellAsync(project, string.Empty, ProjectFolder.SecretEnvironment, "shell", "containers", "a", "--date", Date);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains($"No shell started: no Docker engine answered at {Endpoint} (docker.endpoint of environment 'local')", result.Stderr);
        Assert.Contains("Start an engine", result.Stderr);
    }

    private DockerClient RequireEngine()
    {
        if (_client is null)
        {
            MachineRequirement.Unmet(_noEngine ?? "no Docker engine");
        }

        return _client!;
    }

    private async Task BuildAsync(string dag)
    {
        var build = await Project.RunAsync(HostProcess.TestHost, "images", "build", dag);
        Assert.True(build.ExitCode == 0, build.ToString());
    }

    private Task<HostResult> ShellAsync(string stdin, params string[] args) => ShellAsync(Project, stdin, ProjectFolder.SecretEnvironment, args);

    private Task<HostResult> ShellAsync(string stdin, IReadOnlyDictionary<string, string> environment, params string[] args) =>
        ShellAsync(Project, stdin, environment, args);

    // The test host in a project folder, its stdin a pipe that is written, then closed.
    private static async Task<HostResult> ShellAsync(ProjectFolder project, string stdin, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = HostProcess.StartInfo(HostProcess.TestHost, project.Path, environment, args);
        start.RedirectStandardInput = true;
        start.StandardInputEncoding = new UTF8Encoding(false);
        using var process = Process.Start(start)!;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        timeout.CancelAfter(TimeSpan.FromMinutes(2));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.StandardInput.WriteAsync(stdin.AsMemory(), timeout.Token);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The host ended before reading its input (a usage error).
        }

        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"shell {string.Join(' ', args)} did not exit within 2 minutes");
        }

        return new HostResult(process.ExitCode, await stdout, await stderr);
    }

    // The containers of shells in this test's image: their store label begins with "shell".
    private async Task<List<ContainerListResponse>> ShellContainersAsync(string dag)
    {
        var containers = await _client!.Containers.ListContainersAsync(
            new ContainersListParameters
            {
                All = true,
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"pipelines.dag={dag}"] = true } },
            },
            Cancel);
        return [.. containers.Where(c =>
            c.Image == Image
            && c.Labels.TryGetValue(ContainerRenderer.StoreLabel, out var store)
            && store.StartsWith(DockerShell.StorePrefix, StringComparison.Ordinal))];
    }

    // The volumes of shells of a DAG, on the whole engine (per-attempt volumes carry no image to tell whose they are).
    private static async Task<List<string>> ShellVolumesAsync(DockerClient client, string dag)
    {
        var volumes = await client.Volumes.ListAsync(
            new VolumesListParameters
            {
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"pipelines.dag={dag}"] = true } },
            },
            Cancel);
        return [.. (volumes.Volumes ?? [])
            .Where(v => v.Labels?.TryGetValue(ContainerRenderer.StoreLabel, out var store) == true && store.StartsWith(DockerShell.StorePrefix, StringComparison.Ordinal))
            .Select(v => v.Name)
            .Order(StringComparer.Ordinal)];
    }
}
