using Pipelines;

namespace Pipelines.TestHost;

/// <summary>A valid DAG beside the broken ones: a broken DAG must not hide it.</summary>
public sealed class HealthyPipeline : IPipeline
{
    public void Define(DagBuilder dag)
    {
        dag.Id("healthy").Schedule("@hourly");
        dag.Container("only", "busybox:stable").Command("true");
    }
}

/// <summary>extract → transform → load → extract: a cycle <c>validate</c> must print as a path.</summary>
public sealed class CyclicPipeline : IPipeline
{
    public void Define(DagBuilder dag)
    {
        dag.Id("cyclic");
        var extract = dag.Container("extract", "busybox:stable");
        var transform = dag.Container("transform", "busybox:stable");
        var load = dag.Container("load", "busybox:stable");
        extract.Then(transform).Then(load).Then(extract);
    }
}

/// <summary>Several problems at once: all of them are reported.</summary>
public sealed class ManyProblemsPipeline : IPipeline
{
    public void Define(DagBuilder dag)
    {
        dag.Id("many_problems").Schedule("every day");
        dag.Container("bad id!", "busybox:stable");
        dag.Container("no_image", " ");
        dag.Container("greedy", "busybox:stable").Resources(limits: new(Memory: "2 GB"));
        dag.Container("orphan", "busybox:stable").DependsOn("missing");
    }
}

/// <summary>
/// Valid for <c>Build()</c>, with names only some targets refuse: <c>validate</c> reports them for the
/// environments whose target refuses them, and not the templated one, which is checked when it renders.
/// </summary>
public sealed class TargetNamesPipeline : IPipeline
{
    public void Define(DagBuilder dag)
    {
        dag.Id("target_names");
        dag.Container("extract", "busybox:stable")
            .Command("true")
            .SecretEnv("DB_PASSWORD", new SecretRef("Database_Credentials", "password"))
            .Mount(Volume.Named("Orders_Data"), "/data")
            .Mount(Volume.Named("x"), "/x")
            .Mount(Volume.Named("<< var.volume ?? \"Not_Checked\" >>"), "/templated");
    }
}

/// <summary>A task that fails with log lines, and a downstream that is therefore upstream_failed.</summary>
public sealed class FailingPipeline : IPipeline
{
    public void Define(DagBuilder dag)
    {
        dag.Id("fails");
        dag.Container("boom", "busybox:stable")
            .Command("sh", "-c", "for i in $(seq 1 30); do echo \"line $i of boom\"; done; echo 'cannot connect to warehouse' >&2; exit 3")
            .Then(dag.Container("after", "busybox:stable").Command("true"));
    }
}

/// <summary>
/// first → sleepy → last. sleepy's first try sleeps (so a test can stop or kill the host while it
/// runs); every try notes its start in a shared volume, so tests see what ran and how often.
/// </summary>
public sealed class SlowPipeline : IPipeline
{
    public void Define(DagBuilder dag)
    {
        dag.Id("slow").TaskDefaults(t => t.Mount(Volume.Named("slow-data"), "/data").StopGracePeriod(TimeSpan.FromSeconds(2)));
        dag.Container("first", "busybox:stable").Command("sh", "-c", "echo first >> /data/first.log")
            .Then(dag.Container("sleepy", "busybox:stable").Command("sh", "-c",
                // Try 1 waits (at most a minute) until a test lets it go by creating /data/go.
                "echo \"start << try_number >>\" >> /data/sleepy.log; echo sleeping; " +
                "if [ << try_number >> -eq 1 ]; then i=0; while [ ! -e /data/go ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done; fi; " +
                "echo woke; echo \"end << try_number >>\" >> /data/sleepy.log"))
            .Then(dag.Container("last", "busybox:stable").Command("sh", "-c", "echo last >> /data/last.log"));
    }
}

