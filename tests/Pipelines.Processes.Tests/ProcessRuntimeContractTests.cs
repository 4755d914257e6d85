using System.Runtime.Versioning;
using System.Text;
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

    protected override void Define(string taskId, TaskBuilder task, AttemptPlan plan)
    {
        var script = new StringBuilder();
        foreach (var line in plan.Lines ?? [])
        {
            script.Append($"echo '{line}'\n");
        }

        if (plan.Held)
        {
            script.Append("while [ ! -e \"$PIPELINES_OUTPUT.go\" ]; do sleep 0.01; done\n");
        }

        foreach (var line in plan.LinesAfter ?? [])
        {
            script.Append($"echo '{line}'\n");
        }

        if (plan.Output is { } output)
        {
            script.Append($"printf '%s' '{output}' > \"$PIPELINES_OUTPUT\"\n");
        }

        if (plan.UntilStopped)
        {
            script.Append("exec sleep 300\n");
        }

        script.Append($"exit {plan.ExitCode}\n");
        task.Command("sh", "-c", script.ToString());
    }

    protected override Task ReleaseAsync(ResolvedTask attempt)
    {
        var (name, _) = ProcessRuntime.Identity(AttemptKey.Of(attempt), _bed.StoreId);
        File.WriteAllText(Path.Combine(_bed.Runtime.WorkDirectory, name, "output.json.go"), string.Empty);
        return Task.CompletedTask;
    }
}
