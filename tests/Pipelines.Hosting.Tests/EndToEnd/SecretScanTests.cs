namespace Pipelines.Hosting.Tests.EndToEnd;

/// <summary>
/// Secret values a user's machine holds never appear in what the host prints or writes: rendered
/// specs carry references only, and error messages never echo a value.
/// </summary>
public sealed class SecretScanTests : IDisposable
{
    private static readonly Dictionary<string, string> Secrets = new()
    {
        ["SOURCE_DB_PASSWORD"] = "s3cret-source-7f1d9c",
        ["TARGET_DB_PASSWORD"] = "s3cret-target-2b8e4a",
        ["TARGET_DB_USER"] = "s3cret-user-9c3f0e",
    };

    private readonly string _out = Directory.CreateTempSubdirectory("pipelines-secrets-").FullName;

    public void Dispose() => Directory.Delete(_out, recursive: true);

    public static TheoryData<string, string, string> Renders()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var dag in new[] { "customers_etl", "portable_pipeline" })
        {
            foreach (var target in new[] { "kubernetes", "docker" })
            {
                foreach (var env in new[] { "local", "staging", "production" })
                {
                    data.Add(dag, target, env);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Renders))]
    public async Task No_secret_value_is_in_any_rendered_byte(string dag, string target, string env)
    {
        var stdout = await HostProcess.RunAsync(HostProcess.ExamplesHost, HostProcess.RepositoryRoot, Secrets, "render", dag, "--date", "2026-11-25", "--target", target, "--env", env);
        var files = await HostProcess.RunAsync(HostProcess.ExamplesHost, HostProcess.RepositoryRoot, Secrets, "render", dag, "--date", "2026-11-25", "--target", target, "--env", env, "--out", _out);

        Assert.True(stdout.ExitCode == 0 && files.ExitCode == 0, stdout + "\n" + files);
        var everything = stdout.Stdout + stdout.Stderr + files.Stdout + files.Stderr
            + string.Concat(Directory.GetFiles(_out).Select(File.ReadAllText));
        if (dag == "customers_etl")
        {
            Assert.Contains("database-credentials", everything); // the reference is there, the value is not
        }

        foreach (var form in Secrets.Values.SelectMany(SecretForms.Of))
        {
            Assert.DoesNotContain(form, everything);
        }
    }

    [Fact]
    public async Task No_secret_value_is_in_an_error_message()
    {
        var result = await HostProcess.RunAsync(HostProcess.ExamplesHost, HostProcess.RepositoryRoot, Secrets, "render", "customers_etl", "--date", "2026-11-25", "--target", "kubernetes", "--param", "table=" + Secrets["SOURCE_DB_PASSWORD"][..6], "--param", "nope=1");

        Assert.Equal(2, result.ExitCode);
        foreach (var form in Secrets.Values.SelectMany(SecretForms.Of))
        {
            Assert.DoesNotContain(form, result.Stdout + result.Stderr);
        }
    }
}
