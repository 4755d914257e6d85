namespace Pipelines.Hosting.Tests.EndToEnd;

/// <summary><c>render</c> as a user runs it: deterministic YAML, one file per task, diagnostics, exit codes.</summary>
public sealed class RenderCommandTests : IDisposable
{
    private readonly string _out = Directory.CreateTempSubdirectory("pipelines-render-").FullName;

    private static string Root => HostProcess.RepositoryRoot;

    public void Dispose() => Directory.Delete(_out, recursive: true);

    [Fact]
    public async Task Render_to_stdout_is_one_multi_document_yaml_and_the_same_bytes_every_time()
    {
        var first = await HostProcess.RunAsync(HostProcess.ExamplesHost, Root, "render", "customers_etl", "--date", "2026-11-25", "--target", "kubernetes");
        var second = await HostProcess.RunAsync(HostProcess.ExamplesHost, Root, "render", "customers_etl", "--date", "2026-11-25", "--target", "kubernetes");

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Equal(first.Stdout, second.Stdout);
        Assert.Equal(3, first.Stdout.Split("\n---\n").Length);
        Assert.Contains("kind: \"Pod\"", first.Stdout);
        Assert.Contains("\"2026-11-25\"", first.Stdout);
    }

    [Fact]
    public async Task Render_with_out_writes_one_file_per_task_named_by_task_id()
    {
        var result = await HostProcess.RunAsync(HostProcess.ExamplesHost, Root, "render", "portable_pipeline", "--date", "2026-11-25", "--target", "docker", "--out", _out);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["extract_data.yaml", "transform_data.yaml"], Directory.GetFiles(_out).Select(Path.GetFileName).Order());
        Assert.Contains("registry.localhost/etl/extractor:1.0.0", File.ReadAllText(Path.Combine(_out, "extract_data.yaml")));
    }

    [Fact]
    public async Task The_environment_rewrites_the_registry_and_supplies_vars()
    {
        var result = await HostProcess.RunAsync(HostProcess.ExamplesHost, Root, "render", "portable_pipeline", "--date", "2026-11-25", "--target", "kubernetes", "--env", "production");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("registry.mycompany.com/etl/extractor:1.0.0", result.Stdout);
        Assert.Contains("\"orders-db.internal.com\"", result.Stdout);
        Assert.Contains("namespace: \"airflow-production\"", result.Stdout);
    }

    [Theory]
    [InlineData("--date", "2026-13-01", "is not a date; write YYYY-MM-DD")]
    [InlineData("--env", "mars", "has no environment 'mars' (from --env)")]
    [InlineData("--param", "nope=1", "'nope' is not a parameter of the DAG")]
    [InlineData("--target", "nomad", "nomad")]
    public async Task Bad_input_exits_2_with_a_clear_message_and_renders_nothing(string option, string value, string message)
    {
        string[] args = option == "--date"
            ? ["render", "customers_etl", "--target", "kubernetes", "--date", value, "--out", _out]
            : option == "--target"
                ? ["render", "customers_etl", "--date", "2026-11-25", "--target", value, "--out", _out]
                : ["render", "customers_etl", "--date", "2026-11-25", "--target", "kubernetes", option, value, "--out", _out];

        var result = await HostProcess.RunAsync(HostProcess.ExamplesHost, Root, args);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(message, result.Stderr);
        Assert.Empty(Directory.GetFiles(_out));
    }

    [Fact]
    public async Task Strict_turns_a_warning_into_an_error_and_renders_nothing()
    {
        var relaxed = await HostProcess.RunAsync(HostProcess.ExamplesHost, Root, "render", "customers_etl", "--date", "2026-11-25", "--target", "docker");
        var strict = await HostProcess.RunAsync(HostProcess.ExamplesHost, Root, "render", "customers_etl", "--date", "2026-11-25", "--target", "docker", "--strict", "--out", _out);

        Assert.True(relaxed.ExitCode == 0, relaxed.ToString());
        Assert.Contains("warning: dag 'customers_etl', task 'extract_customers', docker, field ", relaxed.Stderr);
        Assert.True(strict.ExitCode == 2, strict.ToString());
        Assert.Contains("error: dag 'customers_etl', task 'extract_customers', docker, field ", strict.Stderr);
        Assert.Contains("(--strict)", strict.Stderr);
        Assert.Empty(Directory.GetFiles(_out));
    }
}
