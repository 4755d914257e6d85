using Pipelines.Core.Tests.Dsl;
using Pipelines.Validation;


namespace Pipelines.Core.Tests.Validation;

/// <summary>One test per rule, each with a DAG that breaks only that rule.</summary>
public sealed class DagValidationTests
{
    private static DefinitionProblem SingleProblem(Action<DagBuilder> define)
    {
        var dag = new DagBuilder().Id("d");
        define(dag);
        var ex = Assert.Throws<PipelineDefinitionException>(() => dag.Build());
        return Assert.Single(ex.Problems);
    }

    [Fact]
    public void A_cycle_is_reported_with_its_full_path()
    {
        var problem = SingleProblem(dag =>
        {
            var a = dag.Container("a", "img");
            var b = dag.Container("b", "img");
            var c = dag.Container("c", "img");
            dag.Container("after", "img").DependsOn("c");
            a.Then(b).Then(c).Then(a);
        });

        Assert.Equal("upstream", problem.Field);
        Assert.Equal("a", problem.TaskId);
        Assert.Equal("cycle: a → b → c → a", problem.Message);
    }

    [Fact]
    public void Two_separate_cycles_are_both_reported()
    {
        var dag = new DagBuilder().Id("d");
        var a = dag.Container("a", "img");
        var b = dag.Container("b", "img");
        var x = dag.Container("x", "img");
        var y = dag.Container("y", "img");
        a.Then(b).Then(a);
        x.Then(y).Then(x);

        var ex = Assert.Throws<PipelineDefinitionException>(() => dag.Build());

        Assert.Equal(["cycle: a → b → a", "cycle: x → y → x"], ex.Problems.Select(p => p.Message));
    }

    [Fact]
    public void A_task_that_depends_on_itself_is_a_cycle()
    {
        var problem = SingleProblem(dag => dag.Container("a", "img").DependsOn("a"));

        Assert.Equal("cycle: a → a", problem.Message);
    }

    [Fact]
    public void An_unknown_dependency_lists_the_tasks_that_exist()
    {
        var problem = SingleProblem(dag =>
        {
            dag.Container("extract", "img");
            dag.Container("load", "img").DependsOn("extrct");
        });

        Assert.Equal(("load", "upstream"), (problem.TaskId, problem.Field));
        Assert.Equal("depends on 'extrct', which is not a task of this DAG; its tasks: extract, load", problem.Message);
    }

    [Fact]
    public void An_unknown_dependency_in_a_large_dag_lists_the_closest_ids()
    {
        var problem = SingleProblem(dag =>
        {
            for (var i = 0; i < 100; i++)
            {
                dag.Container($"task_{i}", "img");
            }

            dag.Container("last", "img").DependsOn("task_1000");
        });

        Assert.Contains("task_100", problem.Message);
        Assert.Contains("(101 in all)", problem.Message);
    }

    [Fact]
    public void A_duplicate_task_id_is_reported()
    {
        var problem = SingleProblem(dag =>
        {
            dag.Container("a", "img");
            dag.Container("a", "img");
        });

        Assert.Equal("task id 'a' is declared more than once", problem.Message);
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("slash/no")]
    [InlineData("")]
    [InlineData("ünïcode")]
    public void An_invalid_task_id_is_reported(string id)
    {
        var problem = SingleProblem(dag => dag.Container(id, "img"));

        Assert.Equal((id, "id"), (problem.TaskId, problem.Field));
        Assert.Contains("use letters, digits, '_', '.' and '-'", problem.Message);
    }

    [Fact]
    public void Ids_with_dots_and_dashes_are_valid()
    {
        var dag = new DagBuilder().Id("my.dag-1");
        dag.Container("extract-data.v2_x", "img");

        Assert.Equal("extract-data.v2_x", dag.Build().Tasks.Single().Id);
    }

