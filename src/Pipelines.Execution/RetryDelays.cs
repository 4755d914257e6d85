namespace Pipelines.Execution;

/// <summary>
/// The wait before a retry: the policy's delay, or with exponential backoff
/// <c>delay × 2^(retry−1)</c> stretched by jitter into <c>[backoff, 2 × backoff)</c> (as Airflow does,
/// so retries of many tasks spread out) and capped at the max delay (24 hours when none is set).
/// </summary>
public static class RetryDelays
{
    private static readonly TimeSpan DefaultMaxDelay = TimeSpan.FromHours(24);

    /// <summary>The wait before retry number <paramref name="retry"/> (1 for the first retry).</summary>
    /// <param name="policy">The task's retry policy.</param>
    /// <param name="retry">1 for the first retry, 2 for the second, …</param>
    /// <param name="jitter">A number in [0, 1) (random in production, fixed in tests).</param>
    public static TimeSpan For(RetryPolicy policy, int retry, double jitter)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (!policy.ExponentialBackoff)
        {
            return policy.MaxDelay is { } cap && policy.Delay > cap ? cap : policy.Delay;
        }

        var max = policy.MaxDelay ?? DefaultMaxDelay;
        var factor = Math.Pow(2, Math.Min(retry - 1, 40));
        var backoff = policy.Delay.TotalSeconds * factor;
        var seconds = backoff + (Math.Clamp(jitter, 0, 1) * backoff);
        return seconds >= max.TotalSeconds ? max : TimeSpan.FromSeconds(seconds);
    }
}
