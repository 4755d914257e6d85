using Pipelines.Docker.Rendering;

namespace Pipelines.Docker.Tests.Rendering;

public sealed class SecretTests
{
    private const string FakeSecretValue = "fake-s3cr3t-value-0b9f";

    private static void WithSecrets(TaskBuilder t) => t
        .Env("PLAIN", "visible")
        .SecretEnv("SOURCE_DB_PASSWORD", new SecretRef("database-credentials", "SOURCE_DB_PASSWORD"))
        .EnvFromSecret("api-keys", prefix: "API_")
        .Mount(Volume.Secret("tls", new KeyToPath("ca", "certs/ca.crt")), "/etc/tls");

    [Fact]
    public void Secret_variables_are_references_outside_the_create_request()
    {
        var spec = DockerRender.Container(WithSecrets);

        Assert.Equal(["PIPELINES_OUTPUT=/pipelines/output.json", "PLAIN=visible"], spec.Create.Env);
        Assert.Equal(new DockerSecretEnv("SOURCE_DB_PASSWORD", new SecretRef("database-credentials", "SOURCE_DB_PASSWORD")), Assert.Single(spec.SecretEnv));
        Assert.Equal(new DockerSecretEnvSource("api-keys", "API_"), Assert.Single(spec.SecretEnvFrom));
    }

    [Fact]
    public void A_secret_volume_is_a_per_attempt_volume_the_runtime_fills_before_start()
    {
        var spec = DockerRender.Container(WithSecrets);

        var files = Assert.Single(spec.SecretFiles);
        Assert.Equal((spec.Name + "-secret-0", "/etc/tls", "tls"), (files.Volume, files.MountPath, files.SecretName));
        Assert.Equal([new KeyToPath("ca", "certs/ca.crt")], files.Items);
        var mount = spec.Create.HostConfig!.Mounts![0];
        Assert.Equal(("volume", files.Volume, "/etc/tls", null), (mount.Type, mount.Source, mount.Target, mount.ReadOnly));
        Assert.True(spec.Volumes.Single(v => v.Name == files.Volume).PerAttempt);
    }

    [Fact]
    public void The_document_lists_secret_references()
    {
        var document = DockerRender.Spec(WithSecrets).Spec;

        JsonPath.Equal("""[{"name":"SOURCE_DB_PASSWORD","secret":"database-credentials","key":"SOURCE_DB_PASSWORD"}]""", document, "secretEnv");
        JsonPath.Equal("""[{"secret":"api-keys","prefix":"API_"}]""", document, "secretEnvFrom");
        JsonPath.Equal("""{"path":"/etc/tls","secret":"tls","items":[{"key":"ca","path":"certs/ca.crt"}]}""",
            RemoveVolume(document), "secretFiles[0]");
    }

    [Fact]
    public void A_secret_value_in_the_host_environment_appears_nowhere_in_the_rendered_spec()
    {
        // What a careless renderer might read: the variable named like the secret key, or the secret.
        Environment.SetEnvironmentVariable("SOURCE_DB_PASSWORD", FakeSecretValue);
        Environment.SetEnvironmentVariable("database-credentials", FakeSecretValue);
        try
        {
            var spec = DockerRender.Spec(WithSecrets);
            var container = DockerRender.Container(WithSecrets);

            Assert.DoesNotContain(FakeSecretValue, spec.Spec.ToJsonString(), StringComparison.Ordinal);
            Assert.DoesNotContain(FakeSecretValue, spec.ToYaml(), StringComparison.Ordinal);
            Assert.DoesNotContain(container.Create.Env, e => e.Contains(FakeSecretValue, StringComparison.Ordinal));
            Assert.Contains("database-credentials", spec.ToYaml(), StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("SOURCE_DB_PASSWORD", null);
            Environment.SetEnvironmentVariable("database-credentials", null);
        }
    }

    private static System.Text.Json.Nodes.JsonObject RemoveVolume(System.Text.Json.Nodes.JsonObject document)
    {
        var copy = document.DeepClone().AsObject();
        copy["secretFiles"]![0]!.AsObject().Remove("volume");
        return copy;
    }
}
