using System.Collections.Concurrent;
using Pipelines.Execution.Runtimes;
using Pipelines.Hosting.Catalog;
using Pipelines.Rendering;
using Pipelines.Testing;

namespace Pipelines.Hosting.Tests.Commands;

/// <summary><c>backfill</c> keeps at most <c>--max-active-runs</c> (else the DAG's <c>MaxActiveRuns</c>) runs going at once, and uses them.</summary>
public sealed class BackfillLimitTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("pipelines-backfill-limit-").FullName;
    private readonly ConcurrentBag<SimulatedRuntime> _runtimes = [];

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData(null, 3)] // the DAG's MaxActiveRuns
    [InlineData("2", 2)]
    [InlineData("1", 1)]
    public async Task At_most_the_limit_of_runs_go_at_once_and_the_limit_is_reached(string? limit, int expected)
    {
        string[] args = ["backfill", "slow_days", "--from", "2026-11-01", "--to", "2026-11-08", "--runtime", "simulated", .. limit is null ? [] : new[] { "--max-active-runs", limit }];
        var output = new StringWriter();

        var exit = await PipelineHost.RunAsync(args, PipelineCatalog.FromPipelines([new SlowDays()]), new PipelineHostOptions
        {
            Out = output,
            Error = output,
            WorkingDirectory = _folder,
            GetEnvironmentVariable = _ => null,
            Runtimes = [new Provider(_runtimes)],
        }, TestContext.Current.CancellationToken);

        Assert.True(exit == 0, output.ToString());
        var attempts = _runtimes.SelectMany(r => r.History).ToList();
        Assert.Equal(8, attempts.Select(a => a.Attempt.Run.RunId).Distinct().Count());
        // The most runs live at one instant: at each attempt's start, the attempts that had started and not yet ended.
        var most = attempts.Max(a => attempts.Where(b => b.Start <= a.Start && a.Start < b.End).Select(b => b.Attempt.Run.RunId).Distinct().Count());
        Assert.Equal(expected, most);
    }

    private sealed class SlowDays : IPipeline
    {
        public void Define(DagBuilder dag)
        {
            dag.Id("slow_days").Schedule("@daily").StartDate(2026, 11, 1).MaxActiveRuns(3);
            dag.Container("work", "img");
        }
    }

    private sealed class Provider(ConcurrentBag<SimulatedRuntime> runtimes) : IRuntimeProvider
    {
        public string Name => "simulated";

        public ISpecRenderer? Renderer => null;

        public bool Automatic => false;

        public ValueTask<RuntimeProbe> ProbeAsync(RunContext run, string projectRoot, CancellationToken cancellationToken) =>
            ValueTask.FromResult(RuntimeProbe.Ready("simulated"));

        public IContainerRuntime Create(RuntimeSetup setup)
        {
            var runtime = new SimulatedRuntime(setup.Time) { Default = _ => new SimulatedAttempt(TimeSpan.FromMilliseconds(150)) };
            runtimes.Add(runtime);
            return runtime;
        }
    }
}
