using Pipelines.Environments;
using Pipelines.Execution.Runtimes;
using Pipelines.Resolution;

namespace Pipelines.RuntimeContract;

/// <summary>
/// What every runtime promises the executor (<see cref="IContainerRuntime"/>, <see cref="IRuntimeSession"/>), as tests a
/// runtime's test project inherits: the process and simulated runtimes now, Docker and Kubernetes when they come. A derived
/// class says how an attempt does what an <see cref="AttemptPlan"/> says on its runtime, and how a held attempt is released.
/// </summary>
public abstract class RuntimeContractTests
{
    /// <summary>How long a test waits for a runtime before it fails.</summary>
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>The runtime under test.</summary>
    protected abstract IContainerRuntime Runtime { get; }

    /// <summary>Makes task <paramref name="taskId"/> do what <paramref name="plan"/> says on this runtime (a command, or a script of a simulation).</summary>
    protected abstract void Define(string taskId, TaskBuilder task, AttemptPlan plan);

    /// <summary>Lets a held attempt (<see cref="AttemptPlan.Held"/>) go on to its end.</summary>
    protected internal abstract Task ReleaseAsync(ResolvedTask attempt);

    private static CancellationToken TestCancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_attempt_reports_its_start_then_its_lines_in_order_then_how_it_exited()
    {
        var attempt = Attempt(new AttemptPlan(ExitCode: 3, Lines: ["one", "two", "three"]));
        var sink = new ContractSink();

        var result = await RunAsync(attempt, sink);

        Assert.Equal((AttemptOutcome.Exited, (int?)3), (result.Outcome, result.ExitCode));
        Assert.True(sink.Started.IsCompleted, "the start was never reported");
        Assert.Equal(0, sink.LinesBeforeStart);
        Assert.Equal(["one", "two", "three"], sink.Texts);
        Assert.All(sink.Lines, l => Assert.NotEqual(default, l.Timestamp));
        Assert.Equal(sink.Lines.Select(l => l.Timestamp).Order(), sink.Lines.Select(l => l.Timestamp));
    }

    [Fact]
    public async Task The_output_comes_back_as_the_task_wrote_it()
    {
        const string Output = """{"rows": 9007199254740993, "name": "x"}""";
        var attempt = Attempt(new AttemptPlan(Output: Output));

        var result = await RunAsync(attempt, new ContractSink());

        Assert.Equal(AttemptResult.Exited(0, Output), result);
    }

    [Fact]
    public async Task A_cancelled_attempt_is_stopped()
    {
        var attempt = Attempt(new AttemptPlan(Lines: ["ready"], UntilStopped: true));
        var sink = new ContractSink();
        using var cancel = new CancellationTokenSource();
        await using var session = await Runtime.OpenAsync(attempt.Run, TestCancel);

        var running = session.RunAsync(attempt, sink, cancel.Token);
        await sink.LinesAsync(1, Patience);
        await cancel.CancelAsync();
        var result = await running.WaitAsync(Patience, TestCancel);

        Assert.Equal(AttemptOutcome.Stopped, result.Outcome);
    }

    [Fact]
    public async Task Adopting_an_attempt_that_never_started_finds_nothing()
    {
        var attempt = Attempt(new AttemptPlan());
        await using var session = await Runtime.OpenAsync(attempt.Run, TestCancel);

        var result = await session.AdoptAsync(attempt, handle: null, resumeAfter: null, new ContractSink(), TestCancel);

        Assert.Null(result);
    }

    [Fact]
    public async Task An_ended_attempt_is_read_again_until_it_is_forgotten()
    {
        var attempt = Attempt(new AttemptPlan(ExitCode: 0, Lines: ["only"], Output: """{"n": 1}"""));
        var first = new ContractSink();
        var ended = await RunAsync(attempt, first);
        var (cursor, _) = first.Kept();

        await using var session = await Runtime.OpenAsync(attempt.Run, TestCancel);
        var again = new ContractSink();
        var read = await session.AdoptAsync(attempt, first.Handle, cursor, again, TestCancel);
        await session.ForgetAsync(AttemptKey.Of(attempt));
        var forgotten = await session.AdoptAsync(attempt, handle: null, cursor, new ContractSink(), TestCancel);
        await session.ForgetAsync(AttemptKey.Of(attempt)); // twice: nothing left is no error

        Assert.Equal(ended, read);
        Assert.Empty(again.Texts); // every line was kept before its cursor
        Assert.Null(forgotten);
    }

