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

    /// <summary>No dependency at all: run at any time, without waiting for upstream tasks (Airflow's <c>always</c>).</summary>
    Always,
}

/// <summary>Airflow's names of trigger rules.</summary>
public static class TriggerRuleNames
{
    /// <summary>The rule as Airflow spells it: <c>all_success</c>, <c>none_failed_min_one_success</c>, …</summary>
    public static string ToSnakeCase(this TriggerRule rule)
    {
        var name = rule.ToString();
        var text = new System.Text.StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i]))
            {
                text.Append('_');
            }

            text.Append(char.ToLowerInvariant(name[i]));
        }

        return text.ToString();
    }
}
