using Pipelines.Attempts;
using Pipelines.Rendering;
using static Pipelines.Kubernetes.Tests.Rendering.Attempts;

namespace Pipelines.Kubernetes.Tests.Rendering;

/// <summary>Pod names, identity labels and the attempt annotation.</summary>
public sealed class PodIdentityTests
{
    private static readonly string LongDag = "customers_etl_" + new string('x', 200);
    private static readonly string LongTask = "Extract.Customers_" + new string('y', 200);

    [Fact]
    public void A_pod_name_is_a_dns_label_within_63_even_for_very_long_ids()
    {
        var name = Render(_ => { }, dagId: LongDag, taskId: LongTask).Name;

        Assert.True(name.Length <= 63, name);
        Assert.True(KubernetesNames.IsDnsLabel(name), name);
    }

    [Fact]
    public void A_pod_name_is_deterministic_and_differs_per_try()
    {
        var first = Render(_ => { }, dagId: LongDag, taskId: LongTask, tryNumber: 1);
        var again = Render(_ => { }, dagId: LongDag, taskId: LongTask, tryNumber: 1);
        var second = Render(_ => { }, dagId: LongDag, taskId: LongTask, tryNumber: 2);

        Assert.Equal(first.Name, again.Name);
        Assert.NotEqual(first.Name, second.Name);
        Assert.Equal(first.Name, first.Spec["metadata"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public void Identity_label_values_are_label_safe_and_hashed_when_they_had_to_change()
    {
        var pod = ToPod(Render(_ => { }, dagId: LongDag, taskId: LongTask, tryNumber: 3).Spec);
        var labels = pod.Metadata.Labels;

        Assert.All([AttemptNames.DagLabel, AttemptNames.TaskLabel, AttemptNames.RunLabel], key => Assert.True(AttemptNames.IsLabelValue(labels[key]), labels[key]));
        Assert.Equal(AttemptNames.LabelValue(LongTask), labels[AttemptNames.TaskLabel]);
        Assert.NotEqual(LongTask, labels[AttemptNames.TaskLabel]);
        Assert.Equal(AttemptNames.LabelValue("manual__2026-11-25T00:00:00+00:00"), labels[AttemptNames.RunLabel]); // ':' and '+' are no label characters
        Assert.Equal("3", labels[AttemptNames.TryLabel]);
    }

    [Fact]
    public void The_attempt_annotation_holds_the_exact_attempt_id()
    {
        var pod = ToPod(Render(_ => { }, dagId: LongDag, taskId: LongTask, tryNumber: 2).Spec);

        Assert.Equal($"{LongDag}/manual__2026-11-25T00:00:00+00:00/{LongTask}/2", pod.Metadata.Annotations[AttemptNames.AttemptAnnotation]);
    }

    [Fact]
    public void Identity_labels_win_over_the_tasks_with_a_warning()
    {
        var spec = Render(t => t.Label(AttemptNames.TaskLabel, "mine"));

        Assert.Equal("t", ToPod(spec.Spec).Metadata.Labels[AttemptNames.TaskLabel]);
        Assert.Contains(spec.Diagnostics, d => d is { Severity: DiagnosticSeverity.Warning, Field: "labels.pipelines.task" });
    }

    [Theory]
    [InlineData("team", "Data Engineering", "labels.team")]
    [InlineData("team", "-leading-dash", "labels.team")]
    [InlineData("bad key", "x", "labels.bad key")]
    [InlineData("Example.COM/team", "x", "labels.Example.COM/team")]
    public void A_label_kubernetes_rejects_is_an_error_and_is_not_rewritten(string key, string value, string field)
    {
        var spec = Render(t => t.Label(key, value));

        var error = Assert.Single(spec.Diagnostics);
        Assert.Equal((DiagnosticSeverity.Error, field), (error.Severity, error.Field));
        Assert.Equal(value, ToPod(spec.Spec).Metadata.Labels[key]);
    }

    [Fact]
    public void An_annotation_key_kubernetes_rejects_is_an_error() =>
        Assert.Contains(Render(t => t.Annotation("not a key", "x")).Diagnostics, d => d is { Severity: DiagnosticSeverity.Error, Field: "annotations.not a key" });

    [Fact]
    public void Annotation_values_may_be_free_text() =>
        Assert.Empty(Render(t => t.Annotation("description", "Extracts customers: every row, since << ds >>.")).Diagnostics);
}
