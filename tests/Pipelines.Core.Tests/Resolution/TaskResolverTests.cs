using System.Text.Json;
using Pipelines.Core.Tests.Dsl;
using Pipelines.Environments;
using Pipelines.Rendering;
using Pipelines.Resolution;

namespace Pipelines.Core.Tests.Resolution;

public sealed class TaskResolverTests
{
    private static readonly DateOnly Date = new(2026, 11, 25);

    private static EnvironmentConfig Production => new()
    {
        Name = "production",
        Registry = new Dictionary<string, string> { ["registry.localhost"] = "registry.mycompany.com" }.ToImmutableSortedDictionary(),
        Vars = new Dictionary<string, string> { ["source_host"] = "db.internal" }.ToImmutableSortedDictionary(),
    };

    private static RunContext Run(Action<DagBuilder> define, EnvironmentConfig? environment = null, Dictionary<string, string>? overrides = null)
    {
        var dag = new DagBuilder().Id("d").Schedule("@daily");
        define(dag);
        return RunContext.Create(dag.Build(), Date, environment ?? EnvironmentConfig.DefaultLocal, overrides);
    }

    [Fact]
    public void Every_string_field_of_a_task_is_rendered_with_no_hole()
    {
        const string T = "<< params.v >>";
        var run = Run(dag => dag.Param("v", "x").Param("unit", "Gi").Param("cpu", "500m").Param("mem", "1Gi").Param("cap", "NET_ADMIN")
            .Container("t", "img:" + T)
            .Command(T).Args(T).Env("E", T).SecretEnv("S", new SecretRef(T, T)).EnvFromSecret(T, T).EnvFromConfigMap(T)
            .Mount(Volume.Named(T), "/a" + T, subPath: T).Mount(Volume.HostPath("/" + T), "/b").Mount(Volume.Temp("1" + "<< params.unit >>"), "/c")
            .Mount(Volume.Secret(T, new KeyToPath(T, T)), "/d").Mount(Volume.ConfigMap(T, new KeyToPath(T, T)), "/e")
            .Resources(new("<< params.cpu >>", "<< params.mem >>", "<< params.mem >>"), new("<< params.cpu >>", "<< params.mem >>", "<< params.mem >>"))
            .AddCapabilities("<< params.cap >>").DropCapabilities("<< params.cap >>").WorkingDir("/w" + T).ExtraHost(T, T)
            .Label("l", T).Annotation("a", T).OnTestRuntime(o => o.Add(T).Note(T)));
        var task = run.Dag["t"];
        var templated = StringFieldWalker.Strings(task).Where(s => s.Value.Contains("<<")).Select(s => s.Path).ToList();

        var rendered = TaskResolver.Resolve(run, task).Task;

        Assert.True(templated.Count >= 30, $"only {templated.Count} templated fields were set");
        Assert.DoesNotContain(StringFieldWalker.Strings(rendered), s => s.Value.Contains("<<"));
        Assert.Equal("img:x", rendered.Image);
        Assert.Equal("1Gi", ((TempVolume)rendered.Mounts[2].Volume).SizeLimit);
        Assert.Equal(["x", "x"], rendered.RuntimeOptions.Get<TestRuntimeOptions>()!.Items.Append(rendered.RuntimeOptions.Get<TestRuntimeOptions>()!.Note!));
    }

    [Fact]
    public void A_templated_quantity_is_checked_after_rendering_with_the_same_message_as_a_literal()
    {
        var literal = Assert.Throws<PipelineDefinitionException>(() =>
            Run(dag => dag.Container("t", "img").Resources(limits: new(Memory: "2 GB"))));
        var run = Run(dag => dag.Param("mem", "2 GB").Container("t", "img").Resources(limits: new(Memory: "<< params.mem >>")));

        var templated = Assert.Throws<PipelineDefinitionException>(() => TaskResolver.Resolve(run, run.Dag["t"]));

        Assert.Equal(literal.Problems.Single(), templated.Problems.Single());
    }

    [Fact]
    public void A_templated_image_is_checked_once_resolved()
    {
        var run = Run(dag => dag.Param("tag", "bad tag").Container("t", "registry.localhost/etl/runner:<< params.tag >>"));

        var rendered = Assert.Throws<PipelineDefinitionException>(() => TaskResolver.Resolve(run, run.Dag["t"]));

        var problem = Assert.Single(rendered.Problems);
        Assert.Equal(("d", "t", "image"), (problem.DagId, problem.TaskId, problem.Field));
        Assert.StartsWith("'registry.localhost/etl/runner:bad tag' holds whitespace", problem.Message);
    }

