using System.Collections.Concurrent;
using System.Formats.Tar;
using System.Text;
using Docker.DotNet;
using Docker.DotNet.Models;
using Pipelines.Docker.Rendering;
using Pipelines.Docker.Runtime;
using Pipelines.Environments;
using Pipelines.Tests.Shared;

namespace Pipelines.Hosting.Tests.EndToEnd;

/// <summary>
/// The host on the Docker runtime as a user runs it, as a child process, on the engine this machine has: images built by
/// <c>images build</c>, <c>auto</c> choosing Docker, the example's report the same as on local processes, and a host killed
/// mid-run whose rerun starts no container twice. Each test's images carry a name of their own (a registry rewrite in its
/// <c>pipelines.json</c>), so no other test's <c>auto</c> finds them.
/// </summary>
public sealed class DockerHostTests : IAsyncLifetime
{
    private readonly string _prefix = "registry.localhost/e2e-" + Guid.NewGuid().ToString("N")[..10];
    private ProjectFolder? _project;
    private DockerClient? _client;
    private bool _ordersVolumeExisted = true;

    private ProjectFolder Project => _project ?? throw new InvalidOperationException("not started");

    private DockerClient Client => _client ?? throw new InvalidOperationException("not started");

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        try
        {
            _client = await DockerEngine.For(EnvironmentConfig.DefaultLocal).ConnectAsync(DockerEngine.ProbeTimeout, Cancel);
        }
        catch (DockerUnreachableException ex)
        {
            MachineRequirement.Unmet($"no Docker engine: {ex.Message} (.ci/run starts one: dockerd)");
        }

