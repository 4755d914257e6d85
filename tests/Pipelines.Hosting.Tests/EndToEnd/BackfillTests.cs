namespace Pipelines.Hosting.Tests.EndToEnd;

/// <summary>
/// <c>backfill</c> as a user runs it, as a child process on the process runtime: one run per scheduled date, a failed day
/// makes exit 1, and the same backfill again redoes only that day.
/// </summary>
public sealed class BackfillTests : IDisposable
{
    private readonly ProjectFolder _project = new();

    public void Dispose() => _project.Dispose();

    [Fact]
    public async Task A_week_with_one_failing_day_exits_1_and_the_rerun_redoes_only_that_day()
    {
        var marks = Directory.CreateDirectory(Path.Combine(_project.Path, "marks")).FullName;
        File.WriteAllText(Path.Combine(marks, "fail-2026-11-04"), string.Empty);
        string[] backfill = ["backfill", "backfill_days", "--from", "2026-11-01", "--to", "2026-11-07", "--param", $"marks={marks}", "--runtime", "process"];

        var first = await _project.RunAsync(HostProcess.TestHost, backfill);
        File.Delete(Path.Combine(marks, "fail-2026-11-04"));
        var again = await _project.RunAsync(HostProcess.TestHost, backfill);
        var runs = await _project.RunAsync(HostProcess.TestHost, "runs", "backfill_days");

        Assert.True(first.ExitCode == 1, first.ToString());
        Assert.Contains("Backfill of backfill_days: 7 run(s) from 2026-11-01T00:00:00+00:00 to 2026-11-07T00:00:00+00:00, 3 at once.", first.Stdout);
        foreach (var day in new[] { 1, 2, 3, 5, 6, 7 })
        {
            Assert.Contains($"[2026-11-0{day}T00:00:00+00:00] [day] ran 2026-11-0{day}", first.Stdout);
        }

        Assert.Contains("[2026-11-04T00:00:00+00:00] [day] failing 2026-11-04", first.Stdout);
        Assert.Contains("Backfill of backfill_days: 6 succeeded, 1 failed, 0 not run or stopped, of 7.", first.Stdout);
        Assert.Contains("failed: 2026-11-04T00:00:00+00:00", first.Stdout);

        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("[2026-11-04T00:00:00+00:00] [day] ran 2026-11-04", again.Stdout);
        Assert.DoesNotContain("] [day] ran 2026-11-01", again.Stdout); // kept from the first backfill, not run again
        Assert.Equal(1, again.Stdout.Split('\n').Count(l => l.Contains("[day] ran", StringComparison.Ordinal)));
        Assert.Equal(7, runs.Stdout.Split('\n').Count(l => l.StartsWith("backfill__2026-11-0", StringComparison.Ordinal) && l.Contains("success", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData(new[] { "backfill", "backfill_days", "--from", "2026-11-07", "--to", "2026-11-01" }, "--to '2026-11-01' is before --from '2026-11-07'")]
    [InlineData(new[] { "backfill", "cyclic", "--from", "2026-11-01", "--to", "2026-11-07" }, "cycle")]
    [InlineData(new[] { "backfill", "fails", "--from", "2026-11-01", "--to", "2026-11-07" }, "DAG 'fails' has no recurring schedule (manual)")]
    [InlineData(new[] { "backfill", "backfill_days", "--from", "2026-10-01", "--to", "2026-10-07" }, "has no scheduled logical date from 2026-10-01 to 2026-10-07 on or after its start date 2026-11-01T00:00:00+00:00")]
    [InlineData(new[] { "backfill", "backfill_days", "--from", "2026-11-01", "--to", "2026-11-07", "--max-active-runs", "0" }, "--max-active-runs '0' is not a run count")]
    [InlineData(new[] { "backfill", "backfill_days", "--from", "nov", "--to", "2026-11-07" }, "--from 'nov' is not a date")]
    public async Task A_backfill_that_cannot_run_is_a_usage_error_that_starts_nothing(string[] args, string message)
    {
        var result = await _project.RunAsync(HostProcess.TestHost, args);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(message, result.Stderr);
        Assert.False(Directory.Exists(_project.StateFolder));
    }
}