    [Fact]
    public async Task A_running_attempt_is_re_attached_and_its_log_continues_after_the_kept_cursor_without_a_gap_or_a_repeat()
    {
        var plan = new AttemptPlan(ExitCode: 4, Lines: ["a", "b"], Held: true, LinesAfter: ["c", "d"], Output: """{"done": true}""");
        var attempt = Attempt(plan);
        var dead = new ContractSink();
        await using var deadSession = await Runtime.OpenAsync(attempt.Run, TestCancel);
        using var stopDead = new CancellationTokenSource();
        var deadRun = deadSession.RunAsync(attempt, dead, stopDead.Token); // the host that "dies": its session is left as it is
        await dead.LinesAsync(2, Patience);
        var (cursor, kept) = dead.Kept();
        var keptLines = dead.Texts.Take(kept).ToList();

        await using var session = await Runtime.OpenAsync(attempt.Run, TestCancel);
        var adopter = new ContractSink();
        var adopted = session.AdoptAsync(attempt, await dead.Started, cursor, adopter, TestCancel);
        await ReleaseAsync(attempt);
        var result = await adopted.WaitAsync(Patience, TestCancel);
        await deadRun.WaitAsync(Patience, TestCancel);

        Assert.Equal(AttemptResult.Exited(4, """{"done": true}"""), result);
        Assert.Equal(plan.AllLines, [.. keptLines, .. adopter.Texts]);
    }

    [Fact]
    public async Task The_leftovers_of_a_run_are_its_attempts_not_yet_forgotten_and_no_other_run_s()
    {
        var run = Run(("t1", new AttemptPlan()), ("t2", new AttemptPlan(ExitCode: 1)));
        var other = Run(("t3", new AttemptPlan()));
        foreach (var attempt in new[] { Resolve(run, "t1"), Resolve(run, "t2"), Resolve(other, "t3") })
        {
            await RunAsync(attempt, new ContractSink());
        }

        await using var session = await Runtime.OpenAsync(run, TestCancel);
        var all = await session.FindLeftoversAsync(TestCancel);
        await session.ForgetAsync(AttemptKey.Of(Resolve(run, "t1")));
        var rest = await session.FindLeftoversAsync(TestCancel);

        Assert.Equal(["t1", "t2"], all.Select(l => l.Attempt.TaskId).Order(StringComparer.Ordinal));
        Assert.All(all, l => Assert.False(l.Running));
        Assert.Equal(["t2"], rest.Select(l => l.Attempt.TaskId));
    }

    [Fact]
    public async Task Forgetting_an_attempt_that_runs_stops_it()
    {
        var attempt = Attempt(new AttemptPlan(Lines: ["ready"], UntilStopped: true));
        var sink = new ContractSink();
        await using var session = await Runtime.OpenAsync(attempt.Run, TestCancel);

        var running = session.RunAsync(attempt, sink, TestCancel);
        await sink.LinesAsync(1, Patience);
        Assert.Contains(await session.FindLeftoversAsync(TestCancel), l => l.Attempt == AttemptKey.Of(attempt) && l.Running);
        await session.ForgetAsync(AttemptKey.Of(attempt));
        var result = await running.WaitAsync(Patience, TestCancel);

        Assert.NotEqual(AttemptResult.Exited(0), result);
        Assert.DoesNotContain(await session.FindLeftoversAsync(TestCancel), l => l.Attempt == AttemptKey.Of(attempt));
    }

    [Fact]
    public async Task A_session_may_be_disposed_twice()
    {
        var session = await Runtime.OpenAsync(Run(("t", new AttemptPlan())), TestCancel);

        await session.DisposeAsync();
        await session.DisposeAsync();
    }

    /// <summary>A run of a DAG of its own (a fresh id, so attempts of two tests never meet) whose one task <c>t</c> follows <paramref name="plan"/>; its first attempt.</summary>
    protected ResolvedTask Attempt(AttemptPlan plan) => Resolve(Run(("t", plan)), "t");

    /// <summary>A run of a DAG of its own whose tasks follow their plans.</summary>
    protected RunContext Run(params (string TaskId, AttemptPlan Plan)[] tasks)
    {
        var dag = new DagBuilder().Id("contract_" + Guid.NewGuid().ToString("N")[..12]).Schedule("@daily");
        foreach (var (taskId, plan) in tasks)
        {
            Define(taskId, dag.Container(taskId, "registry.localhost/contract/busybox:1"), plan);
        }

        return RunContext.Create(dag.Build(), new DateOnly(2026, 11, 25), EnvironmentConfig.DefaultLocal);
    }

    /// <summary>Attempt <paramref name="tryNumber"/> of a task of <paramref name="run"/>, resolved.</summary>
    protected static ResolvedTask Resolve(RunContext run, string taskId, int tryNumber = 1) => TaskResolver.Resolve(run, run.Dag[taskId], tryNumber);

    private async Task<AttemptResult> RunAsync(ResolvedTask attempt, ContractSink sink)
    {
        await using var session = await Runtime.OpenAsync(attempt.Run, TestCancel);
        return await session.RunAsync(attempt, sink, TestCancel).WaitAsync(Patience, TestCancel);
    }
}
