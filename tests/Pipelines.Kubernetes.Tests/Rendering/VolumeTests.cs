using Pipelines.Rendering;
using static Pipelines.Kubernetes.Tests.Rendering.Attempts;

namespace Pipelines.Kubernetes.Tests.Rendering;

/// <summary>Each volume kind becomes its pod volume, with a deterministic DNS-1123 name.</summary>
public sealed class VolumeTests
{
    [Fact]
    public void A_named_volume_is_a_persistent_volume_claim()
    {
        var pod = Pod(t => t.Mount(Volume.Named("airflow-shared-pvc"), "/shared", readOnly: true, subPath: "customers"));
        var mount = pod.Base().VolumeMounts.Single(m => m.MountPath == "/shared");
        var volume = pod.Spec.Volumes.Single(v => v.Name == mount.Name);

        Assert.Equal("pvc-airflow-shared-pvc", volume.Name);
        Assert.Equal("airflow-shared-pvc", volume.PersistentVolumeClaim.ClaimName);
        Assert.Equal((true, "customers"), (mount.ReadOnlyProperty, mount.SubPath));
    }

    [Fact]
    public void A_host_path_is_a_host_path_volume_with_a_warning()
    {
        var spec = Render(t => t.Mount(Volume.HostPath("/var/log"), "/host-logs"));
        var pod = ToPod(spec.Spec);

        Assert.Equal("/var/log", pod.Spec.Volumes.Single(v => v.HostPath is not null).HostPath.Path);
        var warning = Assert.Single(spec.Diagnostics);
        Assert.Equal((DiagnosticSeverity.Warning, "mounts[0].volume.path"), (warning.Severity, warning.Field));
        Assert.Contains("node", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_temp_volume_is_an_empty_dir_with_size_and_memory_medium()
    {
        var pod = Pod(t => t.Mount(Volume.Temp("1Gi", inMemory: true), "/scratch").Mount(Volume.Temp(), "/tmp"));
        var scratch = pod.Spec.Volumes.Single(v => v.Name == pod.Base().VolumeMounts.Single(m => m.MountPath == "/scratch").Name);
        var tmp = pod.Spec.Volumes.Single(v => v.Name == pod.Base().VolumeMounts.Single(m => m.MountPath == "/tmp").Name);

        Assert.Equal(("Memory", "1Gi"), (scratch.EmptyDir.Medium, scratch.EmptyDir.SizeLimit.ToString()));
        Assert.Equal(("temp-tmp", null), (tmp.Name, tmp.EmptyDir.Medium));
        Assert.Null(tmp.EmptyDir.SizeLimit);
    }

    [Fact]
    public void Secret_and_config_map_volumes_keep_their_items()
    {
        var pod = Pod(t => t
            .Mount(Volume.Secret("database-credentials", new KeyToPath("SOURCE_DB_PASSWORD", "db_password.txt")), "/secrets", readOnly: true)
            .Mount(Volume.ConfigMap("app-config"), "/config"));
        var secret = pod.Spec.Volumes.Single(v => v.Secret is not null).Secret;
        var configMap = pod.Spec.Volumes.Single(v => v.ConfigMap is not null).ConfigMap;

        Assert.Equal("database-credentials", secret.SecretName);
        Assert.Equal(("SOURCE_DB_PASSWORD", "db_password.txt"), (secret.Items[0].Key, secret.Items[0].Path));
        Assert.Equal("app-config", configMap.Name);
        Assert.Null(configMap.Items);
    }

    [Fact]
    public void Two_mounts_of_one_volume_share_one_pod_volume_but_temp_volumes_never_do()
    {
        var pod = Pod(t => t
            .Mount(Volume.Named("shared"), "/a").Mount(Volume.Named("shared"), "/b", subPath: "x")
            .Mount(Volume.Temp(), "/t1").Mount(Volume.Temp(), "/t2"));
        var names = pod.Base().VolumeMounts.ToDictionary(m => m.MountPath, m => m.Name);

        Assert.Equal(names["/a"], names["/b"]);
        Assert.NotEqual(names["/t1"], names["/t2"]);
        Assert.Equal(4, pod.Spec.Volumes.Count); // output, shared, t1, t2
    }

    [Fact]
    public void Volume_names_are_dns_labels_even_for_long_or_odd_sources_and_stay_distinct()
    {
        var longName = "claim." + new string('a', 80);
        var pod = Pod(t => t.Mount(Volume.Named(longName), "/a").Mount(Volume.HostPath("/Data/My_Dir"), "/b").Mount(Volume.HostPath("/data/my-dir"), "/c"));
        var names = pod.Spec.Volumes.Select(v => v.Name).ToList();

        Assert.All(names, n => Assert.True(KubernetesNames.IsDnsLabel(n), n));
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.Equal(names, Pod(t => t.Mount(Volume.Named(longName), "/a").Mount(Volume.HostPath("/Data/My_Dir"), "/b").Mount(Volume.HostPath("/data/my-dir"), "/c"))
            .Spec.Volumes.Select(v => v.Name));
    }

    [Theory]
    [InlineData("airflow_shared")]
    [InlineData("Airflow-Shared")]
    [InlineData("shared-")]
    public void A_named_volume_that_is_no_claim_name_is_an_error_naming_the_field(string name)
    {
        var spec = Render(t => t.Mount(Volume.Temp(), "/tmp").Mount(Volume.Named(name), "/shared"));

        var error = Assert.Single(spec.Diagnostics);
        Assert.Equal((DiagnosticSeverity.Error, "mounts[1].volume.name"), (error.Severity, error.Field));
        Assert.Contains(name, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_claim_name_up_to_253_characters_is_valid_whatever_the_length_of_its_parts()
    {
        var name = new string('a', 100) + "." + new string('b', 140); // 241 characters, parts over 63
        var longest = new string('c', 253);

        Assert.Empty(Render(t => t.Mount(Volume.Named(name), "/a").Mount(Volume.Named(longest), "/b")).Diagnostics);
        var error = Assert.Single(Render(t => t.Mount(Volume.Named(longest + "c"), "/a")).Diagnostics);
        Assert.Equal("mounts[0].volume.name", error.Field);
    }

    [Fact]
    public void Mounting_over_the_output_directory_is_an_error() =>
        Assert.Contains(Render(t => t.Mount(Volume.Temp(), "/pipelines")).Diagnostics, d => d is { Severity: DiagnosticSeverity.Error, Field: "mounts[0].mountPath" });

    [Fact]
    public void Two_mounts_at_one_path_are_an_error() =>
        Assert.Contains(Render(t => t.Mount(Volume.Temp(), "/data").Mount(Volume.Named("x"), "/data/")).Diagnostics,
            d => d is { Severity: DiagnosticSeverity.Error, Field: "mounts[1].mountPath" });

    [Theory]
    [InlineData("/abs", "mounts[0].subPath")]
    [InlineData("a/../b", "mounts[0].subPath")]
    public void A_sub_path_kubernetes_rejects_is_an_error(string subPath, string field) =>
        Assert.Contains(Render(t => t.Mount(Volume.Named("x"), "/data", subPath: subPath)).Diagnostics, d => d.Severity == DiagnosticSeverity.Error && d.Field == field);

    [Fact]
    public void Secret_and_config_map_names_and_items_kubernetes_rejects_are_errors()
    {
        var spec = Render(t => t
            .Mount(Volume.Secret("Database_Credentials", new KeyToPath("k/y", "../x")), "/s")
            .Mount(Volume.ConfigMap("App_Config"), "/c"));

        Assert.Equal(
            ["mounts[0].volume.secretName", "mounts[0].volume.items.key", "mounts[0].volume.items.path", "mounts[1].volume.configMap"],
            spec.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.Field));
    }
}
