using Pipelines.Attempts;
using Pipelines.Rendering;

namespace Pipelines.Core.Tests.Attempts;

public sealed class AttemptNamesTests
{
    private const string Run = "manual__2026-11-25T00:00:00+00:00";

    [Fact]
    public void A_resource_name_is_readable_dns_safe_and_differs_per_try()
    {
        var first = AttemptNames.ResourceName("customers_etl", Run, "extract_customers", 1);
        var second = AttemptNames.ResourceName("customers_etl", Run, "extract_customers", 2);

        Assert.Matches("^customers-etl-extract-customers-[0-9a-f]{8}-1$", first);
        Assert.EndsWith("-2", second);
        Assert.NotEqual(first[..^2], second[..^2]);
        Assert.Equal(first, AttemptNames.ResourceName("customers_etl", Run, "extract_customers", 1));
    }

    [Fact]
    public void Long_ids_are_cut_to_63_characters_and_stay_unique()
    {
        var longTask = new string('t', 200);
        var a = AttemptNames.ResourceName(new string('d', 100), Run, longTask + "a", 1);
        var b = AttemptNames.ResourceName(new string('d', 100), Run, longTask + "b", 1);

        Assert.True(a.Length <= 63, a);
        Assert.Matches("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", a);
        Assert.NotEqual(a, b);
    }

    [Theory]
    [InlineData("customers_etl", "customers_etl")]
    [InlineData("extract-data.v2", "extract-data.v2")]
    public void Valid_label_values_are_kept(string value, string expected) => Assert.Equal(expected, AttemptNames.LabelValue(value));

    [Fact]
    public void Invalid_label_values_are_sanitised_and_hashed()
    {
        var run = AttemptNames.LabelValue(Run);
        var other = AttemptNames.LabelValue("manual__2026-11-26T00:00:00+00:00");
        var longValue = AttemptNames.LabelValue(new string('x', 100));

        Assert.True(AttemptNames.IsLabelValue(run), run);
        Assert.StartsWith("manual__2026-11-25T00_00_00_00_00-", run);
        Assert.NotEqual(run, other);
        Assert.True(longValue.Length <= 63 && AttemptNames.IsLabelValue(longValue), longValue);
    }

    [Fact]
    public void The_identity_labels_and_attempt_id_name_the_attempt()
    {
        var labels = AttemptNames.Labels("customers_etl", Run, "extract", 3);

        Assert.Equal(["pipelines.dag", "pipelines.run", "pipelines.task", "pipelines.try"], labels.Keys);
        Assert.Equal("3", labels[AttemptNames.TryLabel]);
        Assert.Equal("customers_etl/manual__2026-11-25T00:00:00+00:00/extract/3", AttemptNames.AttemptId("customers_etl", Run, "extract", 3));
    }
}
