namespace Pipelines.Hosting.Tests.EndToEnd;

/// <summary>
/// <c>--date</c> takes a day, a time in the DAG's time zone or an instant, and a run's data interval is the schedule's:
/// a tick's interval runs to the next tick, a manual run between ticks covers the last interval that closed. Dates before
/// a DAG's start or after its end, and local times the clocks skip, are usage errors that start nothing.
/// </summary>
public sealed class RunDateTests : IDisposable
{
    private readonly ProjectFolder _project = new();

    public void Dispose() => _project.Dispose();

    [Theory]
    [InlineData("2026-11-28", "interval 2026-11-26T06:00:00+01:00 2026-11-27T06:00:00+01:00 logical 2026-11-28T00:00:00+01:00 ds 2026-11-28")] // a Saturday: Thursday's interval
    [InlineData("2026-11-30T06:00", "interval 2026-11-30T06:00:00+01:00 2026-12-01T06:00:00+01:00 logical 2026-11-30T06:00:00+01:00 ds 2026-11-30")] // Monday's tick
    [InlineData("2026-11-30T05:00:00Z", "interval 2026-11-30T06:00:00+01:00 2026-12-01T06:00:00+01:00 logical 2026-11-30T06:00:00+01:00 ds 2026-11-30")] // the same instant
    [InlineData("2026-11-27T06:00:00+01:00", "interval 2026-11-27T06:00:00+01:00 2026-11-30T06:00:00+01:00 logical 2026-11-27T06:00:00+01:00 ds 2026-11-27")] // Friday to Monday
    public async Task The_date_is_read_in_the_DAGs_time_zone_and_the_interval_is_the_schedules(string date, string line)
    {
        var result = await _project.RunAsync(HostProcess.TestHost, "run", "weekday_report", "--date", date, "--runtime", "process", "--plain");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(line, result.Stdout);
    }

    [Fact]
    public async Task A_local_time_and_its_instant_are_one_run()
    {
        var local = await _project.RunAsync(HostProcess.TestHost, "run", "weekday_report", "--date", "2026-11-30T06:00", "--runtime", "process", "--plain");
        var instant = await _project.RunAsync(HostProcess.TestHost, "run", "weekday_report", "--date", "2026-11-30T05:00:00Z", "--runtime", "process", "--plain");
        var runs = await _project.RunAsync(HostProcess.TestHost, "runs", "weekday_report");

        Assert.True(local.ExitCode == 0 && instant.ExitCode == 0, $"{local}\n{instant}");
        Assert.Contains("Run manual__2026-11-30T06:00:00+01:00 of weekday_report (resuming: succeeded tasks are kept)", instant.Stdout);
        Assert.Single(runs.Stdout.Split('\n'), l => l.Contains("manual__2026-11-30T06:00:00+01:00", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("2026-03-29T02:30", "2026-03-29T02:30:00 does not exist in Europe/Paris (the clocks move forward then)")]
    [InlineData("2026-10-01", "--date '2026-10-01' is before the start date of DAG 'weekday_report' (2026-11-01T00:00:00+01:00)")]
    [InlineData("2028-01-03", "--date '2028-01-03' is after the end date of DAG 'weekday_report' (2027-12-31T00:00:00+01:00)")]
    [InlineData("2026-11-30T25:00", "--date '2026-11-30T25:00' is not a date; write YYYY-MM-DD (2026-11-25), a time in the DAG's time zone (2026-11-25T06:00)")]
    [InlineData("2026-11-30 06:00", "is not a date")]
    public async Task A_date_the_DAG_cannot_have_is_a_usage_error_that_starts_nothing(string date, string message)
    {
        var result = await _project.RunAsync(HostProcess.TestHost, "run", "weekday_report", "--date", date, "--runtime", "process");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(message, result.Stderr);
        Assert.False(Directory.Exists(_project.StateFolder));
    }
}
