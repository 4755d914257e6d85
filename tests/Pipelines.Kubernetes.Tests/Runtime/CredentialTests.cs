using Pipelines.Execution.State;
using Pipelines.Kubernetes.FakeApi;

namespace Pipelines.Kubernetes.Tests.Runtime;

/// <summary>
/// A token that expires while a task runs does not fail it (Airflow's KubernetesPodOperator keeps its client's token and
/// fails with 401): on 401 the runtime reads its credentials again — here a kubeconfig whose <c>exec</c> plugin prints the
/// current token, as EKS's and GKE's do.
/// </summary>
public sealed class CredentialTests : IAsyncLifetime
{
    private KubernetesTestBed? _bed;

    private KubernetesTestBed Bed => _bed ?? throw new InvalidOperationException("the test bed is not started");

    public async ValueTask InitializeAsync() => _bed = await KubernetesTestBed.StartAsync(new FakeServerOptions { RequireToken = true }, execCredential: true);

    public async ValueTask DisposeAsync()
    {
        if (_bed is not null)
        {
            await _bed.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_token_that_expires_during_a_task_is_read_again_and_the_task_goes_on()
    {
        var server = Bed.Server;
        var gate = new PodGate();
        server.Scripts.Default = PodScript.Start().Log("before").Until(gate).Log("after").Exit(0, """{"done": true}""");
        var running = server.WaitForPodAsync(p => p.Status?.Phase == "Running", TestContext.Current.CancellationToken);
        var run = Task.Run(() => Bed.RunAsync(dag => dag.Container("t", KubernetesTestBed.Image).Cleanup(CleanupPolicy.Delete)), TestContext.Current.CancellationToken);
        await running;
        var oldToken = server.CurrentToken;

        server.Faults.ExpireToken(); // the old token gets 401 from now on; its open streams are closed
        await server.Requests.WaitForAsync(r => r.StatusCode == 401, TestContext.Current.CancellationToken);
        gate.Open();
        var result = await run;

        Assert.True(result.State == RunState.Success, result.ToString());
        Assert.Equal(["before", "after"], result.Logs["t"]);
        Assert.Contains(server.Requests.All, r => r.StatusCode == 401 && r.Token == oldToken);
        Assert.Contains(server.Requests.All, r => r.Verb == "delete" && r.StatusCode == 200 && r.Token == server.CurrentToken); // cleanup, with the new token
        Assert.Empty(server.Pods);
    }

    [Fact]
    public async Task Credentials_the_server_never_accepts_stop_the_run_before_anything_starts_saying_401()
    {
        await using var bed = await KubernetesTestBed.StartAsync(new FakeServerOptions { RequireToken = true });
        File.WriteAllText(bed.Kubeconfig, File.ReadAllText(bed.Kubeconfig).Replace(bed.Server.CurrentToken, "not-a-valid-token", StringComparison.Ordinal));

        // The run's first step, finding what an earlier host left, cannot be done: it stops there (never "nothing left").
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => bed.RunAsync(dag => dag.Container("t", KubernetesTestBed.Image)));

        Assert.Contains("refused to list and watch pods in namespace 'pipelines-test': 401 Unauthorized", refused.Message);
        Assert.Equal(0, bed.Server.Requests.Count("create", "pods"));
        Assert.Equal(KubernetesApiTries, bed.Server.Requests.All.Count(r => r.StatusCode == 401)); // credentials read again, then given up
    }

    private const int KubernetesApiTries = Pipelines.Kubernetes.Runtime.KubernetesApi.UnauthorizedTries;
}
