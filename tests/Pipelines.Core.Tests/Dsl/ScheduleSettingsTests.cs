namespace Pipelines.Core.Tests.Dsl;

/// <summary>A DAG's start and end dates (midnight in its time zone) and catchup.</summary>
public sealed class ScheduleSettingsTests
{
    [Fact]
    public void Start_and_end_are_midnight_in_the_schedules_zone_and_catchup_is_off_unless_asked()
    {
        var dag = new DagBuilder().Id("d").Schedule("@daily", "Europe/Paris").StartDate(2026, 7, 1).EndDate(2026, 12, 31);
        dag.Container("t", "busybox");

        var built = dag.Build();

        Assert.Equal(new DateTimeOffset(2026, 7, 1, 0, 0, 0, TimeSpan.FromHours(2)), built.StartDate);
        Assert.Equal(new DateTimeOffset(2026, 12, 31, 0, 0, 0, TimeSpan.FromHours(1)), built.EndDate);
        Assert.False(built.Catchup);
    }

    [Fact]
    public void An_end_before_the_start_is_a_definition_error_naming_both()
    {
        var dag = new DagBuilder().Id("d").Schedule("@daily").StartDate(2026, 7, 1).EndDate(2026, 6, 30).Catchup();
        dag.Container("t", "busybox");

        var error = Assert.Throws<PipelineDefinitionException>(() => dag.Build());

        Assert.Contains(error.Problems, p => p.Field == "endDate" && p.Message.Contains("2026-06-30 is before the start date 2026-07-01", StringComparison.Ordinal));
    }
}
