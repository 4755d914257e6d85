using Pipelines.Secrets;

namespace Pipelines.Core.Tests.Secrets;

public sealed class EnvironmentSecretResolverTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"pipelines-secrets-{Guid.NewGuid():N}.json");

    public void Dispose() => File.Delete(_file);

    [Theory]
    [InlineData("database-credentials", "SOURCE_DB_PASSWORD", "PIPELINES_SECRET_DATABASE_CREDENTIALS_SOURCE_DB_PASSWORD")]
    [InlineData("api.tokens", "github-token", "PIPELINES_SECRET_API_TOKENS_GITHUB_TOKEN")]
    [InlineData("s", "clé", "PIPELINES_SECRET_S_CL_")]
    public void The_variable_name_is_upper_cased_with_underscores(string name, string key, string expected) =>
        Assert.Equal(expected, EnvironmentSecretResolver.VariableName(name, key));

    [Fact]
    public void A_key_resolves_from_its_variable()
    {
        var resolver = new EnvironmentSecretResolver(environment: Variables(("PIPELINES_SECRET_DB_PASSWORD", "v1"), ("OTHER", "x")));

        Assert.True(resolver.TryResolve(new SecretRef("db", "password"), out var value));
        Assert.Equal("v1", value);
        Assert.False(resolver.TryResolve(new SecretRef("db", "user"), out _));
    }

    [Fact]
    public void A_key_resolves_from_the_file_and_a_variable_overrides_it()
    {
        File.WriteAllText(_file, """{ "db": { "password": "from-file", "user": "etl", "port": 5432 } }""");
        var resolver = new EnvironmentSecretResolver(_file, Variables(("PIPELINES_SECRET_DB_PASSWORD", "from-variable")));

        Assert.True(resolver.TryResolve(new SecretRef("db", "user"), out var user));
        Assert.True(resolver.TryResolve(new SecretRef("db", "password"), out var password));
        Assert.True(resolver.TryResolve(new SecretRef("db", "port"), out var port));
        Assert.Equal(("etl", "from-variable", "5432"), (user, password, port));
        Assert.False(resolver.TryResolve(new SecretRef("other", "user"), out _));
    }

    [Fact]
    public void A_whole_secret_merges_the_file_and_the_variables_of_its_prefix()
    {
        File.WriteAllText(_file, """{ "db": { "password": "from-file", "user": "etl" } }""");
        var resolver = new EnvironmentSecretResolver(_file, Variables(("PIPELINES_SECRET_DB_PASSWORD", "from-variable"), ("PIPELINES_SECRET_DB_HOST", "h"), ("PIPELINES_SECRET_DBX", "no")));

        var all = resolver.TryResolveAll("db");

        Assert.NotNull(all);
        Assert.Equal(
            [new("HOST", "h"), new("password", "from-variable"), new("user", "etl")],
            all.OrderBy(p => p.Key, StringComparer.Ordinal));
    }

    [Fact]
    public void A_whole_secret_from_variables_alone_or_from_nothing()
    {
        var resolver = new EnvironmentSecretResolver(environment: Variables(("PIPELINES_SECRET_API_TOKEN", "t")));

        Assert.Equal([new("TOKEN", "t")], resolver.TryResolveAll("api")!);
        Assert.Null(resolver.TryResolveAll("absent"));
    }

    [Fact]
    public void A_missing_file_is_reported()
    {
        var ex = Assert.Throws<FileNotFoundException>(() => new EnvironmentSecretResolver(_file, Variables()));

        Assert.Contains(_file, ex.Message);
    }

    [Theory]
    [InlineData("""{ "db": { "password": "hunter2" """)]
    [InlineData("""{ "db": { "password": hunter2 } }""")]
    [InlineData("""{ "db": { "password": ["hunter2"] } }""")]
    [InlineData("""["hunter2"]""")]
    [InlineData("""{ "db": "hunter2" }""")]
    public void A_bad_file_is_reported_without_any_value(string text)
    {
        File.WriteAllText(_file, text);

        var ex = Assert.Throws<InvalidDataException>(() => new EnvironmentSecretResolver(_file, Variables()));

        Assert.Contains(_file, ex.Message);
        Assert.DoesNotContain("hunter", ex.Message);
    }

    [Fact]
    public void A_key_set_twice_is_reported_by_name_without_either_value()
    {
        File.WriteAllText(_file, """{ "db": { "password": "hunter2", "password": "hunter3" } }""");

        var ex = Assert.Throws<InvalidDataException>(() => new EnvironmentSecretResolver(_file, Variables()));

        Assert.Contains(_file, ex.Message);
        Assert.Contains("$.db.password is set twice (key 'password' of $.db)", ex.Message);
        Assert.DoesNotContain("hunter", ex.Message);
    }

    [Fact]
    public void The_process_environment_is_read_when_none_is_given()
    {
        Environment.SetEnvironmentVariable("PIPELINES_SECRET_RESOLVER_TEST_KEY", "from-process");

        var resolver = new EnvironmentSecretResolver();

        Assert.True(resolver.TryResolve(new SecretRef("resolver-test", "key"), out var value));
        Assert.Equal("from-process", value);
    }

    private static Dictionary<string, string> Variables(params (string Name, string Value)[] variables) =>
        variables.ToDictionary(v => v.Name, v => v.Value);
}
