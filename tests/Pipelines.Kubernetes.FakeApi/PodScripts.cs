using k8s.Models;

namespace Pipelines.Kubernetes.FakeApi;

/// <summary>Which <see cref="PodScript"/> the fake kubelet plays for each created pod.</summary>
public sealed class PodScripts
{
    private ImmutableList<Func<V1Pod, PodScript?>> _choosers = [];
    private PodScript _default = PodScript.Start().Exit(0);

    /// <summary>The script of a pod no chooser picks a script for. Initially <c>PodScript.Start().Exit(0)</c>.</summary>
    public PodScript Default
    {
        get => Volatile.Read(ref _default);
        set => Volatile.Write(ref _default, value ?? throw new ArgumentNullException(nameof(value)));
    }

    /// <summary>
    /// Adds a chooser: for each created pod the choosers are asked in the order they were added, and the first that
    /// returns a script wins (e.g. by the label <c>pipelines.task</c> or by name). A chooser sees the pod as the
    /// client sent it and must be quick and thread-safe: it runs on the request.
    /// </summary>
    public PodScripts For(Func<V1Pod, PodScript?> chooser)
    {
        ArgumentNullException.ThrowIfNull(chooser);
        ImmutableInterlocked.Update(ref _choosers, list => list.Add(chooser));
        return this;
    }

    /// <summary>Plays <paramref name="script"/> for pods with the label <paramref name="key"/>=<paramref name="value"/>.</summary>
    public PodScripts ForLabel(string key, string value, PodScript script) =>
        For(pod => pod.Metadata?.Labels is { } labels && labels.TryGetValue(key, out var v) && v == value ? script : null);

    /// <summary>Removes every chooser (the default stays).</summary>
    public void Clear() => ImmutableInterlocked.Update(ref _choosers, _ => []);

    internal PodScript Choose(V1Pod pod)
    {
        foreach (var chooser in Volatile.Read(ref _choosers))
        {
            if (chooser(pod) is { } script)
            {
                return script;
            }
        }

        return Default;
    }
}
