using Docker.DotNet.Models;
using Pipelines.Attempts;
using Pipelines.Docker.Rendering;
using Pipelines.Environments;

namespace Pipelines.Docker.Tests.Rendering;

public sealed class SettingMappingTests
{
    private static readonly Dictionary<string, (Action<TaskBuilder> Configure, string Path, string Json)> Cases = new()
    {
        ["image"] = (_ => { }, "Image", "\"registry.localhost/etl/runner:1.0.0\""),
        ["command is the entrypoint"] = (t => t.Command("python", "-m", "datakit.extract"), "Entrypoint", """["python","-m","datakit.extract"]"""),
        ["args are the cmd"] = (t => t.Args("--table", "customers"), "Cmd", """["--table","customers"]"""),
        ["the output path, then env in order"] = (t => t.Env("B", "2").Env("A", "1"), "Env", """["PIPELINES_OUTPUT=/pipelines/output.json","B=2","A=1"]"""),
        ["named volume"] = (t => t.Mount(Volume.Named("shared"), "/shared", readOnly: true), "HostConfig.Mounts[0]",
            """{"Type":"volume","Source":"shared","Target":"/shared","ReadOnly":true}"""),
        ["named volume sub-path"] = (t => t.Mount(Volume.Named("shared"), "/in", subPath: "customers/in"), "HostConfig.Mounts[0]",
            """{"Type":"volume","Source":"shared","Target":"/in","VolumeOptions":{"Subpath":"customers/in"}}"""),
        ["host path"] = (t => t.Mount(Volume.HostPath("/data/shared"), "/shared", readOnly: true), "HostConfig.Mounts[0]",
            """{"Type":"bind","Source":"/data/shared","Target":"/shared","ReadOnly":true}"""),
        ["host path sub-path"] = (t => t.Mount(Volume.HostPath("/data/"), "/in", subPath: "in"), "HostConfig.Mounts[0]",
            """{"Type":"bind","Source":"/data/in","Target":"/in"}"""),
        ["temp volume"] = (t => t.Mount(Volume.Temp("1Gi", inMemory: true), "/scratch"), "HostConfig.Mounts[0]",
            """{"Type":"tmpfs","Target":"/scratch","TmpfsOptions":{"SizeBytes":1073741824}}"""),
        ["temp volume without a size"] = (t => t.Mount(Volume.Temp(), "/tmp"), "HostConfig.Mounts[0]", """{"Type":"tmpfs","Target":"/tmp"}"""),
        ["output volume"] = (_ => { }, "HostConfig.Mounts[0]",
            """{"Type":"volume","Source":"d-t-","Target":"/pipelines","VolumeOptions":{"NoCopy":true}}"""),
        ["memory limit"] = (t => t.Resources(limits: new(Memory: "2Gi")), "HostConfig.Memory", "2147483648"),
        ["memory request"] = (t => t.Resources(requests: new(Memory: "1Gi"), limits: new(Memory: "2Gi")), "HostConfig.MemoryReservation", "1073741824"),
        ["memory request defaults to the limit"] = (t => t.Resources(limits: new(Memory: "512Mi")), "HostConfig.MemoryReservation", "536870912"),
        ["cpu limit"] = (t => t.Resources(limits: new(Cpu: "1500m")), "HostConfig.NanoCpus", "1500000000"),
        ["cpu request"] = (t => t.Resources(requests: new(Cpu: "500m")), "HostConfig.CpuShares", "512"),
        ["cpu request defaults to the limit"] = (t => t.Resources(limits: new(Cpu: "2")), "HostConfig.CpuShares", "2048"),
        ["cpu request has a floor of 2 shares"] = (t => t.Resources(requests: new(Cpu: "1m")), "HostConfig.CpuShares", "2"),
        ["gpus"] = (t => t.Gpus(2), "HostConfig.DeviceRequests", """[{"Driver":"nvidia","Count":2,"Capabilities":[["gpu"]]}]"""),
        ["user and group"] = (t => t.RunAs(1000, 2000), "User", "\"1000:2000\""),
        ["user only"] = (t => t.RunAs(1000), "User", "\"1000\""),
        ["read-only root"] = (t => t.ReadOnlyRootFilesystem(), "HostConfig.ReadonlyRootfs", "true"),
        ["capabilities added"] = (t => t.AddCapabilities("NET_BIND_SERVICE", "SYS_TIME"), "HostConfig.CapAdd", """["NET_BIND_SERVICE","SYS_TIME"]"""),
        ["capabilities dropped"] = (t => t.DropCapabilities("ALL"), "HostConfig.CapDrop", """["ALL"]"""),
        ["privileged"] = (t => t.Privileged(), "HostConfig.Privileged", "true"),
        ["working dir"] = (t => t.WorkingDir("/work"), "WorkingDir", "\"/work\""),
        ["extra hosts"] = (t => t.ExtraHost("warehouse.internal", "172.17.0.1"), "HostConfig.ExtraHosts", """["warehouse.internal:172.17.0.1"]"""),
        // 29.2 s: rounding would give 29, cutting the task's grace short; only rounding up gives 30.
        ["stop grace period, in whole seconds rounded up"] = (t => t.StopGracePeriod(TimeSpan.FromSeconds(29.2)), "StopTimeout", "30"),
        ["stop grace period of whole seconds kept"] = (t => t.StopGracePeriod(TimeSpan.FromSeconds(29)), "StopTimeout", "29"),
        ["stop signal"] = (t => t.StopGracePeriod(TimeSpan.FromSeconds(10)), "StopSignal", "\"SIGTERM\""),
        ["docker network"] = (t => t.OnDocker(d => d.Network("edge")), "HostConfig.NetworkMode", "\"edge\""),
        ["shm size"] = (t => t.OnDocker(d => d.ShmSize("256Mi")), "HostConfig.ShmSize", "268435456"),
        ["shm size as docker run takes it"] = (t => t.OnDocker(d => d.ShmSize("1g")), "HostConfig.ShmSize", "1073741824"),
        ["tty"] = (t => t.OnDocker(d => d.Tty()), "Tty", "true"),
        ["ulimits"] = (t => t.OnDocker(d => d.Ulimit("nofile", 1024, 2048)), "HostConfig.Ulimits", """[{"Name":"nofile","Soft":1024,"Hard":2048}]"""),
        ["patches run last"] = (t => t.OnDocker(d => d.Network("edge").Patch(c => c.HostConfig!.NetworkMode = "host")), "HostConfig.NetworkMode", "\"host\""),
    };

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Each_setting_lands_in_its_docker_field(string name)
    {
        var (configure, path, json) = Cases[name];
        var spec = DockerRender.Spec(configure);
        if (name == "output volume")
        {
            json = json.Replace("d-t-", spec.Name + "-output", StringComparison.Ordinal);
        }

        JsonPath.Equal(json, spec.Spec["create"], path);
    }

