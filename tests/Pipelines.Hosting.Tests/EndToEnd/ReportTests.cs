using System.Text.RegularExpressions;

namespace Pipelines.Hosting.Tests.EndToEnd;

/// <summary>
/// <c>report DAG --date D --html FILE</c> as a user runs it: one self-contained page (no script, no network, no external
/// file) with a graph node per task coloured by state, a Gantt bar per attempt, and each task's output and log tail.
/// </summary>
public sealed partial class ReportTests : IDisposable
{
    private readonly ProjectFolder _project = new("""{ "environments": { "local": { "runtime": "process" } } }""");

    public void Dispose() => _project.Dispose();

    [Fact]
    public async Task The_report_of_orders_daily_shows_every_task_its_attempts_outputs_and_logs_with_nothing_external()
    {
        var run = await _project.RunAsync(HostProcess.ExamplesHost, "run", "orders_daily", "--date", "2026-11-25", "--plain");
        var report = await _project.RunAsync(HostProcess.ExamplesHost, "report", "orders_daily", "--date", "2026-11-25", "--html", "report.html");
        var html = File.ReadAllText(Path.Combine(_project.Path, "report.html"));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.True(report.ExitCode == 0, report.ToString());
        Assert.Contains("Wrote the report of orders_daily manual__2026-11-25T00:00:00+00:00 (success)", report.Stdout);
        string[] tasks = ["generate_orders", "validate_orders", "aggregate_by_region", "aggregate_by_customer", "report"];
        Assert.Equal(tasks.Order(), GraphNodes().Matches(html).Select(m => m.Groups[1].Value).Order());
        Assert.Equal(5, GanttBars().Matches(html).Count);
        Assert.All(tasks, t => Assert.Contains($"id=\"task-{t}\"", html));
        Assert.Contains("{&quot;rows&quot;: ", html); // validate_orders' output
        Assert.Contains("Orders report for 2026-11-25", html); // the report task's log tail
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotMatch(@"(src|href)\s*=\s*""?https?:", html);
        Assert.Equal(["http://www.w3.org/2000/svg"], Urls().Matches(html).Select(m => m.Value).Distinct());
    }

    [Fact]
    public async Task A_failed_task_is_shown_failed_with_its_reason_and_a_date_without_a_run_is_a_usage_error()
    {
        await _project.RunAsync(HostProcess.TestHost, "run", "fails", "--date", "2026-11-25", "--plain");
        var report = await _project.RunAsync(HostProcess.TestHost, "report", "fails", "--date", "2026-11-25", "--html", "fails.html");
        var none = await _project.RunAsync(HostProcess.TestHost, "report", "fails", "--date", "2026-11-26", "--html", "none.html");
        var html = File.ReadAllText(Path.Combine(_project.Path, "fails.html"));

        Assert.True(report.ExitCode == 0, report.ToString());
        Assert.Contains("<span class=\"state failed\">failed</span>", html);
        Assert.Contains("class=\"reason\">exit code", html);
        Assert.True(none.ExitCode == 2, none.ToString());
        Assert.Contains("DAG 'fails' has no run for 2026-11-26", none.Stderr);
        Assert.False(File.Exists(Path.Combine(_project.Path, "none.html")));
    }

    [GeneratedRegex("<g class=\"node\" data-task=\"([^\"]+)\"")]
    private static partial Regex GraphNodes();

    [GeneratedRegex("<rect class=\"bar\"")]
    private static partial Regex GanttBars();

    [GeneratedRegex("https?://[^\"'\\s<>)]+")]
    private static partial Regex Urls();
}
