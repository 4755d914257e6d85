namespace Pipelines.Core.Tests.Model;

/// <summary>
/// Logical dates and data intervals as Airflow's timetables define them: a tick starts the interval that ends at the next
/// tick; a manual run between ticks covers the last interval that closed; a daylight saving change neither skips nor
/// doubles an interval.
/// </summary>
public sealed class DataIntervalTests
{
    private static readonly TimeSpan Cet = TimeSpan.FromHours(1);
    private static readonly TimeSpan Cest = TimeSpan.FromHours(2);

    [Theory]
    [InlineData("@hourly", "2026-11-25T13:00:00+00:00", "2026-11-25T14:00:00+00:00")]
    [InlineData("@daily", "2026-11-25T00:00:00+00:00", "2026-11-26T00:00:00+00:00")]
    [InlineData("@weekly", "2026-11-29T00:00:00+00:00", "2026-12-06T00:00:00+00:00")] // Sundays, as cron's 0
    [InlineData("@monthly", "2026-11-01T00:00:00+00:00", "2026-12-01T00:00:00+00:00")]
    [InlineData("@quarterly", "2026-10-01T00:00:00+00:00", "2027-01-01T00:00:00+00:00")]
    [InlineData("@yearly", "2026-01-01T00:00:00+00:00", "2027-01-01T00:00:00+00:00")]
    public void A_tick_of_each_preset_starts_the_interval_that_ends_at_the_next_tick(string preset, string tick, string next)
    {
        var schedule = Parse(preset);

        var interval = schedule.IntervalFor(DateTimeOffset.Parse(tick));

        Assert.Equal(new DataInterval(DateTimeOffset.Parse(tick), DateTimeOffset.Parse(next)), interval);
        Assert.True(schedule.IsTick(DateTimeOffset.Parse(tick)));
    }

    [Theory]
    [InlineData("@hourly", "2026-11-25T13:20:00+00:00", "2026-11-25T12:00:00+00:00", "2026-11-25T13:00:00+00:00")]
    [InlineData("@daily", "2026-11-25T09:30:00+00:00", "2026-11-24T00:00:00+00:00", "2026-11-25T00:00:00+00:00")]
    [InlineData("@monthly", "2026-11-25T00:00:00+00:00", "2026-10-01T00:00:00+00:00", "2026-11-01T00:00:00+00:00")]
    public void A_manual_run_between_ticks_covers_the_last_interval_that_closed(string preset, string logical, string start, string end) =>
        Assert.Equal(new DataInterval(DateTimeOffset.Parse(start), DateTimeOffset.Parse(end)), Parse(preset).IntervalFor(DateTimeOffset.Parse(logical)));

    [Fact]
    public void A_weekday_cron_in_Paris_on_a_Saturday_covers_Thursday_to_Friday_not_54_hours_from_midnight()
    {
        var schedule = Parse("0 6 * * 1-5", "Europe/Paris");
        var saturday = schedule.Local(new DateTime(2026, 11, 28), out _)!.Value;

        var interval = schedule.IntervalFor(saturday);

        Assert.Equal(new DataInterval(new(2026, 11, 26, 6, 0, 0, Cet), new(2026, 11, 27, 6, 0, 0, Cet)), interval);
        Assert.Equal(new DataInterval(new(2026, 11, 27, 6, 0, 0, Cet), new(2026, 11, 30, 6, 0, 0, Cet)), schedule.IntervalFor(new(2026, 11, 27, 6, 0, 0, Cet))); // Friday's tick: to Monday
    }

    [Theory]
    [InlineData(null)]
    [InlineData("@once")]
    public void Without_a_recurring_schedule_the_interval_is_the_instant(string? expression)
    {
        var logical = new DateTimeOffset(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);

        Assert.Equal(new DataInterval(logical, logical), Parse(expression).IntervalFor(logical));
    }

