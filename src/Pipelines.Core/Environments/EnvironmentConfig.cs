using Pipelines.Secrets;

namespace Pipelines.Environments;

/// <summary>How an environment reaches a Docker engine.</summary>
/// <param name="Endpoint">The engine's address, such as <c>unix:///var/run/docker.sock</c>; null for the default (DOCKER_HOST, else the local socket).</param>
/// <param name="Network">The network containers join, such as <c>edge</c>; null for the engine's default.</param>
public sealed record DockerEnvironment(string? Endpoint = null, string? Network = null);

/// <summary>How an environment reaches a Kubernetes cluster.</summary>
/// <param name="Context">The kubeconfig context; null for the current one.</param>
/// <param name="Namespace">The namespace pods run in; null for the context's.</param>
/// <param name="InCluster">Use the pod's service account (when the host runs inside the cluster).</param>
/// <param name="ConfigFile">The kubeconfig file; null for KUBECONFIG or ~/.kube/config.</param>
public sealed record KubernetesEnvironment(string? Context = null, string? Namespace = null, bool InCluster = false, string? ConfigFile = null);

/// <summary>
/// One environment of <c>pipelines.json</c> (<c>local</c>, <c>staging</c>, <c>production</c>, …):
/// the runtime it runs on, how to reach it, how image registries are rewritten, and the values
/// templates read as <c>var.NAME</c>.
/// </summary>
public sealed record EnvironmentConfig
{
    /// <summary>The runtimes an environment may name when the host does not say: <c>auto</c> and the runtimes of this repository.</summary>
    public static readonly ImmutableArray<string> Runtimes = ["auto", "process", "docker", "kubernetes"];

    /// <summary>The environment's name.</summary>
    public required string Name { get; init; }

    /// <summary><c>auto</c>, or a runtime's name: <c>process</c>, <c>docker</c>, <c>kubernetes</c>.</summary>
    public string Runtime { get; init; } = "auto";

    /// <summary>The Docker engine.</summary>
    public DockerEnvironment Docker { get; init; } = new();

    /// <summary>The Kubernetes cluster.</summary>
    public KubernetesEnvironment Kubernetes { get; init; } = new();

    /// <summary>Image registry rewrites: <c>registry.localhost</c> → <c>registry.mycompany.com</c>.</summary>
    public ImmutableSortedDictionary<string, string> Registry { get; init; } = ImmutableSortedDictionary<string, string>.Empty;

    /// <summary>Values templates read as <c>var.NAME</c>.</summary>
    public ImmutableSortedDictionary<string, string> Vars { get; init; } = ImmutableSortedDictionary<string, string>.Empty;

    /// <summary>Pools: name → slots. A task's <c>Pool(name)</c> must name one of them.</summary>
    public ImmutableSortedDictionary<string, int> Pools { get; init; } = ImmutableSortedDictionary<string, int>.Empty;

    /// <summary>
    /// A JSON file of secret values for local runtimes (<c>{"secret": {"KEY": "value"}}</c>), relative
    /// to the project root; values also come from <c>PIPELINES_SECRET_&lt;NAME&gt;_&lt;KEY&gt;</c> variables.
    /// </summary>
    public string? SecretsFile { get; init; }

    /// <summary>Webhooks told of a run's events (by default its failure), in the order written.</summary>
    public ImmutableArray<WebhookConfig> Webhooks { get; init; } = [];

    /// <summary>The built-in <c>local</c> environment, used when there is no <c>pipelines.json</c>.</summary>
    public static EnvironmentConfig DefaultLocal { get; } = new() { Name = "local" };

    /// <summary>Rewrites an image's registry by the longest matching prefix of <see cref="Registry"/>.</summary>
    public string RewriteImage(string image)
    {
        string? best = null;
        foreach (var from in Registry.Keys)
        {
            if ((image.Length == from.Length || (image.Length > from.Length && image[from.Length] == '/'))
                && image.StartsWith(from, StringComparison.Ordinal)
                && (best is null || from.Length > best.Length))
            {
                best = from;
            }
        }

        return best is null ? image : Registry[best] + image[best.Length..];
    }
}
