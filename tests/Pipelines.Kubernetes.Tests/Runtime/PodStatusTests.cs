using k8s.Models;
using Pipelines.Execution.Runtimes;
using Pipelines.Kubernetes.Runtime;

namespace Pipelines.Kubernetes.Tests.Runtime;

/// <summary>How a pod's status reads: its stage on the way to start, and what an ended pod means for its attempt.</summary>
public sealed class PodStatusTests
{
    [Fact]
    public void A_pod_the_scheduler_cannot_place_is_unschedulable_with_the_schedulers_message()
    {
        var pod = Pod("Pending", conditions: [new V1PodCondition { Type = "PodScheduled", Status = "False", Reason = "Unschedulable", Message = "0/3 nodes are available: 3 Insufficient memory." }]);

        var (stage, _, message) = PodStatus.Stage(pod, deleted: false);

        Assert.Equal(PodStage.Unschedulable, stage);
        Assert.Equal("0/3 nodes are available: 3 Insufficient memory.", message);
    }

    [Theory]
    [InlineData("ErrImagePull", AttemptLoss.ImagePull)]
    [InlineData("ImagePullBackOff", AttemptLoss.ImagePull)]
    [InlineData("InvalidImageName", AttemptLoss.ImagePull)]
    [InlineData("CreateContainerConfigError", AttemptLoss.StartFailed)]
    public void A_container_waiting_on_what_does_not_heal_is_failing(string reason, AttemptLoss loss)
    {
        var pod = Pod("Pending", baseState: new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = reason, Message = "why" } });

        var (stage, why, _) = PodStatus.Stage(pod, deleted: false);

        Assert.Equal(PodStage.Failing, stage);
        Assert.Equal(loss, PodStatus.LossOf(why));
    }

    [Fact]
    public void A_container_being_created_is_pending_not_failing()
    {
        var pod = Pod("Pending", baseState: new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "ContainerCreating" } });

        Assert.Equal(PodStage.Pending, PodStatus.Stage(pod, deleted: false).Stage);
    }

    [Fact]
    public void The_base_container_decides_even_while_a_sidecar_runs()
    {
        var pod = Pod("Running", baseState: Terminated(3, "Error"));
        pod.Status.InitContainerStatuses = [new V1ContainerStatus { Name = "proxy", State = new V1ContainerState { Running = new V1ContainerStateRunning() } }];

        var result = PodStatus.Result(pod, deletedByOthers: false);

        Assert.Equal(PodStage.Ended, PodStatus.Stage(pod, false).Stage);
        Assert.Equal(AttemptOutcome.Exited, result.Outcome);
        Assert.Equal(3, result.ExitCode);
    }

    [Fact]
    public void The_output_is_the_termination_message()
    {
        var result = PodStatus.Result(Pod("Succeeded", baseState: Terminated(0, "Completed", "{\"rows\": 3}")), deletedByOthers: false);

        Assert.Equal("{\"rows\": 3}", result.Output);
        Assert.Null(result.OutputProblem);
    }

    [Fact]
    public void No_termination_message_is_no_output()
    {
        var result = PodStatus.Result(Pod("Succeeded", baseState: Terminated(0, "Completed")), deletedByOthers: false);

        Assert.Null(result.Output);
        Assert.Null(result.OutputProblem);
    }

    [Fact]
    public void A_termination_message_the_kubelet_cut_at_4096_bytes_is_an_output_problem()
    {
        var cut = "{\"data\": \"" + new string('x', 4096 - 10);
        var result = PodStatus.Result(Pod("Succeeded", baseState: Terminated(0, "Completed", cut)), deletedByOthers: false);

        Assert.Null(result.Output);
        Assert.Contains("4096 bytes on every runtime", result.OutputProblem);
    }

    [Fact]
    public void OOMKilled_names_the_memory_limit()
    {
        var pod = Pod("Failed", baseState: Terminated(137, "OOMKilled"));
        pod.Spec.Containers[0].Resources = new V1ResourceRequirements { Limits = new Dictionary<string, ResourceQuantity> { ["memory"] = new("64Mi") } };

        var result = PodStatus.Result(pod, deletedByOthers: false);

        Assert.Equal(137, result.ExitCode);
        Assert.StartsWith("OOMKilled", result.Reason);
        Assert.Contains("64Mi", result.Reason);
    }

    [Fact]
    public void An_evicted_pod_is_lost_as_evicted_with_the_kubelets_message()
    {
        var pod = Pod("Failed", baseState: Terminated(137, "Error"));
        pod.Status.Reason = "Evicted";
        pod.Status.Message = "The node was low on resource: memory.";

        var result = PodStatus.Result(pod, deletedByOthers: false);

        Assert.Equal(AttemptLoss.Evicted, result.Loss);
        Assert.Equal("Evicted: The node was low on resource: memory.", result.Reason);
    }

    [Fact]
    public void A_pod_past_its_deadline_is_stopped_as_DeadlineExceeded()
    {
        var pod = Pod("Failed");
        pod.Spec.ActiveDeadlineSeconds = 60;
        pod.Status.Reason = "DeadlineExceeded";

        var result = PodStatus.Result(pod, deletedByOthers: false);

        Assert.Equal(AttemptOutcome.Stopped, result.Outcome);
        Assert.StartsWith("DeadlineExceeded", result.Reason);
        Assert.Contains("60 s", result.Reason);
    }

    [Fact]
    public void A_failed_init_container_is_a_start_failure()
    {
        var pod = Pod("Failed", baseState: new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "PodInitializing" } });
        pod.Status.InitContainerStatuses = [new V1ContainerStatus { Name = "migrate", State = new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = 2, Reason = "Error" } } }];

        var result = PodStatus.Result(pod, deletedByOthers: false);

        Assert.Equal(AttemptLoss.StartFailed, result.Loss);
        Assert.Contains("init container 'migrate' exited with code 2", result.Reason);
    }

    [Fact]
    public void A_container_killed_by_someone_elses_delete_is_lost_but_one_that_ended_before_it_is_not()
    {
        var requested = new DateTime(2026, 11, 30, 6, 0, 0, DateTimeKind.Utc);
        var killed = Pod("Failed", baseState: Terminated(143, "Error", finishedAt: requested.AddSeconds(1)));
        killed.Metadata.DeletionTimestamp = requested.AddSeconds(30);
        killed.Metadata.DeletionGracePeriodSeconds = 30;
        var endedFirst = Pod("Succeeded", baseState: Terminated(0, "Completed", finishedAt: requested.AddSeconds(-5)));
        endedFirst.Metadata.DeletionTimestamp = requested.AddSeconds(30);
        endedFirst.Metadata.DeletionGracePeriodSeconds = 30;

        Assert.True(PodStatus.KilledByDeletion(killed, deleted: true));
        Assert.Equal(AttemptLoss.RuntimeError, PodStatus.Result(killed, deletedByOthers: true).Loss);
        Assert.False(PodStatus.KilledByDeletion(endedFirst, deleted: true));
        Assert.Equal(0, PodStatus.Result(endedFirst, PodStatus.KilledByDeletion(endedFirst, deleted: true)).ExitCode);
    }

    internal static V1ContainerState Terminated(int code, string reason, string? message = null, DateTime? finishedAt = null) =>
        new() { Terminated = new V1ContainerStateTerminated { ExitCode = code, Reason = reason, Message = message, FinishedAt = finishedAt } };

    internal static V1Pod Pod(string phase, V1ContainerState? baseState = null, List<V1PodCondition>? conditions = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = "p", NamespaceProperty = "ns" },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "base", Image = "busybox" }] },
        Status = new V1PodStatus
        {
            Phase = phase,
            Conditions = conditions,
            ContainerStatuses = baseState is null ? null : [new V1ContainerStatus { Name = "base", State = baseState }],
        },
    };
}
