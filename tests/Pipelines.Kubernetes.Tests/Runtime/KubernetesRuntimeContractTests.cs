using System.Collections.Concurrent;
using Pipelines.Attempts;
using Pipelines.Execution.Runtimes;
using Pipelines.Kubernetes.FakeApi;
using Pipelines.Resolution;
using Pipelines.RuntimeContract;

namespace Pipelines.Kubernetes.Tests.Runtime;

/// <summary>
/// The Kubernetes runtime keeps the runtime contract against the fake API server: each plan is the pod's script, played by
/// the fake kubelet (its lines, a hold until released, its termination message and exit code).
/// </summary>
public sealed class KubernetesRuntimeContractTests : RuntimeContractTests, IAsyncLifetime
{
    private readonly ConcurrentDictionary<string, PodScript> _plans = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PodGate> _gates = new(StringComparer.Ordinal);
    private KubernetesTestBed? _bed;

    protected override IContainerRuntime Runtime => Bed.Runtime;

    private KubernetesTestBed Bed => _bed ?? throw new InvalidOperationException("the test bed is not started");

    public async ValueTask InitializeAsync()
    {
        _bed = await KubernetesTestBed.StartAsync();
        _bed.Server.Scripts.For(pod =>
            pod.Metadata.Labels.TryGetValue(AttemptNames.TaskLabel, out var task) && _plans.TryGetValue(task, out var script) ? script : null);
    }

    public async ValueTask DisposeAsync()
    {
        if (_bed is not null)
        {
            await _bed.DisposeAsync();
        }
    }

    protected override void Define(string taskId, TaskBuilder task, AttemptPlan plan)
    {
        task.StopGracePeriod(TimeSpan.FromSeconds(1));
        var gate = _gates[taskId] = new PodGate(); // a fresh gate per definition: tests reuse task ids
        var script = PodScript.Start();
        if (plan.Lines is { Count: > 0 } lines)
        {
            script = script.Log([.. lines]);
        }

        if (plan.Held)
        {
            script = script.Until(gate);
        }

        if (plan.LinesAfter is { Count: > 0 } after)
        {
            script = script.Log([.. after]);
        }

        if (plan.UntilStopped)
        {
            script = script.Until(new PodGate()); // runs until its pod is deleted
        }

        _plans[AttemptNames.LabelValue(taskId)] = script.Exit(plan.ExitCode, plan.Output);
    }

    protected override Task ReleaseAsync(ResolvedTask attempt)
    {
        _gates[attempt.Task.Id].Open();
        return Task.CompletedTask;
    }
}