    [Fact]
    public void A_daily_cron_at_a_time_the_spring_change_skips_still_has_one_interval_a_day_end_to_end()
    {
        // Europe/Paris, 2026-03-29: 02:00 → 03:00. The 02:30 tick does not exist that day; it fires at 03:00.
        var schedule = Parse("30 2 * * *", "Europe/Paris");

        var ticks = schedule.Occurrences(new(2026, 3, 27, 0, 0, 0, Cet), new(2026, 3, 31, 0, 0, 0, Cest)).ToList();
        var intervals = ticks.Select(schedule.IntervalFor).ToList();

        Assert.Equal([new(2026, 3, 27, 2, 30, 0, Cet), new(2026, 3, 28, 2, 30, 0, Cet), new(2026, 3, 29, 3, 0, 0, Cest), new DateTimeOffset(2026, 3, 30, 2, 30, 0, Cest)], ticks);
        Assert.All(intervals.Zip(intervals.Skip(1)), pair => Assert.Equal(pair.First.End, pair.Second.Start)); // none skipped, none overlapping
    }

    [Fact]
    public void A_daily_cron_at_a_time_the_autumn_change_repeats_fires_once_that_day()
    {
        // Europe/Paris, 2026-10-25: 03:00 → 02:00. 02:30 happens twice; the schedule has one run that day.
        var schedule = Parse("30 2 * * *", "Europe/Paris");

        var ticks = schedule.Occurrences(new(2026, 10, 24, 0, 0, 0, Cest), new(2026, 10, 27, 0, 0, 0, Cet)).ToList();
        var intervals = ticks.Select(schedule.IntervalFor).ToList();

        Assert.Equal(3, ticks.Count);
        Assert.Equal([24, 25, 26], ticks.Select(t => t.Day));
        Assert.All(intervals.Zip(intervals.Skip(1)), pair => Assert.Equal(pair.First.End, pair.Second.Start));
    }

    [Theory]
    [InlineData(3, 29, 23)] // spring: a 23-hour day has 23 hourly intervals
    [InlineData(10, 25, 25)] // autumn: a 25-hour day has 25
    public void Hourly_intervals_stay_an_hour_long_through_both_changes(int month, int day, int hours)
    {
        var schedule = Parse("@hourly", "Europe/Paris");
        var midnight = schedule.Local(new DateTime(2026, month, day), out _)!.Value;
        var nextMidnight = schedule.Local(new DateTime(2026, month, day + 1), out _)!.Value;

        var intervals = schedule.Occurrences(midnight, nextMidnight.AddTicks(-1)).Select(schedule.IntervalFor).ToList();

        Assert.Equal(hours, intervals.Count);
        Assert.All(intervals, i => Assert.Equal(TimeSpan.FromHours(1), i.End - i.Start));
        Assert.Equal(nextMidnight, intervals[^1].End);
    }

    [Fact]
    public void A_local_time_the_clocks_skip_is_refused_and_one_they_repeat_is_the_first()
    {
        var schedule = Parse("@daily", "Europe/Paris");

        Assert.Null(schedule.Local(new DateTime(2026, 3, 29, 2, 30, 0), out var error));
        Assert.Contains("does not exist in Europe/Paris", error);
        Assert.Equal(new DateTimeOffset(2026, 10, 25, 2, 30, 0, Cest), schedule.Local(new DateTime(2026, 10, 25, 2, 30, 0), out _));
    }

    [Fact]
    public void A_run_on_a_tick_and_a_manual_run_name_their_interval_in_templates()
    {
        var dag = new DagBuilder().Id("d").Schedule("0 6 * * 1-5", "Europe/Paris");
        dag.Container("t", "busybox").Command("echo", "<< data_interval_start >>", "<< data_interval_end >>", "<< ds >>");
        var built = dag.Build();

        var manual = RunContext.Create(built, new DateOnly(2026, 11, 28), EnvironmentConfig());
        var resolved = Pipelines.Resolution.TaskResolver.Resolve(manual, built["t"], 1);

        Assert.Equal(["echo", "2026-11-26T06:00:00+01:00", "2026-11-27T06:00:00+01:00", "2026-11-28"], resolved.Task.Command);
        Assert.Equal("manual__2026-11-28T00:00:00+01:00", manual.RunId);
    }

    private static Pipelines.Environments.EnvironmentConfig EnvironmentConfig() => Pipelines.Environments.EnvironmentConfig.DefaultLocal;

    private static Schedule Parse(string? cron, string? zone = null)
    {
        Assert.True(Schedule.TryParse(cron, zone, out var schedule, out var error), error);
        return schedule;
    }
}