    [Fact]
    public void Unset_settings_leave_the_image_defaults_and_the_engine_defaults_alone()
    {
        var create = DockerRender.Spec(_ => { }).Spec["create"]!.AsObject();

        Assert.Equal(["Env", "HostConfig", "Image", "Labels"], create.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal(["Mounts"], create["HostConfig"]!.AsObject().Select(p => p.Key));
    }

    [Fact]
    public void A_command_without_args_sends_no_cmd_so_the_image_cmd_is_not_appended_as_on_kubernetes()
    {
        var create = DockerRender.Container(t => t.Command("run")).Create;

        Assert.Equal(["run"], create.Entrypoint);
        Assert.Null(create.Cmd);
    }

    [Fact]
    public void The_environment_network_applies_unless_the_task_names_one()
    {
        var environment = EnvironmentConfig.DefaultLocal with { Docker = new DockerEnvironment(Network: "env-net") };

        Assert.Equal("env-net", DockerRender.Container(_ => { }, environment).Create.HostConfig!.NetworkMode);
        Assert.Equal("task-net", DockerRender.Container(t => t.OnDocker(d => d.Network("task-net")), environment).Create.HostConfig!.NetworkMode);
        Assert.True(string.IsNullOrEmpty(DockerRender.Container(_ => { }).Create.HostConfig!.NetworkMode));
    }

    [Fact]
    public void Auto_remove_is_never_set_and_nothing_restarts_the_container()
    {
        var host = DockerRender.Container(t => t.Cleanup(CleanupPolicy.Delete).Retries(3)).Create.HostConfig!;

        Assert.False(host.AutoRemove);
        Assert.Null(host.RestartPolicy);
    }

    [Fact]
    public void The_pull_policy_is_kept_for_the_runtime_beside_the_create_request()
    {
        var spec = DockerRender.Spec(t => t.PullPolicy(ImagePullPolicy.Always));

        Assert.Equal("Always", (string?)spec.Spec["pullPolicy"]);
        Assert.Equal(ImagePullPolicy.Always, DockerRender.Container(t => t.PullPolicy(ImagePullPolicy.Always)).PullPolicy);
        Assert.Null(DockerRender.Spec(_ => { }).Spec["pullPolicy"]);
    }

    [Fact]
    public void Named_volumes_are_listed_once_and_the_output_volume_belongs_to_the_attempt()
    {
        var spec = DockerRender.Container(t => t
            .Mount(Volume.Named("shared"), "/a")
            .Mount(Volume.Named("shared"), "/b", readOnly: true)
            .Mount(Volume.Named("logs"), "/logs"));

        Assert.Equal([("shared", false), ("logs", false), (spec.Name + "-output", true)], spec.Volumes.Select(v => (v.Name, v.PerAttempt)));
        Assert.Equal(AttemptContract.OutputPath, spec.OutputPath);
    }

    [Fact]
    public void The_create_request_json_uses_the_engine_api_names_and_leaves_out_query_parameters()
    {
        var create = DockerRender.Spec(t => t.Resources(requests: new(Cpu: "1"), limits: new(Cpu: "1")).OnDocker(d => d.Patch(c => c.Platform = "linux/amd64"))).Spec["create"]!;

        Assert.NotNull(create["HostConfig"]!["NanoCpus"]);
        Assert.NotNull(create["HostConfig"]!["CpuShares"]);
        Assert.Null(create["Name"]);
        Assert.Null(create["Platform"]);
    }

    [Fact]
    public void Every_mount_is_a_mount_not_a_bind_string()
    {
        var host = DockerRender.Container(t => t.Mount(Volume.HostPath("/data"), "/data").Mount(Volume.Named("v1"), "/v")).Create.HostConfig!;

        Assert.Null(host.Binds);
        Assert.Equal(["bind", "volume", "volume"], host.Mounts!.Select(m => m.Type));
        Assert.IsType<List<Mount>>(host.Mounts);
    }
}
