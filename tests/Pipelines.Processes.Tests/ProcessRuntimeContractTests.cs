using System.Runtime.Versioning;
using Pipelines.Execution.Runtimes;
using Pipelines.Resolution;
using Pipelines.RuntimeContract;

namespace Pipelines.Processes.Tests;

/// <summary>The process runtime keeps the runtime contract: each plan is a small shell script.</summary>
[SupportedOSPlatform("linux")]
public sealed class ProcessRuntimeContractTests : RuntimeContractTests, IDisposable
{
    private readonly ProcessTestBed _bed = new();

    protected override IContainerRuntime Runtime => _bed.Runtime;

    public void Dispose() => _bed.Dispose();

    protected override void Define(string taskId, TaskBuilder task, AttemptPlan plan) =>
        task.Command("sh", "-c", plan.ShellScript("\"$PIPELINES_OUTPUT.go\""));

    protected override Task ReleaseAsync(ResolvedTask attempt)
    {
        var (name, _) = ProcessRuntime.Identity(AttemptKey.Of(attempt), _bed.StoreId);
        File.WriteAllText(Path.Combine(_bed.Runtime.WorkDirectory, name, "output.json.go"), string.Empty);
        return Task.CompletedTask;
    }
}
