using System.Formats.Tar;
using Docker.DotNet.Models;
using Pipelines.Execution.Runtimes;
using Pipelines.Resolution;
using Pipelines.RuntimeContract;

namespace Pipelines.Docker.Tests.Runtime;

/// <summary>The Docker runtime keeps the runtime contract on a real engine: each plan is a small shell script in busybox.</summary>
public sealed class DockerRuntimeContractTests : RuntimeContractTests, IAsyncLifetime
{
    private DockerTestBed? _bed;

    protected override IContainerRuntime Runtime => Bed.Runtime;

    private DockerTestBed Bed => _bed ?? throw new InvalidOperationException("the test bed is not started");

    public async ValueTask InitializeAsync() => _bed = await DockerTestBed.StartAsync();

    public async ValueTask DisposeAsync()
    {
        if (_bed is not null)
        {
            await _bed.DisposeAsync();
        }
    }

    protected override void Define(string taskId, TaskBuilder task, AttemptPlan plan) =>
        task.Command("sh", "-c", plan.ShellScript("/pipelines/go")).StopGracePeriod(TimeSpan.FromSeconds(1));

    protected override async Task ReleaseAsync(ResolvedTask attempt)
    {
        using var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, leaveOpen: true))
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "go") { DataStream = new MemoryStream() });
        }

        tar.Position = 0;
        await Bed.Client.Containers.ExtractArchiveToContainerAsync(Bed.ContainerName(AttemptKey.Of(attempt)), new CopyToContainerParameters { Path = "/pipelines" }, tar);
    }
}
