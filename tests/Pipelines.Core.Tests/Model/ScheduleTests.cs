namespace Pipelines.Core.Tests.Model;

public sealed class ScheduleTests
{
    private static Schedule Parse(string? cron, string? zone = null)
    {
        Assert.True(Schedule.TryParse(cron, zone, out var schedule, out var error), error);
        return schedule;
    }

    [Fact]
    public void A_daily_run_covers_the_day_that_starts_at_its_logical_date()
    {
        var logical = new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero);

        Assert.Equal(logical.AddDays(1), Parse("@daily").DataIntervalEnd(logical));
    }

    [Fact]
    public void Intervals_follow_the_time_zone_across_a_daylight_saving_change()
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Amsterdam");
        var logical = new DateTimeOffset(2026, 10, 25, 0, 0, 0, zone.GetUtcOffset(new DateTime(2026, 10, 25)));

        var end = Parse("@daily", "Europe/Amsterdam").DataIntervalEnd(logical);

        Assert.Equal(new DateTimeOffset(2026, 10, 26, 0, 0, 0, TimeSpan.FromHours(1)), end);
        Assert.Equal(TimeSpan.FromHours(25), end - logical);
    }

    [Fact]
    public void Quarterly_runs_on_the_first_of_every_third_month()
    {
        var from = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        var dates = Parse("@quarterly").Occurrences(from, from.AddYears(1).AddDays(-1)).Select(d => d.Month);

        Assert.Equal([1, 4, 7, 10], dates);
    }

    [Fact]
    public void Manual_and_once_schedules_have_no_next_time()
    {
        var logical = new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero);

        Assert.False(Parse(null).IsRecurring);
        Assert.Equal(logical, Parse("@once").DataIntervalEnd(logical));
        Assert.Empty(Parse("@once").Occurrences(logical, logical.AddDays(10)));
        Assert.Equal("manual", Parse(null).ToString());
    }
}
