using Microsoft.Extensions.Time.Testing;
using Pipelines.Hosting.Catalog;

namespace Pipelines.Hosting.Tests.Commands;

/// <summary><c>next DAG</c>: the next runs of its schedule from now, within its start and end dates.</summary>
public sealed class NextCommandTests : IDisposable
{
    private readonly StringWriter _out = new();
    private readonly StringWriter _error = new();
    private readonly string _folder = Directory.CreateTempSubdirectory("pipelines-next-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task The_interval_in_progress_comes_first_then_the_ones_after_it()
    {
        var now = new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero); // a Saturday

        var exit = await RunAsync(now, "next", "weekdays", "--count", "3");

        Assert.Equal(0, exit);
        var lines = _out.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("weekdays: 0 6 * * 1-5 (Europe/Paris), from 2026-11-01T00:00:00+01:00, catchup off", lines[0]);
        Assert.StartsWith("2026-11-27T06:00:00+01:00   2026-11-27T06:00:00+01:00 → 2026-11-30T06:00:00+01:00", lines[2]); // Friday's, due on Monday
        Assert.EndsWith("2026-11-30T06:00:00+01:00", lines[2]);
        Assert.StartsWith("2026-11-30T06:00:00+01:00", lines[3]);
        Assert.StartsWith("2026-12-01T06:00:00+01:00", lines[4]);
        Assert.Equal(5, lines.Length);
    }

    [Fact]
    public async Task Before_the_start_date_the_first_run_is_the_first_tick_on_or_after_it()
    {
        var exit = await RunAsync(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), "next", "weekdays", "--count", "1");

        Assert.Equal(0, exit);
        Assert.Contains("2026-11-02T06:00:00+01:00", _out.ToString().Split('\n')[2]); // the first weekday 06:00 from 1 November
    }

    [Fact]
    public async Task A_DAG_without_a_schedule_has_no_next_run_and_a_bad_count_is_a_usage_error()
    {
        var manual = await RunAsync(DateTimeOffset.UtcNow, "next", "manual");
        var bad = await RunAsync(DateTimeOffset.UtcNow, "next", "weekdays", "--count", "0");

        Assert.Equal(0, manual);
        Assert.Contains("No schedule: it runs only when asked", _out.ToString());
        Assert.Equal(2, bad);
        Assert.Contains("--count '0' is not a count of runs", _error.ToString());
    }

    private Task<int> RunAsync(DateTimeOffset now, params string[] args) =>
        PipelineHost.RunAsync(args, PipelineCatalog.FromPipelines([new Weekdays(), new Manual()]), new PipelineHostOptions
        {
            Out = _out,
            Error = _error,
            WorkingDirectory = _folder,
            GetEnvironmentVariable = _ => null,
            Time = new FakeTimeProvider(now),
        });

    private sealed class Weekdays : IPipeline
    {
        public void Define(DagBuilder dag)
        {
            dag.Id("weekdays").Schedule("0 6 * * 1-5", "Europe/Paris").StartDate(2026, 11, 1);
            dag.Container("t", "img");
        }
    }

    private sealed class Manual : IPipeline
    {
        public void Define(DagBuilder dag)
        {
            dag.Id("manual");
            dag.Container("t", "img");
        }
    }
}
