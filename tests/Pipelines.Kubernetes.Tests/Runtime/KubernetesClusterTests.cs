using Pipelines.Environments;
using Pipelines.Kubernetes.Runtime;

namespace Pipelines.Kubernetes.Tests.Runtime;

/// <summary>Which kubeconfig, context and namespace an environment reaches, as kubectl finds them.</summary>
public sealed class KubernetesClusterTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("pipelines-kubeconfig-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void The_environments_file_wins_over_KUBECONFIG_which_wins_over_the_home_default()
    {
        var withFile = Environment(new KubernetesEnvironment(ConfigFile: "conf/kube.yaml"));
        var plain = Environment(new KubernetesEnvironment());

        Assert.Equal([Path.Combine(_folder, "conf", "kube.yaml")], KubernetesCluster.For(withFile, _folder, Vars(("KUBECONFIG", "/elsewhere"))).Files);
        Assert.Equal(["/a", "/b"], KubernetesCluster.For(plain, _folder, Vars(("KUBECONFIG", "/a:/b"), ("HOME", "/home/u"))).Files);
        Assert.Equal(["/home/u/.kube/config"], KubernetesCluster.For(plain, _folder, Vars(("HOME", "/home/u"))).Files);
    }

    [Fact]
    public void The_namespace_is_the_environments_else_the_contexts_else_default()
    {
        WriteKubeconfig("a.yaml", "ctx-a", "team-a");
        WriteKubeconfig("b.yaml", "ctx-b", null);

        var (_, fromContext) = KubernetesCluster.For(Environment(new KubernetesEnvironment()), _folder, Vars(("KUBECONFIG", Path.Combine(_folder, "a.yaml")))).Load();
        var (_, fromEnvironment) = KubernetesCluster.For(Environment(new KubernetesEnvironment(Namespace: "mine")), _folder, Vars(("KUBECONFIG", Path.Combine(_folder, "a.yaml")))).Load();
        var (_, fallback) = KubernetesCluster.For(Environment(new KubernetesEnvironment()), _folder, Vars(("KUBECONFIG", Path.Combine(_folder, "b.yaml")))).Load();

        Assert.Equal("team-a", fromContext);
        Assert.Equal("mine", fromEnvironment);
        Assert.Equal("default", fallback);
    }

    [Fact]
    public void KUBECONFIG_files_merge_and_the_first_current_context_wins()
    {
        WriteKubeconfig("a.yaml", "ctx-a", "team-a");
        WriteKubeconfig("b.yaml", "ctx-b", "team-b");
        var cluster = KubernetesCluster.For(Environment(new KubernetesEnvironment(Context: "ctx-b")), _folder,
            Vars(("KUBECONFIG", $"{Path.Combine(_folder, "a.yaml")}:{Path.Combine(_folder, "b.yaml")}")));

        var (configuration, ns) = cluster.Load();

        Assert.Equal("team-b", ns);
        Assert.Equal("ctx-b", configuration.CurrentContext);
    }

    [Fact]
    public void A_missing_kubeconfig_or_context_says_what_to_do()
    {
        var missing = KubernetesCluster.For(Environment(new KubernetesEnvironment()), _folder, Vars(("KUBECONFIG", "/nonexistent/kube")));
        WriteKubeconfig("a.yaml", "ctx-a", null);
        var wrongContext = KubernetesCluster.For(Environment(new KubernetesEnvironment(Context: "prod")), _folder, Vars(("KUBECONFIG", Path.Combine(_folder, "a.yaml"))));

        var noFile = Assert.Throws<KubernetesUnreachableException>(() => missing.Load());
        var noContext = Assert.Throws<KubernetesUnreachableException>(() => wrongContext.Load());

        Assert.Contains("no kubeconfig at /nonexistent/kube", noFile.Message);
        Assert.Contains("KUBECONFIG", noFile.Message);
        Assert.Contains("no context 'prod'; contexts: ctx-a", noContext.Message);
    }

    private static Func<string, string?> Vars(params (string Name, string Value)[] values) =>
        name => values.FirstOrDefault(v => v.Name == name).Value;

    private static EnvironmentConfig Environment(KubernetesEnvironment kubernetes) => new() { Name = "staging", Runtime = "kubernetes", Kubernetes = kubernetes };

    private void WriteKubeconfig(string file, string context, string? ns) => File.WriteAllText(Path.Combine(_folder, file), $"""
        apiVersion: v1
        kind: Config
        current-context: {context}
        clusters:
        - name: {context}-cluster
          cluster:
            server: http://127.0.0.1:1
        contexts:
        - name: {context}
          context:
            cluster: {context}-cluster
            user: {context}-user{(ns is null ? "" : $"\n    namespace: {ns}")}
        users:
        - name: {context}-user
          user:
            token: t
        """);
}
