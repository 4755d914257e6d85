namespace Pipelines.Core.Tests.Dsl;

public sealed class DagBuilderTests
{
    private static DagBuilder NewDag(string id = "d") => new DagBuilder().Id(id);

    [Fact]
    public void Every_common_setting_reaches_the_immutable_task()
    {
        var dag = NewDag();
        dag.Container("t", "img:1")
            .PullPolicy(ImagePullPolicy.Always)
            .Command("python", "-m", "x")
            .Args("--date", "<< ds >>")
            .Env("A", "1")
            .SecretEnv("PASSWORD", new SecretRef("creds", "pw"))
            .EnvFromSecret("all-secrets", "S_")
            .EnvFromConfigMap("app-config")
            .Mount(Volume.Named("data"), "/data")
            .Mount(Volume.HostPath("/srv"), "/srv", readOnly: true)
            .Mount(Volume.Temp("1Gi", inMemory: true), "/tmp")
            .Mount(Volume.Secret("creds", new KeyToPath("pw", "pw.txt")), "/secrets", readOnly: true)
            .Mount(Volume.ConfigMap("cfg"), "/etc/cfg")
            .Resources(requests: new(Cpu: "500m", Memory: "1Gi", EphemeralStorage: "2Gi"), limits: new(Cpu: "1", Memory: "2Gi"))
            .Gpus(2)
            .RunAs(1000, 2000)
            .RunAsNonRoot()
            .ReadOnlyRootFilesystem()
            .AddCapabilities("NET_BIND_SERVICE")
            .DropCapabilities("ALL")
            .Privileged(false)
            .WorkingDir("/work")
            .ExtraHost("warehouse.internal", "172.17.0.1")
            .Label("team", "data")
            .Annotation("prometheus.io/scrape", "true")
            .Retries(3, TimeSpan.FromMinutes(1), exponentialBackoff: true, maxDelay: TimeSpan.FromMinutes(10))
            .Timeout(TimeSpan.FromHours(1))
            .StopGracePeriod(TimeSpan.FromSeconds(30))
            .Cleanup(CleanupPolicy.DeleteOnSuccess)
            .TriggerRule(TriggerRule.NoneFailedMinOneSuccess)
            .SkipOnExitCode(99)
            .Pool("db", slots: 2);

        var task = dag.Build()["t"];

        Assert.Equal("img:1", task.Image);
        Assert.Equal(ImagePullPolicy.Always, task.ImagePullPolicy);
        Assert.Equal(["python", "-m", "x"], task.Command);
        Assert.Equal(["--date", "<< ds >>"], task.Args);
        Assert.Equal([new EnvVar("A", "1")], task.Env);
        Assert.Equal([new SecretEnvVar("PASSWORD", new SecretRef("creds", "pw"))], task.SecretEnv);
        Assert.Equal([new EnvSource(EnvSourceKind.Secret, "all-secrets", "S_"), new EnvSource(EnvSourceKind.ConfigMap, "app-config")], task.EnvFrom);
        Assert.Equal(5, task.Mounts.Length);
        Assert.Equal(new VolumeMount(Volume.HostPath("/srv"), "/srv", true), task.Mounts[1]);
        Assert.Equal(new TempVolume("1Gi", true), task.Mounts[2].Volume);
        Assert.Equal("pw.txt", ((SecretVolume)task.Mounts[3].Volume).Items.Single().Path);
        Assert.Equal(new ResourceSet("500m", "1Gi", "2Gi"), task.Resources.Requests);
        Assert.Equal(new ResourceSet("1", "2Gi"), task.Resources.Limits);
        Assert.Equal(2, task.Resources.Gpus);
        Assert.Equal((1000L, 2000L), (task.RunAsUser!.Value, task.RunAsGroup!.Value));
        Assert.True(task.RunAsNonRoot);
        Assert.True(task.ReadOnlyRootFilesystem);
        Assert.Equal(["NET_BIND_SERVICE"], task.CapabilitiesAdd);
        Assert.Equal(["ALL"], task.CapabilitiesDrop);
        Assert.False(task.Privileged);
        Assert.Equal("/work", task.WorkingDir);
        Assert.Equal([new HostAlias("warehouse.internal", "172.17.0.1")], task.ExtraHosts);
        Assert.Equal("data", task.Labels["team"]);
        Assert.Equal("true", task.Annotations["prometheus.io/scrape"]);
        Assert.Equal(new RetryPolicy(3, TimeSpan.FromMinutes(1), true, TimeSpan.FromMinutes(10)), task.Retry);
        Assert.Equal(TimeSpan.FromHours(1), task.ExecutionTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), task.StopGracePeriod);
        Assert.Equal(CleanupPolicy.DeleteOnSuccess, task.Cleanup);
        Assert.Equal(TriggerRule.NoneFailedMinOneSuccess, task.TriggerRule);
        Assert.Equal([99], task.SkipOnExitCodes);
        Assert.Equal(("db", 2), (task.Pool, task.PoolSlots));
    }

    [Fact]
    public void Dag_settings_reach_the_dag()
    {
        var dag = new DagBuilder().Id("d").Description("what").Schedule("0 6 * * 1-5", "Europe/Amsterdam")
            .StartDate(2026, 11, 2).Param("table", "customers").Param("limit", 10).Param("ratio", 0.5).Param("dry", true)
            .MaxActiveTasks(4);
        dag.Container("t", "img");

        var built = dag.Build();

        Assert.Equal("what", built.Description);
        Assert.Equal("0 6 * * 1-5", built.Schedule.Expression);
        Assert.Equal("Europe/Amsterdam", built.Schedule.TimeZone.Id);
        Assert.Equal(new DateTimeOffset(2026, 11, 2, 0, 0, 0, TimeSpan.FromHours(1)), built.StartDate);
        Assert.Equal([("table", (object?)"customers"), ("limit", 10L), ("ratio", 0.5), ("dry", true)], built.Params.Select(p => (p.Name, p.Default)));
        Assert.Equal(4, built.MaxActiveTasks);
    }

    [Fact]
    public void Task_defaults_apply_to_every_task_and_the_task_own_setting_wins()
    {
        var dag = NewDag().TaskDefaults(t => t.Retries(3).Env("LOG_LEVEL", "INFO").Label("team", "data"));
        dag.Container("a", "img");
        dag.Container("b", "img").Retries(0).Env("LOG_LEVEL", "DEBUG");

        var built = dag.Build();

        Assert.Equal(3, built["a"].Retry.Retries);
        Assert.Equal("INFO", built["a"].Env.Single().Value);
        Assert.Equal(0, built["b"].Retry.Retries);
        Assert.Equal("DEBUG", built["b"].Env.Single(e => e.Name == "LOG_LEVEL").Value);
        Assert.Equal("data", built["b"].Labels["team"]);
    }

    [Fact]
    public void Task_defaults_declared_after_the_tasks_still_apply()
    {
        var dag = NewDag();
        dag.Container("a", "img");
        dag.TaskDefaults(t => t.Timeout(TimeSpan.FromMinutes(5)));

        Assert.Equal(TimeSpan.FromMinutes(5), dag.Build()["a"].ExecutionTimeout);
    }

    [Fact]
    public void Defaults_do_not_leak_between_tasks()
    {
        var dag = NewDag().TaskDefaults(t => t.Env("SHARED", "1").AddCapabilities("NET_ADMIN").OnTestRuntime(o => o.Add("default")));
        dag.Container("a", "img").Env("ONLY_A", "a").AddCapabilities("SYS_PTRACE").OnTestRuntime(o => o.Add("a"));
        dag.Container("b", "img");

        var built = dag.Build();

        Assert.Equal(["SHARED", "ONLY_A"], built["a"].Env.Select(e => e.Name));
        Assert.Equal(["SHARED"], built["b"].Env.Select(e => e.Name));
        Assert.Equal(["NET_ADMIN", "SYS_PTRACE"], built["a"].CapabilitiesAdd);
        Assert.Equal(["NET_ADMIN"], built["b"].CapabilitiesAdd);
        Assert.Equal(["default", "a"], built["a"].RuntimeOptions.Get<TestRuntimeOptions>()!.Items);
        Assert.Equal(["default"], built["b"].RuntimeOptions.Get<TestRuntimeOptions>()!.Items);
    }

    [Fact]
    public void Arrays_passed_to_the_builder_are_copied()
    {
        var args = new[] { "--x", "1" };
        var dag = NewDag();
        dag.Container("a", "img").Args(args);
        args[1] = "changed";

        Assert.Equal(["--x", "1"], dag.Build()["a"].Args);
    }

    [Fact]
    public void Then_and_DependsOn_declare_fan_out_and_fan_in_by_handle_and_by_id()
    {
        var dag = NewDag();
        var extract = dag.Container("extract", "img");
        var a = dag.Container("a", "img");
        var b = dag.Container("b-2", "img");
        var report = dag.Container("report", "img");
        var audit = dag.Container("audit", "img").DependsOn("extract");
        extract.Then(a, b).Then(report);

        var built = dag.Build();

        Assert.Equal(["extract"], built["a"].Upstream);
        Assert.Equal(["extract"], built["b-2"].Upstream);
        Assert.Equal(["a", "b-2"], built["report"].Upstream);
        Assert.Equal(["extract"], built["audit"].Upstream);
        Assert.Equal(["a", "b-2", "audit"], built.Downstream("extract"));
        Assert.Equal("extract", built.TopologicalOrder[0]);
        Assert.Equal("report", built.TopologicalOrder[^1]);
    }

    [Fact]
    public void A_chain_returns_the_downstream_task_so_it_reads_left_to_right()
    {
        var dag = NewDag();
        var a = dag.Container("a", "img");
        var b = dag.Container("b", "img");
        var c = dag.Container("c", "img");

        Assert.Same(c, a.Then(b).Then(c));
        var built = dag.Build();
        Assert.Equal(["a", "b", "c"], built.TopologicalOrder);
    }

    [Fact]
    public void A_builder_builds_once()
    {
        var dag = NewDag();
        var task = dag.Container("a", "img");
        dag.Build();

        Assert.Throws<InvalidOperationException>(() => dag.Build());
        Assert.Throws<InvalidOperationException>(() => dag.Container("b", "img"));
        Assert.Throws<InvalidOperationException>(() => task.Env("X", "1"));
    }

    [Fact]
    public void Null_arguments_throw_at_the_call()
    {
        var task = NewDag().Container("a", "img");

        Assert.Throws<ArgumentNullException>(() => task.Env("X", null!));
        Assert.Throws<ArgumentNullException>(() => task.Args(null!));
        Assert.Throws<ArgumentNullException>(() => task.Mount(null!, "/x"));
        Assert.Throws<ArgumentException>(() => NewDag().Param("p", new object()));
    }

    [Fact]
    public void Task_defaults_cannot_declare_dependencies()
    {
        var dag = NewDag().TaskDefaults(t => t.DependsOn("x"));
        dag.Container("a", "img");

        Assert.Throws<InvalidOperationException>(() => dag.Build());
    }

    [Fact]
    public void Secret_values_never_appear_in_the_model_text()
    {
        var secret = new SecretRef("database-credentials", "SOURCE_DB_PASSWORD");

        Assert.Equal("secret:database-credentials/SOURCE_DB_PASSWORD", secret.ToString());
    }
}
