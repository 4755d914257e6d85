namespace Pipelines;

/// <summary>When a runtime pulls the task's image.</summary>
public enum ImagePullPolicy
{
    /// <summary>Pull only when the image is not present.</summary>
    IfNotPresent,

    /// <summary>Pull before every attempt.</summary>
    Always,

    /// <summary>Never pull; the image must be present.</summary>
    Never,
}

/// <summary>What happens to a finished attempt's container or pod.</summary>
public enum CleanupPolicy
{
    /// <summary>Delete it whatever the outcome (the default).</summary>
    Delete,

    /// <summary>Delete it when it succeeded; keep failed ones for inspection.</summary>
    DeleteOnSuccess,

    /// <summary>Keep it.</summary>
    Keep,
}

/// <summary>
/// When a task runs, judged from the states of its direct upstream tasks — Airflow's trigger rules
/// with Airflow's meanings.
/// </summary>
public enum TriggerRule
{
    /// <summary>Every upstream succeeded (the default).</summary>
    AllSuccess,

    /// <summary>Every upstream failed or is upstream_failed.</summary>
    AllFailed,

    /// <summary>Every upstream is done, whatever its state.</summary>
    AllDone,

    /// <summary>At least one upstream succeeded; does not wait for all.</summary>
    OneSuccess,

    /// <summary>At least one upstream failed; does not wait for all.</summary>
    OneFailed,

    /// <summary>At least one upstream succeeded or failed; does not wait for all.</summary>
    OneDone,

    /// <summary>No upstream failed or is upstream_failed (succeeded or skipped).</summary>
    NoneFailed,

    /// <summary>No upstream failed and at least one succeeded.</summary>
    NoneFailedMinOneSuccess,

    /// <summary>No upstream was skipped.</summary>
    NoneSkipped,

    /// <summary>Run whatever the upstream states, once they are done.</summary>
    Always,
}
