using Pipelines.Environments;
using Pipelines.Secrets;

namespace Pipelines.Core.Tests.Environments;

public sealed class PipelinesConfigTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("pipelines-config-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private const string Sample = """
        {
          // comments are allowed
          "environments": {
            "local": { "runtime": "process", "vars": { "source_host": "localhost", "port": 5432, "debug": true }, "pools": { "db": 2 }, "secretsFile": ".pipelines/secrets.json" },
            "production": {
              "runtime": "kubernetes",
              "docker": { "endpoint": "tcp://docker:2375", "network": "edge" },
              "kubernetes": { "context": "prod", "namespace": "airflow-production", "inCluster": true, "configFile": "/kube/config" },
              "registry": { "registry.localhost": "registry.mycompany.com" },
              "vars": { "source_host": "db.internal" }
            }
          }
        }
        """;

    private static Func<string, string?> Vars(string? environment = null) =>
        name => name == "PIPELINES_ENVIRONMENT" ? environment : null;

    [Fact]
    public void The_file_is_found_by_walking_up_from_the_working_directory()
    {
        File.WriteAllText(Path.Combine(_root, "pipelines.json"), Sample);
        var nested = Directory.CreateDirectory(Path.Combine(_root, "a", "b", "c")).FullName;

        var config = PipelinesConfig.Load(nested);

        Assert.Equal(Path.Combine(_root, "pipelines.json"), config.FilePath);
        Assert.Equal(_root, config.RootDirectory);
        Assert.Equal(["local", "production"], config.Environments.Keys);
    }

    [Fact]
    public void Every_setting_of_an_environment_is_read()
    {
        var config = PipelinesConfig.Parse(Path.Combine(_root, "pipelines.json"), Sample);

        var production = config.Environments["production"];
        Assert.Equal("kubernetes", production.Runtime);
        Assert.Equal(new DockerEnvironment("tcp://docker:2375", "edge"), production.Docker);
        Assert.Equal(new KubernetesEnvironment("prod", "airflow-production", true, "/kube/config"), production.Kubernetes);
        Assert.Equal("registry.mycompany.com", production.Registry["registry.localhost"]);
        Assert.Equal("db.internal", production.Vars["source_host"]);
        Assert.Equal("5432", config.Environments["local"].Vars["port"]);
        Assert.Equal("true", config.Environments["local"].Vars["debug"]);
        Assert.Equal(2, config.Environments["local"].Pools["db"]);
        Assert.Equal(".pipelines/secrets.json", config.Environments["local"].SecretsFile);
    }

    [Fact]
    public void The_environment_is_chosen_by_flag_then_variable_then_local()
    {
        var config = PipelinesConfig.Parse(Path.Combine(_root, "pipelines.json"), Sample);

        Assert.Equal("production", config.SelectEnvironment("production", Vars("local")).Name);
        Assert.Equal("production", config.SelectEnvironment(null, Vars("production")).Name);
        Assert.Equal("local", config.SelectEnvironment(null, Vars()).Name);
        Assert.Equal("process", config.SelectEnvironment(null, Vars()).Runtime);
    }

    [Fact]
    public void Without_a_file_the_builtin_local_environment_applies()
    {
        var config = PipelinesConfig.Load(_root);

        Assert.Null(config.FilePath);
        var local = config.SelectEnvironment(null, Vars());
        Assert.Equal(("local", "auto"), (local.Name, local.Runtime));
        Assert.Empty(local.Vars);
    }

    [Fact]
    public void An_unknown_environment_lists_the_declared_ones_and_says_where_the_name_came_from()
    {
        var config = PipelinesConfig.Parse(Path.Combine(_root, "pipelines.json"), Sample);

        var fromFlag = Assert.Throws<PipelinesConfigException>(() => config.SelectEnvironment("prod", Vars()));
        var fromVariable = Assert.Throws<PipelinesConfigException>(() => config.SelectEnvironment(null, Vars("staging")));

        Assert.Contains("has no environment 'prod' (from --env); environments: local, production", fromFlag.Message);
        Assert.Contains("(from PIPELINES_ENVIRONMENT)", fromVariable.Message);
    }

    [Theory]
    [InlineData("""{ "environments": { "local": { "runtime": "podman" } } }""", "$.environments.local.runtime", "'podman' is not a runtime; use one of: auto, process, docker, kubernetes")]
    [InlineData("""{ "environments": { "local": { "runtim": "docker" } } }""", "$.environments.local.runtim", "is not a known setting; settings here: runtime, docker, kubernetes, registry, vars, pools, secretsFile, webhooks")]
    [InlineData("""{ "environments": { "local": { "pools": { "db": 0 } } } }""", "$.environments.local.pools.db", "must be a whole number of slots, 1 or more, not 0")]
    [InlineData("""{ "environment": {} }""", "$.environment", "is not a known setting")]
    [InlineData("""{ "environments": { "local": { "vars": { "a": [1] } } } }""", "$.environments.local.vars.a", "must be a string, number or bool, not an array")]
    [InlineData("""{ "environments": { "local": { "kubernetes": { "inCluster": "yes" } } } }""", "$.environments.local.kubernetes.inCluster", "must be true or false")]
    [InlineData("""{ "environments": [ ] }""", "$.environments", "must be an object, not an array")]
    [InlineData("""{ "environments": """, "$", "is not valid JSON")]
    [InlineData("""{ "environments": { "local": { "vars": { "a": "1", "a": "2" } } } }""", "$.environments.local.vars.a", "is set twice (key 'a' of $.environments.local.vars); keep one")]
    [InlineData("""{ "environments": { "local": { "runtime": "docker" }, "local": { "runtime": "process" } } }""", "$.environments.local", "is set twice (key 'local' of $.environments)")]
    [InlineData("""{ "environments": { }, "environments": { } }""", "$.environments", "is set twice (key 'environments' of $)")]
    [InlineData("""{ "environments": { "local": { "webhooks": { } } } }""", "$.environments.local.webhooks", "must be an array of webhooks, not an object")]
    [InlineData("""{ "environments": { "local": { "webhooks": [ { } ] } } }""", "$.environments.local.webhooks[0]", "needs exactly one of url (a URL that is no secret) and urlSecret")]
    [InlineData("""{ "environments": { "local": { "webhooks": [ { "url": "hooks.slack.com/x" } ] } } }""", "$.environments.local.webhooks[0].url", "'hooks.slack.com/x' is not an absolute http:// or https:// URL")]
    [InlineData("""{ "environments": { "local": { "webhooks": [ { "url": "https://h/x", "events": ["failure"] } ] } } }""", "$.environments.local.webhooks[0].events", "the string \"failure\" is not an event; events: task_success, task_failure, task_retry, run_success, run_failure")]
    [InlineData("""{ "environments": { "local": { "webhooks": [ { "url": "https://h/x", "format": "teams" } ] } } }""", "$.environments.local.webhooks[0].format", "'teams' is not a format; use json or slack")]
    [InlineData("""{ "environments": { "local": { "webhooks": [ { "url": "https://h/x", "timeoutSeconds": 0 } ] } } }""", "$.environments.local.webhooks[0].timeoutSeconds", "must be a whole number from 1 to 600, not 0")]
    [InlineData("""{ "environments": { "local": { "webhooks": [ { "urlSecret": { "name": "notify" } } ] } } }""", "$.environments.local.webhooks[0].urlSecret.key", "is required")]
    [InlineData("""{ "environments": { "local": { "webhooks": [ { "url": "https://h/x", "retry": 2 } ] } } }""", "$.environments.local.webhooks[0].retry", "is not a known setting; settings here: url, urlSecret, format, events, timeoutSeconds, retries")]
    public void An_invalid_file_names_the_file_the_field_and_what_is_valid(string json, string field, string message)
    {
        var path = Path.Combine(_root, "pipelines.json");

        var ex = Assert.Throws<PipelinesConfigException>(() => PipelinesConfig.Parse(path, json));

        Assert.Equal(field, ex.Field);
        Assert.StartsWith($"{path}: {field} ", ex.Message);
        Assert.Contains(message, ex.Message);
    }

    [Fact]
    public void A_webhook_reads_with_its_defaults_filled_in()
    {
        var config = PipelinesConfig.Parse(Path.Combine(_root, "pipelines.json"), """
            { "environments": { "production": { "webhooks": [
                { "urlSecret": { "name": "notify", "key": "slack" }, "format": "slack", "events": ["task_retry", "run_failure"], "timeoutSeconds": 10, "retries": 0 },
                { "url": "https://alerts.internal/pipelines" }
            ] } } }
            """);

        var webhooks = config.Environments["production"].Webhooks;

        Assert.Equal((null, new WebhookUrlSecret("notify", "slack"), WebhookFormat.Slack, 0, TimeSpan.FromSeconds(10)), (webhooks[0].Url, webhooks[0].UrlSecret, webhooks[0].Format, webhooks[0].Retries, webhooks[0].Timeout));
        Assert.Equal(["task_retry", "run_failure"], webhooks[0].Events);
        Assert.Equal(("https://alerts.internal/pipelines", WebhookFormat.Json, 3, TimeSpan.FromSeconds(30)), (webhooks[1].Url, webhooks[1].Format, webhooks[1].Retries, webhooks[1].Timeout));
        Assert.Equal(["run_failure"], webhooks[1].Events);
    }

    [Theory]
    [InlineData("registry.localhost/etl/runner:1.0", "registry.mycompany.com/etl/runner:1.0")]
    [InlineData("registry.localhost.evil/etl/runner:1.0", "registry.localhost.evil/etl/runner:1.0")]
    [InlineData("registry.localhost/team/x:1", "mirror.internal/team-a/x:1")]
    [InlineData("busybox:stable", "busybox:stable")]
    public void Image_registries_are_rewritten_by_the_longest_matching_prefix(string image, string expected)
    {
        var environment = new EnvironmentConfig
        {
            Name = "production",
            Registry = new Dictionary<string, string>
            {
                ["registry.localhost"] = "registry.mycompany.com",
                ["registry.localhost/team"] = "mirror.internal/team-a",
            }.ToImmutableSortedDictionary(),
        };

        Assert.Equal(expected, environment.RewriteImage(image));
    }
}
