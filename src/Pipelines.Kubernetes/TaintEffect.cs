namespace Pipelines.Kubernetes;

/// <summary>The taint effect a toleration tolerates.</summary>
public enum TaintEffect
{
    /// <summary>Pods that do not tolerate the taint are not scheduled on the node.</summary>
    NoSchedule,

    /// <summary>The scheduler tries to avoid the node.</summary>
    PreferNoSchedule,

    /// <summary>Pods that do not tolerate the taint are evicted.</summary>
    NoExecute,
}
