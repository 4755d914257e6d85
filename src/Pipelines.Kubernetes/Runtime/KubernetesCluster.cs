using k8s;
using k8s.Exceptions;
using k8s.KubeConfigModels;
using Pipelines.Environments;

namespace Pipelines.Kubernetes.Runtime;

/// <summary>
/// Where a cluster is and how to sign in, as kubectl finds it: the pod's service account when the environment says
/// <c>inCluster</c>; else the environment's <c>kubernetes.configFile</c> (relative to the project root), else
/// <c>KUBECONFIG</c> (a list of files, merged), else <c>~/.kube/config</c>; the environment's context, else the file's
/// current one; the environment's namespace, else the context's, else <c>default</c>.
/// </summary>
/// <remarks>
/// Credentials are read again by <see cref="Load"/>: a client that gets 401 loads the cluster again (a rotated service
/// account token, a kubeconfig rewritten by <c>aws eks update-kubeconfig</c>, an exec plugin run again) instead of failing
/// a long task whose token expired while it ran.
/// </remarks>
public sealed record KubernetesCluster
{
    private KubernetesCluster(string source, string? context, bool inCluster, IReadOnlyList<string> files, string? environmentNamespace)
    {
        Source = source;
        Context = context;
        InCluster = inCluster;
        Files = files;
        EnvironmentNamespace = environmentNamespace;
    }

    /// <summary>Where the connection comes from: <c>the in-cluster service account</c>, or the kubeconfig file(s) and who named them.</summary>
    public string Source { get; }

    /// <summary>The context named by the environment; null for the file's current context.</summary>
    public string? Context { get; }

    /// <summary>True for the pod's own service account.</summary>
    public bool InCluster { get; }

    /// <summary>The kubeconfig files, merged in order (none in-cluster).</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>The namespace the environment names, if it does.</summary>
    public string? EnvironmentNamespace { get; }

    /// <summary>The cluster an environment names.</summary>
    /// <param name="environment">The environment.</param>
    /// <param name="projectRoot">Where a relative <c>configFile</c> starts.</param>
    /// <param name="variable">Reads environment variables (<c>KUBECONFIG</c>, <c>HOME</c>).</param>
    public static KubernetesCluster For(EnvironmentConfig environment, string projectRoot, Func<string, string?>? variable = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        variable ??= Environment.GetEnvironmentVariable;
        var k = environment.Kubernetes;
        if (k.InCluster)
        {
            return new("the in-cluster service account", k.Context, true, [], k.Namespace);
        }

        if (k.ConfigFile is { Length: > 0 } file)
        {
            var path = Path.GetFullPath(Path.Combine(projectRoot, Expand(file, variable)));
            return new($"{path} (kubernetes.configFile of environment '{environment.Name}')", k.Context, false, [path], k.Namespace);
        }

        if (variable("KUBECONFIG") is { Length: > 0 } list)
        {
            var files = list.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(f => Path.GetFullPath(Expand(f, variable))).ToList();
            return new($"{string.Join(Path.PathSeparator, files)} (KUBECONFIG)", k.Context, false, files, k.Namespace);
        }

        var home = variable("HOME") is { Length: > 0 } h ? h : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var defaultPath = Path.Combine(home, ".kube", "config");
        return new($"{defaultPath} (the default kubeconfig)", k.Context, false, [defaultPath], k.Namespace);
    }

    /// <summary>
    /// Reads the configuration now — files, token, exec plugin — and the namespace pods go to.
    /// </summary>
    /// <exception cref="KubernetesUnreachableException">The files are missing or invalid, the context is unknown, or no service account is mounted.</exception>
    public (KubernetesClientConfiguration Configuration, string Namespace) Load()
    {
        KubernetesClientConfiguration configuration;
        try
        {
            if (InCluster)
            {
                if (!KubernetesClientConfiguration.IsInCluster())
                {
                    throw new KubernetesUnreachableException(this, "inCluster is set, but this host is not in a pod with a service account (no KUBERNETES_SERVICE_HOST, or no token under /var/run/secrets/kubernetes.io/serviceaccount)");
                }

                configuration = KubernetesClientConfiguration.InClusterConfig();
            }
            else
            {
                var missing = Files.Where(f => !File.Exists(f)).ToList();
                if (missing.Count == Files.Count)
                {
                    throw new KubernetesUnreachableException(this, $"no kubeconfig at {string.Join(", ", missing)} (write one with your cluster's tool, point KUBECONFIG or kubernetes.configFile in pipelines.json at one, or set inCluster)");
                }

                var merged = Merge([.. Files.Where(File.Exists).Select(f => KubernetesClientConfiguration.LoadKubeConfig(new FileInfo(f)))]);
                if (Context is not null && merged.Contexts?.Any(c => c.Name == Context) != true)
                {
                    var known = merged.Contexts?.Select(c => c.Name).ToList() ?? [];
                    throw new KubernetesUnreachableException(this, $"the kubeconfig has no context '{Context}'; contexts: {(known.Count == 0 ? "none" : string.Join(", ", known))}");
                }

                configuration = KubernetesClientConfiguration.BuildConfigFromConfigObject(merged, Context);
            }
        }
        catch (KubeConfigException ex)
        {
            throw new KubernetesUnreachableException(this, ex.Message);
        }
        catch (IOException ex)
        {
            throw new KubernetesUnreachableException(this, ex.Message);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new KubernetesUnreachableException(this, ex.Message);
        }

        var ns = EnvironmentNamespace ?? configuration.Namespace ?? "default";
        return (configuration, ns);
    }

    /// <summary>The cluster and where it came from, for messages.</summary>
    public override string ToString() => Context is null ? Source : $"context '{Context}' of {Source}";

    // KUBECONFIG's files as kubectl merges them: the first to name a cluster, context or user (or a current context) wins.
    private static K8SConfiguration Merge(List<K8SConfiguration> configs)
    {
        var merged = configs[0];
        foreach (var next in configs.Skip(1))
        {
            merged.CurrentContext ??= next.CurrentContext;
            merged.Clusters = [.. merged.Clusters ?? [], .. (next.Clusters ?? []).Where(c => merged.Clusters?.Any(m => m.Name == c.Name) != true)];
            merged.Contexts = [.. merged.Contexts ?? [], .. (next.Contexts ?? []).Where(c => merged.Contexts?.Any(m => m.Name == c.Name) != true)];
            merged.Users = [.. merged.Users ?? [], .. (next.Users ?? []).Where(u => merged.Users?.Any(m => m.Name == u.Name) != true)];
        }

        return merged;
    }

    private static string Expand(string path, Func<string, string?> variable) =>
        path == "~" || path.StartsWith("~/", StringComparison.Ordinal)
            ? Path.Combine(variable("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path.Length > 2 ? path[2..] : string.Empty)
            : path;
}

/// <summary>A cluster cannot be reached or signed in to; <see cref="Problem"/> says why and what to do.</summary>
public sealed class KubernetesUnreachableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public KubernetesUnreachableException(KubernetesCluster cluster, string problem)
        : base($"Kubernetes at {cluster}: {problem}")
    {
        Cluster = cluster;
        Problem = problem;
    }

    /// <summary>The cluster.</summary>
    public KubernetesCluster Cluster { get; }

    /// <summary>What went wrong.</summary>
    public string Problem { get; }
}
