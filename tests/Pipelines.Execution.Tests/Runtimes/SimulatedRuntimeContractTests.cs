using Microsoft.Extensions.Time.Testing;
using Pipelines.Execution.Runtimes;
using Pipelines.Resolution;
using Pipelines.RuntimeContract;
using Pipelines.Testing;

namespace Pipelines.Execution.Tests.Runtimes;

/// <summary>The simulated runtime keeps the contract of a real one, so what the executor's tests show on it holds on real runtimes.</summary>
public sealed class SimulatedRuntimeContractTests : RuntimeContractTests
{
    private static readonly TimeSpan Held = TimeSpan.FromDays(1);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 6, 0, 0, TimeSpan.Zero));
    private readonly SimulatedRuntime _runtime;

    public SimulatedRuntimeContractTests() => _runtime = new SimulatedRuntime(_time);

    protected override IContainerRuntime Runtime => _runtime;

    protected override void Define(string taskId, TaskBuilder task, AttemptPlan plan)
    {
        task.Command("run");
        _runtime.Script(taskId, new SimulatedAttempt(plan.Held || plan.UntilStopped ? Held : TimeSpan.Zero, plan.ExitCode, plan.Output, Logs: plan.AllLines));
    }

    protected override Task ReleaseAsync(ResolvedTask attempt)
    {
        _time.Advance(Held);
        return Task.CompletedTask;
    }
}