/// <summary>
/// Tasks that print secrets in the forms tasks print them — raw, JSON-escaped (Python's and .NET's styles),
/// base64 alone and inside <c>base64("user:" + secret)</c> — and one that writes a secret to its output.
/// </summary>
public sealed class SecretivePipeline : IPipeline
{
    public void Define(DagBuilder dag)
    {
        dag.Id("secretive");
        dag.TaskDefaults(t => t
            .SecretEnv("DB_PASSWORD", new SecretRef("database-credentials", "SOURCE_DB_PASSWORD"))
            .SecretEnv("API_TOKEN", new SecretRef("api", "TOKEN")));
        dag.Container("leak", "busybox:stable")
            .Command("sh", "-c", """
                echo "password is $DB_PASSWORD"
                echo "$DB_PASSWORD" >&2
                printf 'python json: {"token": "%s"}\n' "$(printf '%s' "$API_TOKEN" | sed 's/\\/\\\\/g; s/"/\\"/g')"
                printf 'dotnet json: "%s"\n' "$(printf '%s' "$API_TOKEN" | sed 's/\\/\\\\/g; s/"/\\u0022/g')"
                echo "base64: $(printf '%s' "$DB_PASSWORD" | base64)"
                echo "basic auth: $(printf 'etl_user:%s' "$DB_PASSWORD" | base64)"
                printf '{"count": 1000}' > "$PIPELINES_OUTPUT"
                """)
            .Then(dag.Container("fail_leak", "busybox:stable").Command("sh", "-c", "echo \"still $DB_PASSWORD\"; exit 4"));
        dag.Container("leak_output", "busybox:stable")
            .Command("sh", "-c", "printf '{\"auth\": {\"token\": \"Bearer %s\"}}' \"$DB_PASSWORD\" > \"$PIPELINES_OUTPUT\"");
    }
}

/// <summary>The README's smallest pipeline, verbatim, so the README cannot drift from what works.</summary>
public sealed class Hello : IPipeline
{
    public void Define(DagBuilder dag)
    {
        dag.Id("hello").Schedule("@daily");
        var greet = dag.Container("greet", "busybox:stable")
            .Command("sh", "-c", "echo hello << ds >>; echo '{\"n\": 1}' > \"$PIPELINES_OUTPUT\"");
        dag.Container("after", "busybox:stable")
            .Command("echo", "greet said n=<< tasks.greet.output.n >>")
            .DependsOn(greet);
    }
}

/// <summary>
/// A task that starts a process which leaves its session and clears its environment (but for a token
/// the tests look for), then ends — or, with <c>wait</c>, waits until the test creates <c>/data/go-TOKEN</c>.
/// </summary>
public sealed class EscapePipeline : IPipeline
{
    public void Define(DagBuilder dag)
    {
        dag.Id("escape").Param("token", "none").Param("wait", false)
            .TaskDefaults(t => t.Mount(Volume.Named("escape-data"), "/data").StopGracePeriod(TimeSpan.FromSeconds(2)));
        dag.Container("spawn", "busybox:stable").Command("sh", "-c",
            "setsid env -i PIPELINES_TEST_TOKEN=<< params.token >> sleep 300 & echo started; " +
            "if << params.wait >>; then while [ ! -e /data/go-<< params.token >> ]; do sleep 0.05; done; fi; echo done");
    }
}

/// <summary>A task that replaces its output file with a FIFO, which a blocking read would wait on for ever.</summary>
public sealed class FifoPipeline : IPipeline
{
    public void Define(DagBuilder dag)
    {
        dag.Id("fifo").Param("hold", false);
        dag.Container("trap", "busybox:stable").Timeout(TimeSpan.FromSeconds(30)).StopGracePeriod(TimeSpan.FromSeconds(2))
            .Command("sh", "-c", "rm \"$PIPELINES_OUTPUT\"; mkfifo \"$PIPELINES_OUTPUT\"; echo made; if << params.hold >>; then sleep 300; fi");
    }
}

/// <summary>A task that writes one 100 MB line, then a short one.</summary>
public sealed class FloodPipeline : IPipeline
{
    public void Define(DagBuilder dag)
    {
        dag.Id("flood");
        dag.Container("line", "busybox:stable").Command("sh", "-c", "head -c 100000000 /dev/zero | tr '\\0' x; echo; echo end");
    }
}

/// <summary>A task that fails without writing a line: its report has no log tail.</summary>
public sealed class FailsQuietlyPipeline : IPipeline
{
    public void Define(DagBuilder dag)
    {
        dag.Id("fails_quietly");
        dag.Container("mute", "busybox:stable").Command("sh", "-c", "exit 5");
    }
}