    [Fact]
    public void A_missing_dag_id_is_reported()
    {
        var dag = new DagBuilder();
        dag.Container("a", "img");

        var problem = Assert.Single(Assert.Throws<PipelineDefinitionException>(() => dag.Build()).Problems);
        Assert.Equal("id", problem.Field);
        Assert.Contains("dag.Id(", problem.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void An_empty_image_is_reported(string image)
    {
        var problem = SingleProblem(dag => dag.Container("a", image));

        Assert.Equal(("a", "image"), (problem.TaskId, problem.Field));
    }

    [Theory]
    [InlineData("2 GB")]
    [InlineData("1gb")]
    [InlineData("lots")]
    [InlineData("-1Gi")]
    [InlineData("1.5.2")]
    public void A_literal_quantity_kubernetes_would_reject_is_reported(string memory)
    {
        var problem = SingleProblem(dag => dag.Container("a", "img").Resources(limits: new(Memory: memory)));

        Assert.Equal("resources.limits.memory", problem.Field);
        Assert.Equal($"'{memory}' is not a valid quantity; use {Pipelines.Validation.Quantity.Expected}", problem.Message);
    }

    [Theory]
    [InlineData("500m")]
    [InlineData("1Gi")]
    [InlineData("2e3")]
    [InlineData("1.5")]
    [InlineData("0.5Gi")]
    [InlineData("128974848")]
    [InlineData(".5")]
    public void Quantities_kubernetes_accepts_are_valid(string quantity)
    {
        var dag = new DagBuilder().Id("d");
        dag.Container("a", "img").Resources(requests: new(Cpu: quantity, Memory: quantity, EphemeralStorage: quantity));

        Assert.Equal(quantity, dag.Build()["a"].Resources.Requests.Cpu);
    }

    [Fact]
    public void A_templated_quantity_is_left_for_render_time()
    {
        var dag = new DagBuilder().Id("d").Param("mem", "1Gi");
        dag.Container("a", "img").Resources(limits: new(Memory: "<< params.mem >>"));

        Assert.Equal("<< params.mem >>", dag.Build()["a"].Resources.Limits.Memory);
    }

    [Fact]
    public void A_request_above_its_limit_is_reported()
    {
        var problem = SingleProblem(dag => dag.Container("a", "img").Resources(new(Memory: "2Gi"), new(Memory: "1Gi")));

        Assert.Equal("resources.requests.memory", problem.Field);
        Assert.Contains("more than the limit", problem.Message);
    }

    [Fact]
    public void A_bad_temp_volume_size_is_reported()
    {
        var problem = SingleProblem(dag => dag.Container("a", "img").Mount(Volume.Temp("big"), "/tmp"));

        Assert.Equal("mounts[0].volume.sizeLimit", problem.Field);
    }

    [Theory]
    [InlineData("every day")]
    [InlineData("61 * * * *")]
    [InlineData("@fortnightly")]
    public void A_bad_cron_is_reported_with_what_would_be_valid(string cron)
    {
        var problem = SingleProblem(dag => dag.Schedule(cron).Container("a", "img"));

        Assert.Equal((null, "schedule"), (problem.TaskId, problem.Field));
        Assert.StartsWith($"'{cron}' is not a cron expression", problem.Message);
        Assert.Contains("@daily", problem.Message);
    }

    [Theory]
    [InlineData("@daily")]
    [InlineData("@hourly")]
    [InlineData("@weekly")]
    [InlineData("@monthly")]
    [InlineData("@quarterly")]
    [InlineData("@yearly")]
    [InlineData("@once")]
    [InlineData("*/15 6-18 * * 1-5")]
    [InlineData(null)]
    public void Presets_and_cron_expressions_are_valid(string? cron)
    {
        var dag = new DagBuilder().Id("d").Schedule(cron);
        dag.Container("a", "img");

        Assert.Equal(cron, dag.Build().Schedule.Expression);
    }

    [Fact]
    public void An_unknown_time_zone_is_reported()
    {
        var problem = SingleProblem(dag => dag.Schedule("@daily", "Mars/Olympus").Container("a", "img"));

        Assert.Equal("timeZone", problem.Field);
        Assert.Contains("'Mars/Olympus' is not a known time zone", problem.Message);
    }

    [Fact]
    public void A_template_syntax_error_names_the_field_and_expression()
    {
        var problem = SingleProblem(dag => dag.Container("a", "img").Args("--x", "<< 1 + >>"));

        Assert.Equal(("a", "args[1]"), (problem.TaskId, problem.Field));
        Assert.StartsWith("<< 1 + >>:", problem.Message);
    }

    [Fact]
    public void An_unknown_template_name_lists_the_known_ones_and_the_escape()
    {
        var problem = SingleProblem(dag => dag.Container("a", "img").Command("sh", "-c", "cat <<EOF >> out.txt"));

        Assert.Equal("command[2]", problem.Field);
        Assert.Contains("'EOF' is not a template variable or function", problem.Message);
        Assert.Contains("ds", problem.Message);
        Assert.Contains("\\<<", problem.Message);
    }

    [Fact]
    public void An_undeclared_param_is_reported_with_the_declared_ones()
    {
        var problem = SingleProblem(dag => dag.Param("table", "t").Container("a", "img").Env("T", "<< params.tabel >>"));

        Assert.Equal("env.T", problem.Field);
        Assert.Contains("'params.tabel' is not a parameter of the DAG; its parameters: table", problem.Message);
    }

    [Fact]
    public void A_guarded_undeclared_param_is_fine()
    {
        var dag = new DagBuilder().Id("d");
        dag.Container("a", "img").Env("T", "<< params.maybe ?? \"x\" >>");

        Assert.NotNull(dag.Build());
    }

    [Fact]
    public void Reading_the_output_of_a_task_that_is_not_upstream_is_reported()
    {
        var problem = SingleProblem(dag =>
        {
            dag.Container("extract", "img");
            dag.Container("report", "img").Args("<< tasks.extract.output.rows >>");
        });

        Assert.Equal(("report", "args[0]"), (problem.TaskId, problem.Field));
        Assert.Contains("not upstream of 'report'", problem.Message);
    }

    [Fact]
    public void Reading_the_output_of_an_indirect_upstream_is_fine()
    {
        var dag = new DagBuilder().Id("d");
        var a = dag.Container("extract-data", "img");
        var b = dag.Container("b", "img");
        var c = dag.Container("c", "img").Args("<< tasks[\"extract-data\"].output.rows >>");
        a.Then(b).Then(c);

        Assert.NotNull(dag.Build());
    }

    [Fact]
    public void Reading_the_output_of_an_unknown_task_lists_the_tasks()
    {
        var problem = SingleProblem(dag => dag.Container("a", "img").Args("<< tasks.nope.output.x >>"));

        Assert.Contains("'nope' is not a task of this DAG; its tasks: a", problem.Message);
    }

    [Theory]
    [InlineData(-1, "retries")]
    [InlineData(0, "timeout")]
    [InlineData(1, "pool.slots")]
    [InlineData(2, "skipOnExitCodes")]
    [InlineData(3, "mounts[0].mountPath")]
    [InlineData(4, "capabilities")]
    [InlineData(5, "resources.gpus")]
    [InlineData(6, "retries.maxDelay")]
    [InlineData(7, "env.A=B")]
    public void Settings_out_of_range_are_reported(int which, string field)
    {
        var problem = SingleProblem(dag =>
        {
            var t = dag.Container("a", "img");
            _ = which switch
            {
                -1 => t.Retries(-1),
                0 => t.Timeout(TimeSpan.Zero),
                1 => t.Pool("db", slots: 0),
                2 => t.SkipOnExitCode(300),
                3 => t.Mount(Volume.Named("data"), "relative/path"),
                4 => t.AddCapabilities("net admin"),
                5 => t.Gpus(-1),
                6 => t.Retries(1, TimeSpan.FromMinutes(10), true, TimeSpan.FromMinutes(1)),
                _ => t.Env("A=B", "1"),
            };
        });

        Assert.Equal(field, problem.Field);
    }

    [Fact]
    public void Max_active_tasks_below_one_is_reported()
    {
        var problem = SingleProblem(dag => dag.MaxActiveTasks(0).Container("a", "img"));

        Assert.Equal("maxActiveTasks", problem.Field);
    }

    [Fact]
    public void Runtime_options_report_their_own_problems()
    {
        var problem = SingleProblem(dag => dag.Container("a", "img").OnTestRuntime(o => o.Add("invalid")));

        Assert.Equal(("a", "test.items", "'invalid' is not allowed"), (problem.TaskId, problem.Field, problem.Message));
    }

    [Fact]
    public void Templates_in_runtime_options_are_checked_too()
    {
        var problem = SingleProblem(dag => dag.Container("a", "img").OnTestRuntime(o => o.Note("<< params.nope >>")));

        Assert.Equal("test.note", problem.Field);
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var dag = new DagBuilder().Id("d").Schedule("nope");
        dag.Container("a", "");
        dag.Container("b", "img").DependsOn("zz").Resources(limits: new(Cpu: "x"));

        var ex = Assert.Throws<PipelineDefinitionException>(() => dag.Build());

        Assert.Equal(["schedule", "image", "upstream", "resources.limits.cpu"], ex.Problems.Select(p => p.Field));
        Assert.StartsWith("DAG 'd' is not valid (4 problems):", ex.Message);
        Assert.Contains("dag 'd', task 'b', field 'resources.limits.cpu': 'x' is not a valid quantity", ex.Message);
    }

    [Fact]
    public void A_very_long_chain_validates_without_deep_recursion()
    {
        var dag = new DagBuilder().Id("chain");
        var previous = dag.Container("t0", "img");
        for (var i = 1; i < 50_000; i++)
        {
            previous = previous.Then(dag.Container($"t{i}", "img"));
        }

        var built = dag.Build();

        Assert.Equal("t49999", built.TopologicalOrder[^1]);
    }

    [Fact]
    public void A_cycle_below_a_very_long_chain_is_found()
    {
        var dag = new DagBuilder().Id("chain");
        var first = dag.Container("t0", "img");
        var previous = first;
        for (var i = 1; i < 20_000; i++)
        {
            previous = previous.Then(dag.Container($"t{i}", "img"));
        }

        var x = dag.Container("x", "img");
        var y = dag.Container("y", "img");
        x.Then(y).Then(x);
        y.Then(first);

        var ex = Assert.Throws<PipelineDefinitionException>(() => dag.Build());
        Assert.Equal("cycle: x → y → x", Assert.Single(ex.Problems).Message);
    }
    [Fact]
    public void A_too_long_task_id_is_reported_with_the_limit()
    {
        var id = new string('t', 251);
        var longest = new DagBuilder().Id("d");
        longest.Container(new string('t', 250), "img");

        var problem = SingleProblem(dag => dag.Container(id, "img"));

        Assert.Equal((id, "id"), (problem.TaskId, problem.Field));
        Assert.Equal("the task id has 251 characters; at most 250 are allowed", problem.Message);
        Assert.NotNull(longest.Build());
    }

    [Theory]
    [InlineData("busybox:bad tag", "'busybox:bad tag' holds whitespace")]
    [InlineData(" busybox", "' busybox' has whitespace around it; an image reference has none: write 'busybox'")]
    [InlineData("busybox:1 ", "has whitespace around it")]
    [InlineData("Busybox:1", "'Busybox:1' has uppercase letters in its repository path; repository paths are lowercase")]
    [InlineData("registry.localhost/Etl/runner:1.0", "uppercase letters in its repository path")]
    [InlineData("busybox:", "'busybox:' has an empty tag")]
    [InlineData("busybox:-1", "is not an image reference; write [registry[:port]/]path[:tag][@digest]")]
    [InlineData("busybox@sha256:abc", "is not an image reference")]
    [InlineData("registry.localhost//runner", "is not an image reference")]
    [InlineData(":1.0", "is not an image reference")]
    [InlineData("-busybox", "is not an image reference")]
    [InlineData("busybox:1.0:2.0", "is not an image reference")]
    [InlineData("registry.localhost:port/runner", "is not an image reference")]
    [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "which Docker and containerd read as an image id")]
    public void An_image_reference_docker_and_containerd_refuse_is_reported(string image, string message)
    {
        var problem = SingleProblem(dag => dag.Container("a", image));

        Assert.Equal(("a", "image"), (problem.TaskId, problem.Field));
        Assert.Contains(message, problem.Message);
    }

    [Fact]
    public void A_tag_over_128_characters_or_a_name_over_255_is_reported()
    {
        var longName = string.Join('/', Enumerable.Repeat(new string('n', 64), 4));
        var longestName = string.Join('/', Enumerable.Repeat(new string('n', 63), 4));

        var tag = SingleProblem(dag => dag.Container("a", "busybox:" + new string('t', 129)));
        var name = SingleProblem(dag => dag.Container("a", longName + ":1"));

        Assert.Contains("is not an image reference", tag.Message);
        Assert.Equal($"the repository name of '{longName}:1' has 259 characters; at most 255 are allowed", name.Message);
        Assert.True(Pipelines.Validation.ImageReference.IsValid(longestName + ":" + new string('t', 128)));
    }

    [Theory]
    [InlineData("img")]
    [InlineData("busybox:1.36")]
    [InlineData("registry.localhost/etl/postgres-runner:0.1.0")]
    [InlineData("localhost:5000/team/app:v1.2.3-rc.1")]
    [InlineData("Registry.Example.COM/team/app")]
    [InlineData("[::1]:5000/app:latest")]
    [InlineData("a__b/c.d/e---f:TAG_1")]
    [InlineData("busybox@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("busybox:1.36@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    public void Image_references_docker_and_containerd_accept_are_valid(string image)
    {
        var dag = new DagBuilder().Id("d");
        dag.Container("a", image);

        Assert.Equal(image, dag.Build()["a"].Image);
        Assert.True(Pipelines.Validation.ImageReference.IsValid(image));
    }

    [Theory]
    [InlineData("registry.localhost/<< var.repo >>:1")]
    [InlineData("<< var.image >>")]
    [InlineData("busybox:<< params.tag >>")]
    [InlineData("<< var.registry >>/etl/runner:1.0")]
    [InlineData("busybox<< params.tag >>")]
    [InlineData("<< var.repo >>@sha256:<< var.digest >>")]
    [InlineData("registry.localhost/etl/runner:<< params.tag >>-slim")]
    public void A_templated_image_whose_literal_text_can_be_valid_is_left_for_render_time(string image)
    {
        var dag = new DagBuilder().Id("d").Param("tag", "1.0");
        dag.Container("a", image);

        Assert.Equal(image, dag.Build()["a"].Image);
    }

    [Theory]
    [InlineData("<< var.registry >>/etl/runner:bad tag", "holds whitespace outside its templates")]
    [InlineData(" << var.image >>", "holds whitespace outside its templates")]
    [InlineData("<< var.repo >>:", "cannot be an image reference, whatever its templates render")]
    [InlineData("registry.localhost/Etl/<< var.repo >>", "cannot be an image reference")]
    [InlineData("<< var.repo >>@sha256:abc", "cannot be an image reference")]
    public void A_templated_image_that_no_rendering_can_make_valid_is_reported(string image, string message)
    {
        var problem = SingleProblem(dag => dag.Container("a", image));

        Assert.Equal(("a", "image"), (problem.TaskId, problem.Field));
        Assert.Contains(message, problem.Message);
    }

    [Theory]
    [InlineData("MY VAR")]
    [InlineData("1ABC")]
    [InlineData("A=B")]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..X")]
    [InlineData("ÄRGER")]
    public void An_env_var_name_a_runtime_refuses_is_reported_for_env_secret_env_and_env_from_prefixes(string name)
    {
        var env = SingleProblem(dag => dag.Container("a", "img").Env(name, "1"));
        var secret = SingleProblem(dag => dag.Container("a", "img").SecretEnv(name, new SecretRef("creds", "key")));
        var prefix = name.Length == 0 ? null : SingleProblem(dag => dag.Container("a", "img").EnvFromSecret("creds", name));

        Assert.Equal(("env." + name, "secretEnv." + name), (env.Field, secret.Field));
        Assert.Equal(
            $"'{name}' is not an environment variable name every runtime accepts; use letters, digits, '_', '.' and '-', not starting with a digit (such as LOG_LEVEL or my.setting), and not '.' or starting with '..'",
            env.Message);
        if (prefix is not null)
        {
            Assert.Equal("envFrom[0].prefix", prefix.Field);
            Assert.Contains($"'{name}' is not a prefix every runtime accepts", prefix.Message);
        }
    }

    [Theory]
    [InlineData("LOG_LEVEL")]
    [InlineData("_private")]
    [InlineData("spring.profiles.active")]
    [InlineData("my-var")]
    [InlineData("a1")]
    public void Env_var_names_every_runtime_accepts_are_valid(string name)
    {
        var dag = new DagBuilder().Id("d");
        dag.Container("a", "img").Env(name, "1").SecretEnv(name + "_S", new SecretRef("creds", "key")).EnvFromConfigMap("cfg", name + "_");

        Assert.Equal(name, dag.Build()["a"].Env.Single().Name);
    }

    [Theory]
    [InlineData("../../x")]
    [InlineData("a/b")]
    [InlineData(".hidden")]
    [InlineData("has space")]
    [InlineData("")]
    [InlineData("_x")]
    public void A_volume_name_no_target_accepts_is_reported(string name)
    {
        var problem = SingleProblem(dag => dag.Container("a", "img").Mount(Volume.Temp(), "/tmp").Mount(Volume.Named(name), "/data"));

        Assert.Equal(("a", "mounts[1].volume.name"), (problem.TaskId, problem.Field));
        Assert.StartsWith($"'{name}' is not a volume name; use letters, digits, '_', '.' and '-', starting with a letter or digit", problem.Message);
    }

    [Theory]
    [InlineData("orders-data")]
    [InlineData("Orders_Data")]
    [InlineData("x")]
    [InlineData("data-<< ds_nodash >>")]
    public void Volume_names_some_target_accepts_are_left_to_the_targets(string name)
    {
        var dag = new DagBuilder().Id("d");
        dag.Container("a", "img").Mount(Volume.Named(name), "/data");

        Assert.NotNull(dag.Build());
    }

    [Theory]
    [InlineData("data")]
    [InlineData("./data")]
    [InlineData("data/<< ds_nodash >>")]
    [InlineData("")]
    public void A_relative_host_path_is_reported(string path)
    {
        var problem = SingleProblem(dag => dag.Container("a", "img").Mount(Volume.HostPath(path), "/data"));

        Assert.Equal(("a", "mounts[0].volume.path"), (problem.TaskId, problem.Field));
        Assert.StartsWith($"'{path}' is not an absolute path; a host path is a folder of the machine that runs the container", problem.Message);
    }

    [Theory]
    [InlineData("/data/shared")]
    [InlineData("<< var.root >>/data")]
    [InlineData("/data/<< ds_nodash >>")]
    public void Absolute_or_templated_host_paths_are_valid(string path)
    {
        var dag = new DagBuilder().Id("d");
        dag.Container("a", "img").Mount(Volume.HostPath(path), "/data");

        Assert.NotNull(dag.Build());
    }

    [Fact]
    public void Every_new_rule_is_reported_at_once_for_one_task()
    {
        var dag = new DagBuilder().Id("d");
        dag.Container("a", "Busybox:1").Env("MY VAR", "1").Mount(Volume.Named("../../x"), "/x").Mount(Volume.HostPath("data"), "/y");

        var ex = Assert.Throws<PipelineDefinitionException>(() => dag.Build());

        Assert.Equal(["image", "env.MY VAR", "mounts[0].volume.name", "mounts[1].volume.path"], ex.Problems.Select(p => p.Field));
        Assert.All(ex.Problems, p => Assert.Equal(("d", "a"), (p.DagId, p.TaskId)));
    }
}