    [Fact]
    public void A_templated_host_path_or_volume_name_is_checked_once_rendered()
    {
        var run = Run(dag => dag.Param("dir", "data").Param("volume", "../x").Container("t", "img")
            .Mount(Volume.HostPath("<< params.dir >>"), "/a").Mount(Volume.Named("<< params.volume >>"), "/b"));

        var ex = Assert.Throws<PipelineDefinitionException>(() => TaskResolver.Resolve(run, run.Dag["t"]));

        Assert.Equal(["mounts[0].volume.path", "mounts[1].volume.name"], ex.Problems.Select(p => p.Field));
    }

    [Fact]
    public void Every_field_that_fails_to_render_is_reported_at_once()
    {
        var run = Run(dag => dag.Container("t", "img").Args("<< var.nope >>").Env("A", "<< var.other >>"));

        var ex = Assert.Throws<PipelineDefinitionException>(() => TaskResolver.Resolve(run, run.Dag["t"]));

        Assert.Equal(["args[0]", "env.A"], ex.Problems.Select(p => p.Field));
        Assert.Contains("<< var.nope >>", ex.Problems[0].Message);
    }

    [Fact]
    public void The_environment_supplies_vars_its_name_and_the_registry_rewrite()
    {
        var run = Run(dag => dag.Container("t", "registry.localhost/etl/runner:1.0").Env("HOST", "<< var.source_host >>").Env("ENV", "<< env >>"), Production);

        var rendered = TaskResolver.Resolve(run, run.Dag["t"]).Task;

        Assert.Equal("registry.mycompany.com/etl/runner:1.0", rendered.Image);
        Assert.Equal(["db.internal", "production"], rendered.Env.Select(e => e.Value));
    }

    [Fact]
    public void Dates_run_id_try_number_and_outputs_reach_the_templates()
    {
        var run = Run(dag =>
        {
            var extract = dag.Container("extract", "img");
            dag.Container("t", "img").Args("<< ds >>", "<< data_interval_end >>", "<< run_id >>", "<< try_number >>", "<< tasks.extract.output.rows >>").DependsOn(extract);
        });
        var outputs = new Dictionary<string, JsonElement> { ["extract"] = JsonDocument.Parse("""{"rows": 42}""").RootElement };

        var rendered = TaskResolver.Resolve(run, run.Dag["t"], tryNumber: 3, outputs);

        Assert.Equal(["2026-11-25", "2026-11-26T00:00:00+00:00", "manual__2026-11-25T00:00:00+00:00", "3", "42"], rendered.Task.Args);
        Assert.Equal(3, rendered.TryNumber);
    }

    [Fact]
    public void The_logical_date_is_midnight_in_the_dag_time_zone()
    {
        var dag = new DagBuilder().Id("d").Schedule("@daily", "America/New_York");
        dag.Container("t", "img").Args("<< ts >>");

        var run = RunContext.Create(dag.Build(), Date, EnvironmentConfig.DefaultLocal);

        Assert.Equal("2026-11-25T00:00:00-05:00", TaskResolver.Resolve(run, run.Dag["t"]).Task.Args[0]);
    }

    [Fact]
    public void Param_overrides_take_the_type_of_the_default()
    {
        var run = Run(dag => dag.Param("limit", 10).Param("ratio", 0.5).Param("dry", false).Param("table", "a")
            .Container("t", "img").Args("<< params.limit + 1 >>", "<< params.ratio * 2 >>", "<< params.dry >>", "<< params.table >>"),
            overrides: new() { ["limit"] = "41", ["ratio"] = "1.5", ["dry"] = "true", ["table"] = "orders" });

        Assert.Equal(["42", "3", "true", "orders"], TaskResolver.Resolve(run, run.Dag["t"]).Task.Args);
    }

    [Theory]
    [InlineData("limit", "ten", "'ten' is not an integer, as the default (10) is")]
    [InlineData("dry", "yes", "'yes' is not true or false, as the default (false) is")]
    [InlineData("tabel", "x", "'tabel' is not a parameter of the DAG; its parameters: dry, limit")]
    public void A_bad_param_override_is_a_clear_error(string name, string value, string message)
    {
        var ex = Assert.Throws<PipelineDefinitionException>(() =>
            Run(dag => dag.Param("limit", 10).Param("dry", false).Container("t", "img"), overrides: new() { [name] = value }));

        Assert.Equal(message, ex.Problems.Single().Message);
    }

    [Fact]
    public void A_preview_keeps_expressions_that_read_upstream_outputs_as_written()
    {
        var run = Run(dag =>
        {
            var extract = dag.Container("extract", "img");
            dag.Container("t", "img").Args("<< ds >>", "rows=<< tasks.extract.output.rows + 1 >>").DependsOn(extract);
        });

        var preview = TaskResolver.Preview(run, run.Dag["t"]);

        Assert.Equal(["2026-11-25", "rows=<< tasks.extract.output.rows + 1 >>"], preview.Task.Args);
        Assert.Throws<PipelineDefinitionException>(() => TaskResolver.Resolve(run, run.Dag["t"]));
    }
}