/// <summary>A DAG with parameters, whose one task prints them: a resumed run must not change them.</summary>
public sealed class ParamsPipeline : IPipeline
{
    public void Define(DagBuilder dag)
    {
        dag.Id("with_params").Param("table", "customers").Param("limit", 10);
        dag.Container("show", "busybox:stable").Command("echo", "table=<< params.table >> limit=<< params.limit >>");
    }
}

/// <summary>
/// fill fills the disk its named volume is on (on its first try), then keeps running, as does sleeper
/// beside it; after waits for fill. On a small disk the run's log and store writes then fail.
/// </summary>
public sealed class FillsDiskPipeline : IPipeline
{
    public void Define(DagBuilder dag)
    {
        dag.Id("fills_disk").TaskDefaults(t => t.Mount(Volume.Named("fill-data"), "/data").StopGracePeriod(TimeSpan.FromSeconds(2)));
        dag.Container("sleeper", "busybox:stable").Command("sh", "-c", "if [ << try_number >> -eq 1 ]; then echo sleeping; sleep 60; fi; echo rested");
        dag.Container("fill", "busybox:stable").Command("sh", "-c",
                "if [ << try_number >> -eq 1 ]; then head -c 100000000 /dev/zero > /data/filler; echo 'the disk is full'; sleep 60; fi; echo filled")
            .Then(dag.Container("after", "busybox:stable").Command("echo", "after"));
    }
}

/// <summary>
/// Six tasks (a fan-out and a fan-in) that each record their start and end in a shared volume and
/// print a few lines while they work: a host killed at any line must never run one twice.
/// </summary>
public sealed class CrashyPipeline : IPipeline
{
    public void Define(DagBuilder dag)
    {
        dag.Id("crashy").MaxActiveTasks(2).TaskDefaults(t => t.Mount(Volume.Named("crashy-data"), "/data"));
        TaskBuilder Step(string id) => dag.Container(id, "busybox:stable").Command("sh", "-c",
            $"echo \"{id} start\" >> /data/ran.log; echo \"{id} working\"; sleep 0.1; echo \"{id} halfway\"; sleep 0.1; echo \"{id} done\" >> /data/ran.log; echo \"{id} finished\"");
        var extract = Step("extract");
        extract.Then(Step("clean_a"), Step("clean_b"), Step("clean_c")).Then(Step("merge")).Then(Step("publish"));
    }
}

/// <summary>
/// For the Docker runtime's crash test: two quick tasks, then one that holds until a test puts <c>/pipelines/go</c> into its
/// container (at most two minutes), then one after it. Each writes its output, so a resumed run is checked end to end.
/// </summary>
public sealed class ContainersPipeline : IPipeline
{
    // Under a registry of its own, so a test's pipelines.json can rename it (registry rewrites match whole path parts).
    private const string Image = "registry.localhost/testhost/busybox:stable";

    public void Define(DagBuilder dag)
    {
        dag.Id("containers").TaskDefaults(t => t.StopGracePeriod(TimeSpan.FromSeconds(1)));
        var a = dag.Container("a", Image).Command("sh", "-c", "echo a; printf '{\"n\": 1}' > \"$PIPELINES_OUTPUT\"");
        var b = dag.Container("b", Image).Command("sh", "-c", "echo b; printf '{\"n\": 2}' > \"$PIPELINES_OUTPUT\"");
        var held = dag.Container("held", Image).Command("sh", "-c",
            "echo holding; i=0; while [ ! -e /pipelines/go ] && [ $i -lt 1200 ]; do sleep 0.1; i=$((i+1)); done; " +
            "echo released; printf '{\"n\": %d}' $((<< tasks.a.output.n >> + << tasks.b.output.n >>)) > \"$PIPELINES_OUTPUT\"");
        var after = dag.Container("after", Image).Command("echo", "sum=<< tasks.held.output.n >>");
        a.Then(held);
        b.Then(held);
        held.Then(after);
    }
}

