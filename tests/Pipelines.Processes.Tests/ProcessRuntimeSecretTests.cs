using Pipelines.Execution;
using Pipelines.Execution.Runtimes;

namespace Pipelines.Processes.Tests;

public sealed class ProcessRuntimeSecretTests : IDisposable
{
    private const string Password = "pa55-from-variable";
    private const string FilePassword = "pa55-from-file";
    private const string FileUser = "etl-user";

    private static readonly SecretRef DbPassword = new("database-credentials", "SOURCE_DB_PASSWORD");

    private readonly string _secretsFile = Path.Combine(Path.GetTempPath(), $"pipelines-secrets-{Guid.NewGuid():N}.json");

    public ProcessRuntimeSecretTests() =>
        File.WriteAllText(_secretsFile, $$"""{ "database-credentials": { "SOURCE_DB_PASSWORD": "{{FilePassword}}", "SOURCE_DB_USER": "{{FileUser}}" } }""");

    public void Dispose() => File.Delete(_secretsFile);

    [Fact]
    public async Task A_secret_env_var_resolves_from_its_environment_variable_and_is_registered_for_masking()
    {
        using var bed = new ProcessTestBed(new Dictionary<string, string> { ["PIPELINES_SECRET_DATABASE_CREDENTIALS_SOURCE_DB_PASSWORD"] = Password });
        var sink = new RecordingSink();
        var attempt = ProcessTestBed.Resolve(t => t.Command("sh", "-c", "echo \"$PW\"").SecretEnv("PW", DbPassword));

        await bed.RunAsync(attempt, sink);

        Assert.Equal([Password], sink.Lines);
        Assert.Equal("password is ***", bed.Masker.Mask($"password is {Password}"));
    }

    [Fact]
    public async Task A_secret_env_var_resolves_from_the_secrets_file()
    {
        using var bed = new ProcessTestBed(secretsFile: _secretsFile);
        var sink = new RecordingSink();
        var attempt = ProcessTestBed.Resolve(t => t.Command("sh", "-c", "echo \"$PW\"").SecretEnv("PW", DbPassword));

        await bed.RunAsync(attempt, sink);

        Assert.Equal([FilePassword], sink.Lines);
        Assert.Equal("***", bed.Masker.Mask(FilePassword));
    }

    [Fact]
    public async Task Env_from_a_secret_imports_every_key_with_the_prefix()
    {
        using var bed = new ProcessTestBed(secretsFile: _secretsFile);
        var sink = new RecordingSink();
        var attempt = ProcessTestBed.Resolve(t => t.Command("sh", "-c", "echo \"$DB_SOURCE_DB_USER $DB_SOURCE_DB_PASSWORD\"").EnvFromSecret("database-credentials", "DB_"));

        await bed.RunAsync(attempt, sink);

        Assert.Equal([$"{FileUser} {FilePassword}"], sink.Lines);
        Assert.Equal("*** ***", bed.Masker.Mask($"{FileUser} {FilePassword}"));
    }

    [Fact]
    public async Task A_missing_secret_key_is_lost_naming_the_secret_and_key_and_no_value()
    {
        using var bed = new ProcessTestBed(secretsFile: _secretsFile);
        var sink = new RecordingSink();
        var attempt = ProcessTestBed.Resolve(t => t.Command("true")
            .SecretEnv("PW", new SecretRef("database-credentials", "MISSING_KEY"))
            .SecretEnv("OTHER", new SecretRef("no-such-secret", "k")));

        var result = await bed.RunAsync(attempt, sink);

        Assert.Equal(AttemptOutcome.Lost, result.Outcome);
        Assert.Contains("secret 'database-credentials' has no key 'MISSING_KEY' (env PW)", result.Reason);
        Assert.Contains("secret 'no-such-secret' has no key 'k' (env OTHER)", result.Reason);
        Assert.Contains("PIPELINES_SECRET_DATABASE_CREDENTIALS_MISSING_KEY", result.Reason);
        Assert.DoesNotContain(FilePassword, result.Reason);
        Assert.DoesNotContain(FileUser, result.Reason);
        Assert.Null(sink.Handle);
    }

    [Fact]
    public async Task A_missing_env_from_secret_is_lost()
    {
        using var bed = new ProcessTestBed();

        var result = await bed.RunAsync(ProcessTestBed.Resolve(t => t.Command("true").EnvFromSecret("absent")));

        Assert.Equal(AttemptOutcome.Lost, result.Outcome);
        Assert.Contains("secret 'absent' (envFrom) was not found", result.Reason);
    }

    [Fact]
    public async Task A_secret_volume_writes_each_key_as_an_owner_only_file_deleted_once_the_attempt_is_recorded()
    {
        using var bed = new ProcessTestBed(secretsFile: _secretsFile);
        var sink = new RecordingSink();
        var attempt = ProcessTestBed.Resolve(t => t
            .Command("sh", "-c", "cat /secrets/SOURCE_DB_USER; echo; stat -c %a /secrets/SOURCE_DB_PASSWORD; echo /secrets")
            .Mount(Volume.Secret("database-credentials"), "/secrets", readOnly: true));

        var result = await bed.RunAsync(attempt, sink);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(FileUser, sink.Lines[0]);
        Assert.Equal("600", sink.Lines[1]);
        await bed.Runtime.ForgetAsync(AttemptKey.Of(attempt));
        Assert.False(Directory.Exists(sink.Lines[2]));
        Assert.Equal("***", bed.Masker.Mask(FilePassword));
    }

    [Fact]
    public async Task A_secret_volume_with_items_writes_only_those_keys_at_their_paths()
    {
        using var bed = new ProcessTestBed(secretsFile: _secretsFile);
        var sink = new RecordingSink();
        var attempt = ProcessTestBed.Resolve(t => t
            .Command("sh", "-c", "cat /secrets/db/pw; echo; ls /secrets | wc -l")
            .Mount(Volume.Secret("database-credentials", new KeyToPath("SOURCE_DB_PASSWORD", "db/pw")), "/secrets"));

        await bed.RunAsync(attempt, sink);

        Assert.Equal([FilePassword, "1"], sink.Lines);
    }

    [Fact]
    public async Task A_missing_secret_volume_is_lost()
    {
        using var bed = new ProcessTestBed();

        var result = await bed.RunAsync(ProcessTestBed.Resolve(t => t.Command("true").Mount(Volume.Secret("absent"), "/secrets")));

        Assert.Equal(AttemptOutcome.Lost, result.Outcome);
        Assert.Contains("secret 'absent' (mount '/secrets') was not found", result.Reason);
    }
}