        // Images named by the examples and the test host are built under this test's own prefix.
        _project = new ProjectFolder($$"""
            { "environments": { "local": { "runtime": "auto",
              "registry": { "registry.localhost/pipelines": "{{_prefix}}", "registry.localhost/testhost": "{{_prefix}}" } } } }
            """);
        _ordersVolumeExisted = await VolumeExistsAsync("orders-data");
    }

    public async ValueTask DisposeAsync()
    {
        if (_client is null)
        {
            _project?.Dispose();
            return;
        }

        if (_project?.StoreId() is { } store)
        {
            foreach (var container in await ContainersAsync(store))
            {
                await Client.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true, RemoveVolumes = true });
            }
        }

        foreach (var image in await Client.Images.ListImagesAsync(new ImagesListParameters()))
        {
            if (image.RepoTags?.Any(t => t.StartsWith(_prefix, StringComparison.Ordinal)) == true)
            {
                await Client.Images.DeleteImageAsync(image.ID, new ImageDeleteParameters { Force = true });
            }
        }

        if (!_ordersVolumeExisted && await VolumeExistsAsync("orders-data"))
        {
            await Client.Volumes.RemoveAsync("orders-data", force: true);
        }

        _project?.Dispose();
        _client.Dispose();
    }

    [Fact]
    public async Task Orders_daily_runs_in_containers_chosen_by_auto_and_reports_byte_for_byte_what_local_processes_report()
    {
        var build = await Project.RunAsync(HostProcess.ExamplesHost, "images", "build", "orders_daily");
        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.Contains($"built   {_prefix}/busybox:stable (busybox from /bin/busybox, FROM scratch)", build.Stdout);

        var docker = await Project.RunAsync(HostProcess.ExamplesHost, "run", "orders_daily", "--date", "2026-11-25");

        Assert.True(docker.ExitCode == 0, docker.ToString());
        Assert.StartsWith("Runtime: docker — auto (environment 'local') tries docker, then process; docker: an engine answered at ", docker.Stdout);
        Assert.Contains("and every image is present.", docker.Stdout);
        Assert.Contains("orders_daily manual__2026-11-25T00:00:00+00:00: success (5 success)", docker.Stdout);
        Assert.Empty(await ContainersAsync(Project.StoreId()!));
        var runs = await Project.RunAsync(HostProcess.ExamplesHost, "runs", "orders_daily");
        Assert.Contains("PEAK MEM", runs.Stdout);
        // The example's tasks last less than the engine's first stats sample (a second) when the machine is busy: "-" then.
        Assert.Matches(@"manual__2026-11-25T00:00:00\+00:00\s+success\s+docker\s+local\s+\S+ \S+\s+(\d+Mi|-)\s+(\d+\.\d\d s|-)\s+5 success", runs.Stdout);

        using var local = new ProjectFolder("""{ "environments": { "local": { "runtime": "process" } } }""");
        var process = await local.RunAsync(HostProcess.ExamplesHost, "run", "orders_daily", "--date", "2026-11-25");
        Assert.True(process.ExitCode == 0, process.ToString());
        Assert.Equal(local.Volume("orders-data", "20261125/report.txt"), await ReadVolumeFileAsync("orders-data", "20261125/report.txt"));
    }

    [Fact]
    public async Task Auto_says_which_image_is_missing_and_runs_on_local_processes()
    {
        var result = await Project.RunAsync(HostProcess.TestHost, "test", "containers", "a", "--date", "2026-11-25");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith("Runtime: process — auto (environment 'local') tries docker, then process; docker: an engine answered at ", result.Stdout);
        Assert.Contains($"but image '{_prefix}/busybox:stable' is not present ('images build containers' builds the examples' images; 'docker pull' others); process: ", result.Stdout);
    }

    [Fact]
    public async Task A_host_killed_mid_run_is_resumed_without_starting_any_container_twice()
    {
        var build = await Project.RunAsync(HostProcess.TestHost, "images", "build", "containers");
        Assert.True(build.ExitCode == 0, build.ToString());
        var starts = new ConcurrentQueue<Message>();
        using var watching = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        var events = Client.System.MonitorEventsAsync(
            new ContainerEventsParameters
            {
                Filters = new Dictionary<string, IDictionary<string, bool>>
                {
                    ["type"] = new Dictionary<string, bool> { ["container"] = true },
                    ["event"] = new Dictionary<string, bool> { ["start"] = true },
                    ["label"] = new Dictionary<string, bool> { ["pipelines.dag=containers"] = true },
                },
            },
            new Progress(starts.Enqueue),
            watching.Token);

        using (var host = Project.Start(HostProcess.TestHost, "run", "containers", "--date", "2026-11-25", "--runtime", "docker"))
        {
            host.WaitForLine("[held] holding");
            host.Crash();
        }

        var store = Project.StoreId()!;
        var held = Assert.Single(await ContainersAsync(store), c => c.Labels["pipelines.task"] == "held");
        await PutFileAsync(held.ID, "/pipelines", "go");
        var resumed = await Project.RunAsync(HostProcess.TestHost, "run", "containers", "--date", "2026-11-25", "--runtime", "docker");

        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains("[after] sum=3", resumed.Stdout);
        Assert.Contains("containers manual__2026-11-25T00:00:00+00:00: success (4 success)", resumed.Stdout);
        Assert.Empty(await ContainersAsync(store));
        await watching.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => events);
        var started = starts.Where(m => m.Actor.Attributes.TryGetValue(ContainerRenderer.StoreLabel, out var s) && s == store)
            .Select(m => m.Actor.Attributes["pipelines.task"]).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["a", "after", "b", "held"], started);
    }

    [Fact]
    public async Task Orphans_are_the_containers_no_live_run_owns_and_clean_removes_them()
    {
        var build = await Project.RunAsync(HostProcess.TestHost, "images", "build", "containers");
        Assert.True(build.ExitCode == 0, build.ToString());
        HostResult whileLive;
        using (var host = Project.Start(HostProcess.TestHost, "run", "containers", "--date", "2026-11-25", "--runtime", "docker"))
        {
            host.WaitForLine("[held] holding");
            whileLive = await Project.RunAsync(HostProcess.TestHost, "runs", "containers", "--orphans");
            host.Crash();
        }

        var store = Project.StoreId()!;
        var held = Assert.Single(await ContainersAsync(store), c => c.Labels["pipelines.task"] == "held");
        var orphans = await Project.RunAsync(HostProcess.TestHost, "runs", "containers", "--orphans");
        var clean = await Project.RunAsync(HostProcess.TestHost, "clean", "containers");
        var after = await Project.RunAsync(HostProcess.TestHost, "runs", "containers", "--orphans");

        Assert.True(whileLive.ExitCode == 0, whileLive.ToString());
        Assert.StartsWith("No containers of 'containers' are left at ", whileLive.Stdout); // a live run owns its containers
        Assert.True(orphans.ExitCode == 0, orphans.ToString());
        Assert.Contains("Containers of 'containers' that no live run owns ('clean containers' removes them):", orphans.Stdout);
        Assert.Matches($@"{held.Names[0].TrimStart('/')}\s+running\s+containers/manual__2026-11-25T00:00:00\+00:00/held/1", orphans.Stdout);
        Assert.True(clean.ExitCode == 0, clean.ToString());
        Assert.Contains($"removed {held.Names[0].TrimStart('/')} (running, containers/manual__2026-11-25T00:00:00+00:00/held/1)", clean.Stdout);
        Assert.StartsWith("No containers of 'containers' are left at ", after.Stdout);
        Assert.Empty(await ContainersAsync(store));
    }

    private async Task<IList<ContainerListResponse>> ContainersAsync(string store) =>
        await Client.Containers.ListContainersAsync(
            new ContainersListParameters
            {
                All = true,
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{ContainerRenderer.StoreLabel}={store}"] = true } },
            },
            Cancel);

    private async Task<bool> VolumeExistsAsync(string name)
    {
        try
        {
            await Client.Volumes.InspectAsync(name, Cancel);
            return true;
        }
        catch (DockerApiException ex) when (ex.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    // A file of a named volume, read through a container that mounts it (the engine may be remote).
    private async Task<string> ReadVolumeFileAsync(string volume, string path)
    {
        var reader = await Client.Containers.CreateContainerAsync(
            new CreateContainerParameters
            {
                Image = $"{_prefix}/busybox:stable",
                Cmd = ["true"],
                HostConfig = new HostConfig { Mounts = [new Mount { Type = "volume", Source = volume, Target = "/data" }] },
            },
            Cancel);
        try
        {
            var archive = await Client.Containers.GetArchiveFromContainerAsync(reader.ID, new ContainerPathStatParameters { Path = "/data/" + path }, statOnly: false, Cancel);
            using var tar = new TarReader(archive.Stream!);
            var entry = await tar.GetNextEntryAsync(copyData: true, Cancel) ?? throw new InvalidOperationException("no file in the archive");
            using var text = new StreamReader(entry.DataStream!, Encoding.UTF8);
            return await text.ReadToEndAsync(Cancel);
        }
        finally
        {
            await Client.Containers.RemoveContainerAsync(reader.ID, new ContainerRemoveParameters { Force = true }, Cancel);
        }
    }

    private async Task PutFileAsync(string containerId, string folder, string name)
    {
        using var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, leaveOpen: true))
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream() });
        }

        tar.Position = 0;
        await Client.Containers.ExtractArchiveToContainerAsync(containerId, new CopyToContainerParameters { Path = folder }, tar, Cancel);
    }

    private sealed class Progress(Action<Message> report) : IProgress<Message>
    {
        public void Report(Message value) => report(value);
    }
}