/// <summary>For the <c>shell</c> verb: one task with a secret variable, in the image a test builds (<c>images build shell_secret</c>).</summary>
public sealed class ShellSecretPipeline : IPipeline
{
    public void Define(DagBuilder dag)
    {
        dag.Id("shell_secret");
        dag.Container("show", "registry.localhost/testhost/busybox:stable")
            .SecretEnv("TOKEN", new SecretRef("api", "token"))
            .Command("sh", "-c", "echo \"token is set: ${TOKEN:+yes}\"");
    }
}

/// <summary>A weekday schedule in Paris: what <c>--date</c> as a day, a local time or an instant makes of its interval.</summary>
public sealed class WeekdayReportPipeline : IPipeline
{
    public void Define(DagBuilder dag)
    {
        dag.Id("weekday_report").Schedule("0 6 * * 1-5", "Europe/Paris").StartDate(2026, 11, 1).EndDate(2027, 12, 31);
        dag.Container("report", "busybox:stable").Command("sh", "-c", "echo 'interval << data_interval_start >> << data_interval_end >> logical << logical_date >> ds << ds >>'");
    }
}

/// <summary>A daily DAG for backfills: its one task fails on a day whose mark file exists in the folder <c>marks</c>.</summary>
public sealed class BackfillDaysPipeline : IPipeline
{
    public void Define(DagBuilder dag)
    {
        dag.Id("backfill_days").Schedule("@daily").StartDate(2026, 11, 1).MaxActiveRuns(3).Param("marks", "/nonexistent");
        dag.Container("day", "busybox:stable").Command("sh", "-c", "if [ -e '<< params.marks >>/fail-<< ds >>' ]; then echo failing << ds >>; exit 3; fi; echo ran << ds >>");
    }
}

/// <summary>
/// A run every second from <c>PIPELINES_TEST_START</c> (an instant; far in the future when unset), catching up: what the
/// scheduler tests run, killed and restarted.
/// </summary>
public sealed class EverySecondPipeline : IPipeline
{
    public void Define(DagBuilder dag)
    {
        var start = TestStart.FromEnvironment();
        dag.Id("every_second").Schedule("* * * * * *").StartDate(start).Catchup().MaxActiveRuns(4);
        dag.Container("tick", "busybox:stable").Command("sh", "-c", "echo tick << logical_date >>");
    }
}

/// <summary>Fifty tasks in layers of up to eight, each fed by up to three of the layer before: the report's layout test.</summary>
public sealed class FiftyTasksPipeline : IPipeline
{
    public void Define(DagBuilder dag)
    {
        dag.Id("fifty_tasks").MaxActiveTasks(16);
        var previous = new List<TaskBuilder>();
        var current = new List<TaskBuilder>();
        for (var i = 0; i < 50; i++)
        {
            if (current.Count == (i / 8 % 2 == 0 ? 8 : 5))
            {
                previous = current;
                current = [];
            }

            var task = dag.Container($"step_{i:00}", "busybox:stable").Command("true");
            for (var k = 0; k < Math.Min(3, previous.Count); k++)
            {
                task.DependsOn(previous[(i * 7 + k * 3) % previous.Count]);
            }

            current.Add(task);
        }
    }
}

/// <summary>A run every second from <c>PIPELINES_TEST_START</c>, catching up, each run a second long, two at most at once.</summary>
public sealed class SlowSecondsPipeline : IPipeline
{
    public void Define(DagBuilder dag)
    {
        var start = TestStart.FromEnvironment();
        dag.Id("slow_seconds").Schedule("* * * * * *").StartDate(start).Catchup().MaxActiveRuns(2);
        dag.Container("work", "busybox:stable").Command("sh", "-c", "sleep 1; echo done << logical_date >>");
    }
}

/// <summary>The start of the scheduler tests' DAGs: <c>PIPELINES_TEST_START</c> (an instant), far in the future when unset.</summary>
internal static class TestStart
{
    public static DateTimeOffset FromEnvironment() =>
        Environment.GetEnvironmentVariable("PIPELINES_TEST_START") is { Length: > 0 } text
            ? DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture)
            : new DateTimeOffset(2099, 1, 1, 0, 0, 0, TimeSpan.Zero);
}
