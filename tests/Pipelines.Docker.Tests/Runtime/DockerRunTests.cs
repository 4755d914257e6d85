using Pipelines.Environments;
using Pipelines.Execution;
using Pipelines.Execution.State;
using Pipelines.RuntimeContract;

namespace Pipelines.Docker.Tests.Runtime;

/// <summary>
/// Whole DAGs run by the executor on the Docker runtime and a real engine: what a task sees in its container (env,
/// secrets, volumes, user, capabilities, limits), what comes back (log, output, exit), and what is left afterwards.
/// </summary>
public sealed class DockerRunTests : IAsyncLifetime
{
    private const string Secret = "s3cr3t-Value-9876";
    private DockerTestBed? _bed;

    private DockerTestBed Bed => _bed ?? throw new InvalidOperationException("the test bed is not started");

    public async ValueTask InitializeAsync() =>
        _bed = await DockerTestBed.StartAsync(new Dictionary<string, string> { ["PIPELINES_SECRET_DB_PASSWORD"] = Secret });

    public async ValueTask DisposeAsync()
    {
        if (_bed is not null)
        {
            await _bed.DisposeAsync();
        }
    }

    [Fact]
    public async Task Env_and_secrets_reach_the_process_and_the_secret_is_masked_in_its_log()
    {
        var (outcome, logs) = await RunAsync(dag => dag.Container("t", DockerTestBed.Image)
            .Env("GREETING", "hello << ds >>")
            .SecretEnv("DB_PASSWORD", new SecretRef("db", "password"))
            .Command("sh", "-c", "echo \"greeting=$GREETING\"; echo \"password=$DB_PASSWORD\"; [ \"$DB_PASSWORD\" = '" + Secret + "' ] && echo same"));

        Assert.True(outcome.State == RunState.Success, outcome.ToString());
        Assert.Equal(["greeting=hello 2026-11-25", "password=***", "same"], logs["t"]);
        Assert.DoesNotContain(logs.Values.SelectMany(l => l), l => l.Contains(Secret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Kubernetes_variable_references_are_expanded_as_in_a_pod()
    {
        var (outcome, logs) = await RunAsync(dag => dag.Container("t", DockerTestBed.Image)
            .Env("NAME", "world")
            .Env("GREETING", "hello $(NAME)")
            .Command("echo", "$(GREETING)", "$$(NAME)", "$(UNDEFINED)"));

        Assert.True(outcome.State == RunState.Success, outcome.ToString());
        Assert.Equal(["hello world $(NAME) $(UNDEFINED)"], logs["t"]);
    }

    [Fact]
    public async Task A_named_volume_is_shared_by_two_tasks_and_an_output_is_read_back()
    {
        var volume = "pipelines-test-" + Bed.StoreId;
        try
        {
            var (outcome, logs) = await RunAsync(dag =>
            {
                var write = dag.Container("write", DockerTestBed.Image).Mount(Volume.Named(volume), "/data")
                    .Command("sh", "-c", "echo shared > /data/file; printf '{\"n\": 42}' > \"$PIPELINES_OUTPUT\"");
                var read = dag.Container("read", DockerTestBed.Image).Mount(Volume.Named(volume), "/data")
                    .Command("sh", "-c", "cat /data/file; echo 'n=<< tasks.write.output.n >>'");
                write.Then(read);
            });

            Assert.True(outcome.State == RunState.Success, outcome.ToString());
            Assert.Equal(["shared", "n=42"], logs["read"]);
        }
        finally
        {
            await Bed.Client.Volumes.RemoveAsync(volume, force: true, TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task A_sub_path_of_a_named_volume_is_mounted_or_refused_never_dropped()
    {
        var volume = "pipelines-test-sub-" + Bed.StoreId;
        var api = System.Version.Parse((await Bed.Client.System.GetVersionAsync(TestContext.Current.CancellationToken)).APIVersion);
        try
        {
            var (outcome, logs) = await RunAsync(dag =>
            {
                var make = dag.Container("make", DockerTestBed.Image).Mount(Volume.Named(volume), "/data").Command("sh", "-c", "mkdir -p /data/sub; echo inside > /data/sub/f");
                var read = dag.Container("read", DockerTestBed.Image).Mount(Volume.Named(volume), "/part", subPath: "sub").Command("cat", "/part/f");
                make.Then(read);
            });

            if (api < new System.Version(1, 45))
            {
                Assert.Equal(RunState.Failed, outcome.State);
                Assert.Contains($"a sub-path of a named volume needs Docker Engine API 1.45 (Docker 26) or later; this engine speaks {api}", outcome.Attempts["read"].Reason);
            }
            else
            {
                Assert.True(outcome.State == RunState.Success, outcome.ToString());
                Assert.Equal(["inside"], logs["read"]);
            }
        }
        finally
        {
            await Bed.Client.Volumes.RemoveAsync(volume, force: true, TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task A_read_only_mount_refuses_writes()
    {
        var volume = "pipelines-test-ro-" + Bed.StoreId;
        try
        {
            var (outcome, logs) = await RunAsync(dag => dag.Container("t", DockerTestBed.Image).Mount(Volume.Named(volume), "/data", readOnly: true)
                .Command("sh", "-c", "if touch /data/x 2>/dev/null; then echo wrote; else echo refused; fi"));

            Assert.True(outcome.State == RunState.Success, outcome.ToString());
            Assert.Equal(["refused"], logs["t"]);
        }
        finally
        {
            await Bed.Client.Volumes.RemoveAsync(volume, force: true, TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task A_volume_the_task_s_user_may_not_write_is_named_in_the_failure()
    {
        var volume = "pipelines-test-denied-" + Bed.StoreId;
        try
        {
            var (outcome, _) = await RunAsync(dag =>
            {
                var make = dag.Container("make", DockerTestBed.Image).Mount(Volume.Named(volume), "/data").Command("sh", "-c", "mkdir -p /data/out; chmod 755 /data/out");
                var write = dag.Container("write", DockerTestBed.Image).Mount(Volume.Named(volume), "/data").RunAs(65534, group: 65534)
                    .Command("sh", "-c", "echo x > /data/out/file");
                make.Then(write);
            });

            Assert.Equal(RunState.Failed, outcome.State);
            Assert.StartsWith(
                "exit code 1 (the task was refused access to the volume at /data (Permission denied): it runs as user 65534,",
                outcome.Attempts["write"].Reason);
        }
        finally
        {
            await Bed.Client.Volumes.RemoveAsync(volume, force: true, TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task The_user_and_dropped_capabilities_are_in_effect_and_the_output_is_read_with_a_read_only_root()
    {
        var (outcome, logs) = await RunAsync(dag => dag.Container("t", DockerTestBed.Image)
            .RunAs(65534, group: 65534)
            .ReadOnlyRootFilesystem()
            .DropCapabilities("ALL")
            .Command("sh", "-c", "id -u; id -g; grep CapEff /proc/self/status; if touch /x 2>/dev/null; then echo root-writable; fi; printf '{\"user\": %d}' \"$(id -u)\" > \"$PIPELINES_OUTPUT\""));

        Assert.True(outcome.State == RunState.Success, outcome.ToString());
        Assert.Equal(["65534", "65534", "CapEff:\t0000000000000000"], logs["t"]);
        Assert.Equal("""{"user": 65534}""", outcome.Attempts["t"].Output);
    }

    [Fact]
    public async Task A_memory_limit_that_is_passed_is_reported_as_oom_killed_with_the_limit()
    {
        var (outcome, _) = await RunAsync(dag => dag.Container("t", DockerTestBed.Image)
            .Resources(limits: new(Memory: "16Mi"))
            .Command("dd", "if=/dev/zero", "of=/dev/null", "bs=64M", "count=1"));

        Assert.Equal(RunState.Failed, outcome.State);
        Assert.Contains("OOM-killed", outcome.Attempts["t"].Reason, StringComparison.Ordinal);
        Assert.Contains("16Mi", outcome.Attempts["t"].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task What_an_attempt_used_is_recorded_a_task_holding_64_MiB_peaks_at_64_MiB_or_more()
    {
        var (outcome, _) = await RunAsync(dag => dag.Container("t", DockerTestBed.Image)
            .Command("sh", "-c", "x=$(head -c 67108864 /dev/zero | tr '\\0' a); sleep 3; echo ${#x}"));

        Assert.True(outcome.State == RunState.Success, outcome.ToString());
        var attempt = outcome.Attempts["t"];
        Assert.True(attempt.MemoryPeakBytes >= 64L * 1024 * 1024, $"peak {attempt.MemoryPeakBytes}");
        Assert.True(attempt.CpuSeconds > 0, $"cpu {attempt.CpuSeconds}");
    }

    [Theory]
    [InlineData(CleanupPolicy.Delete, 0, 0)]
    [InlineData(CleanupPolicy.Delete, 1, 0)]
    [InlineData(CleanupPolicy.DeleteOnSuccess, 0, 0)]
    [InlineData(CleanupPolicy.DeleteOnSuccess, 1, 1)]
    [InlineData(CleanupPolicy.Keep, 0, 1)]
    [InlineData(CleanupPolicy.Keep, 1, 1)]
    public async Task Each_cleanup_policy_keeps_what_it_says(CleanupPolicy policy, int exitCode, int containersLeft)
    {
        await RunAsync(dag => dag.Container("t", DockerTestBed.Image).Cleanup(policy).Command("sh", "-c", $"exit {exitCode}"));

        Assert.Equal(containersLeft, (await Bed.ContainersAsync()).Count);
        Assert.Equal(containersLeft, (await Bed.VolumesAsync()).Count); // the attempt's output volume goes with its container
    }

    [Fact]
    public async Task A_cancelled_run_leaves_no_container()
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var observer = new RecordingObserver { OnLine = (_, line) => { if (line == "ready") { cancel.Cancel(); } } };
        var run = Plan(dag =>
        {
            dag.Container("a", DockerTestBed.Image).StopGracePeriod(TimeSpan.FromSeconds(1)).Command("sh", "-c", "echo ready; exec sleep 300");
            dag.Container("b", DockerTestBed.Image).StopGracePeriod(TimeSpan.FromSeconds(1)).Command("sh", "-c", "exec sleep 300");
        });

        var outcome = await new Executor(Bed.Runtime, new InMemoryRunStore(), TimeProvider.System).RunAsync(run, observer, cancel.Token);

        Assert.Equal(RunState.Cancelled, outcome.State);
        Assert.Empty(await Bed.ContainersAsync());
        Assert.Empty(await Bed.VolumesAsync());
    }

    private static RunContext Plan(Action<DagBuilder> define)
    {
        var dag = new DagBuilder().Id("docker_" + Guid.NewGuid().ToString("N")[..10]).Schedule("@daily");
        define(dag);
        return RunContext.Create(dag.Build(), new DateOnly(2026, 11, 25), EnvironmentConfig.DefaultLocal);
    }

    private async Task<(Outcome Outcome, IReadOnlyDictionary<string, List<string>> Logs)> RunAsync(Action<DagBuilder> define)
    {
        var run = Plan(define);
        var lines = new RecordingObserver();
        using var store = new InMemoryRunStore();
        var outcome = await new Executor(Bed.Runtime, store, TimeProvider.System, new ExecutorOptions { Masker = Bed.Masker })
            .RunAsync(run, lines, TestContext.Current.CancellationToken);
        var attempts = store.LoadAttempts(run.Dag.Id, run.RunId).GroupBy(a => a.TaskId).ToDictionary(g => g.Key, g => g.MaxBy(a => a.TryNumber)!);
        return (new Outcome(outcome.State, attempts), lines.Logs());
    }

    private sealed record Outcome(RunState State, IReadOnlyDictionary<string, AttemptRecord> Attempts)
    {
        // What a failed assertion shows: each task's last attempt, how it ended and why.
        public override string ToString() =>
            $"{State}: " + string.Join("; ", Attempts.Values.Select(a => $"{a.TaskId} try {a.TryNumber} {a.State} exit {a.ExitCode} {a.Reason}"));
    }
}
