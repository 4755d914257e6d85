using k8s;
using k8s.Models;
using Pipelines.Execution.State;
using Pipelines.Kubernetes.FakeApi;

namespace Pipelines.Kubernetes.Tests.Runtime;

/// <summary>
/// Least privilege: the Role in <c>deploy/kubernetes/pipelines-rbac.yaml</c> (the README shows the same file) allows every
/// request the runtime makes — a run with a success, a failure that cannot start, a cancellation, cleanup and the
/// leftovers of <c>runs --orphans</c> — and grants nothing the runtime never asks for.
/// </summary>
public sealed class RoleTests : IAsyncLifetime
{
    private static readonly string RbacFile = Path.Combine(Pipelines.Tests.Shared.RepositoryRoot.Path, "deploy", "kubernetes", "pipelines-rbac.yaml");

    private KubernetesTestBed? _bed;

    private KubernetesTestBed Bed => _bed ?? throw new InvalidOperationException("the test bed is not started");

    public async ValueTask InitializeAsync() => _bed = await KubernetesTestBed.StartAsync();

    public async ValueTask DisposeAsync()
    {
        if (_bed is not null)
        {
            await _bed.DisposeAsync();
        }
    }

    [Fact]
    public async Task Every_request_the_runtime_makes_is_allowed_by_the_Role_and_the_Role_grants_no_more()
    {
        var server = Bed.Server;
        server.Scripts.For(p => p.Metadata.Labels["pipelines.task"] == "stuck" ? PodScript.Waiting("ErrImagePull", "not found") : null);
        server.Scripts.Default = PodScript.Start().Log("ready").Exit(0, "{}");
        await Bed.RunAsync(dag =>
        {
            dag.Container("ok", KubernetesTestBed.Image).Cleanup(CleanupPolicy.Keep);
            dag.Container("stuck", KubernetesTestBed.Image).OnKubernetes(k => k.StartFailureGrace(TimeSpan.FromMilliseconds(100)));
        });
        server.Scripts.Default = PodScript.Start().Log("ready").Until(new PodGate()).Exit(0);
        using (var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken))
        {
            await Bed.RunAsync(Bed.Plan(dag => dag.Container("t", KubernetesTestBed.Image)), cancel.Token, (_, line) => cancel.Cancel());
        }

        // A pod of an attempt's name that another store made: the runtime reads it (get) and refuses to adopt it.
        var taken = Bed.Plan(dag => dag.Container("taken", KubernetesTestBed.Image));
        var name = $"{Attempts.AttemptNames.ResourceName(taken.Dag.Id, taken.RunId, "taken", 1)}-{Bed.StoreId}";
        using (var other = server.CreateClient())
        {
            await other.CoreV1.CreateNamespacedPodAsync(
                new V1Pod { Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["pipelines.task"] = "foreign" } }, Spec = new V1PodSpec { Containers = [new V1Container { Name = "base", Image = KubernetesTestBed.Image }] } },
                "pipelines-test", cancellationToken: TestContext.Current.CancellationToken);
        }

        var conflict = await Bed.RunAsync(taken);
        Assert.Contains($"a pod named '{name}' exists in namespace 'pipelines-test' that Pipelines did not make", conflict.Attempts["taken"].Reason);

        var provider = new Pipelines.Kubernetes.Runtime.KubernetesRuntimeProvider();
        using (var inventory = (await provider.OpenInventoryAsync(Bed.Environment, Bed.Folder, TestContext.Current.CancellationToken))!)
        {
            foreach (var pod in await inventory.ListAsync(Bed.Plan(_ => { }).Dag.Id, TestContext.Current.CancellationToken))
            {
                await inventory.RemoveAsync(pod, TestContext.Current.CancellationToken);
            }
        }

        var allowed = Rules().SelectMany(r => r.Resources.SelectMany(res => r.Verbs.Select(v => (Verb: v, Resource: res)))).ToHashSet();
        var made = server.Requests.Distinct().ToHashSet();

        Assert.All(made, request => Assert.True(allowed.Contains(request), $"the Role does not allow {request.Verb} {request.Resource}: {string.Join(", ", allowed)}"));
        Assert.Equal(allowed.OrderBy(a => a.ToString()), made.OrderBy(m => m.ToString())); // nothing granted that is never used
    }

    [Fact]
    public void The_Role_is_for_the_core_group_in_one_namespace_and_the_README_shows_the_file()
    {
        var documents = KubernetesYaml.LoadAllFromString(File.ReadAllText(RbacFile));

        Assert.Contains(documents, d => d is V1ServiceAccount);
        Assert.Contains(documents, d => d is V1RoleBinding { RoleRef.Kind: "Role" });
        Assert.DoesNotContain(documents, d => d is V1ClusterRole or V1ClusterRoleBinding);
        Assert.All(Rules(), r => Assert.Equal([""], r.ApiGroups));
        var readme = File.ReadAllText(Path.Combine(Pipelines.Tests.Shared.RepositoryRoot.Path, "README.md"));
        Assert.Contains(File.ReadAllText(RbacFile).Trim(), readme);
    }

    private static IEnumerable<V1PolicyRule> Rules() =>
        KubernetesYaml.LoadAllFromString(File.ReadAllText(RbacFile)).OfType<V1Role>().Single().Rules;
}
