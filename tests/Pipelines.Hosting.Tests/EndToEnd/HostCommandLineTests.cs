namespace Pipelines.Hosting.Tests.EndToEnd;

/// <summary>The host programs as child processes: what a user types and sees, and the exit codes.</summary>
public sealed class HostCommandLineTests
{
    private static string Root => HostProcess.RepositoryRoot;

    [Fact]
    public async Task List_shows_every_example_dag_with_schedule_and_task_count()
    {
        var result = await HostProcess.RunAsync(HostProcess.ExamplesHost, Root, "list");

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("DAG", lines[0]);
        Assert.Matches(@"^customers_etl\s+@daily\s+3\s+Extract customers", lines.Single(l => l.StartsWith("customers_etl", StringComparison.Ordinal)));
        Assert.Matches(@"^portable_pipeline\s+@daily\s+2\s+", lines.Single(l => l.StartsWith("portable_pipeline", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Validate_passes_the_examples()
    {
        var result = await HostProcess.RunAsync(HostProcess.ExamplesHost, Root, "validate");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("✓ customers_etl: 3 tasks, valid", result.Stdout);
        Assert.Contains("✓ portable_pipeline: 2 tasks, valid", result.Stdout);
    }

    [Fact]
    public async Task Validate_of_a_dag_with_a_cycle_prints_the_cycle_path_and_exits_2()
    {
        var result = await HostProcess.RunAsync(HostProcess.TestHost, Root, "validate", "cyclic");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("cycle: extract → transform → load → extract", result.Stdout);
    }

    [Fact]
    public async Task Validate_reports_every_problem_of_a_dag_at_once()
    {
        var result = await HostProcess.RunAsync(HostProcess.TestHost, Root, "validate", "many_problems");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("✗ many_problems: 5 problems", result.Stdout);
        Assert.Contains("field 'schedule': 'every day' is not a cron expression", result.Stdout);
        Assert.Contains("task 'bad id!', field 'id'", result.Stdout);
        Assert.Contains("task 'no_image', field 'image': the image is empty", result.Stdout);
        Assert.Contains("task 'greedy', field 'resources.limits.memory': '2 GB' is not a valid quantity", result.Stdout);
        Assert.Contains("task 'orphan', field 'upstream': depends on 'missing', which is not a task of this DAG; its tasks: bad id!, greedy, no_image, orphan", result.Stdout);
    }

    [Fact]
    public async Task Validate_checks_names_against_the_target_of_every_environment()
    {
        using var project = new ProjectFolder("""
            { "environments": { "local": { "runtime": "auto" }, "prod": { "runtime": "kubernetes" }, "prod-eu": { "runtime": "kubernetes" } } }
            """);

        var result = await project.RunAsync(HostProcess.TestHost, "validate", "target_names");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal(
            [
                "✗ target_names: 3 problems",
                "  - task 'extract', field 'mounts[1].volume.name': on docker (environment 'local' with runtime auto): " +
                    "'x' is not a Docker volume name; use letters, digits, '_', '.' and '-', starting with a letter or digit (two characters or more)",
                "  - task 'extract', field 'secretEnv.DB_PASSWORD.name': on kubernetes (environments 'prod', 'prod-eu'): " +
                    "'Database_Credentials' is not a Secret name: use lowercase letters, digits, '-' and '.' (a DNS-1123 subdomain)",
                "  - task 'extract', field 'mounts[0].volume.name': on kubernetes (environments 'prod', 'prod-eu'): " +
                    "'Orders_Data' is not a PersistentVolumeClaim name: use lowercase letters, digits, '-' and '.' (a DNS-1123 subdomain, at most 253), starting and ending with a letter or digit",
            ],
            result.Stdout.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task Validate_applies_no_target_rules_an_environment_does_not_use()
    {
        using var project = new ProjectFolder("""{ "environments": { "local": { "runtime": "process" } } }""");

        var result = await project.RunAsync(HostProcess.TestHost, "validate", "target_names");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("✓ target_names: 1 task, valid", result.Stdout.Trim());
    }

    [Fact]
    public async Task A_broken_dag_does_not_hide_the_valid_ones_but_list_exits_2()
    {
        var result = await HostProcess.RunAsync(HostProcess.TestHost, Root, "list");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Matches(@"(?m)^healthy\s+@hourly\s+1\s*$", result.Stdout);
        Assert.Matches(@"(?m)^cyclic\s+-\s+-\s+INVALID: 1 problem\(s\); run 'validate cyclic'", result.Stdout);
    }

    [Fact]
    public async Task Graph_prints_mermaid_by_default_and_dot_on_request()
    {
        var mermaid = await HostProcess.RunAsync(HostProcess.ExamplesHost, Root, "graph", "customers_etl");
        var dot = await HostProcess.RunAsync(HostProcess.ExamplesHost, Root, "graph", "customers_etl", "--format", "dot");

        Assert.True(mermaid.ExitCode == 0, mermaid.ToString());
        Assert.Contains("flowchart LR", mermaid.Stdout);
        Assert.Contains("t0[\"extract_customers\"]", mermaid.Stdout);
        Assert.Contains("t0 --> t1", mermaid.Stdout);
        Assert.True(dot.ExitCode == 0, dot.ToString());
        Assert.Contains("\"transform_customers\" -> \"load_customers\";", dot.Stdout);
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("list", "--no-such-option")]
    [InlineData("graph", "customers_etl", "--format", "png")]
    [InlineData("graph")]
    [InlineData]
    public async Task Usage_errors_exit_2_with_a_message_on_stderr(params string[] args)
    {
        var result = await HostProcess.RunAsync(HostProcess.ExamplesHost, Root, args);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("--help", result.Stderr);
    }

    [Fact]
    public async Task An_unknown_dag_exits_2_and_names_the_dags_that_exist()
    {
        var result = await HostProcess.RunAsync(HostProcess.ExamplesHost, Root, "graph", "customer_etl");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("There is no DAG 'customer_etl'; DAGs: customers_etl, orders_daily, portable_pipeline", result.Stderr);
    }
}
