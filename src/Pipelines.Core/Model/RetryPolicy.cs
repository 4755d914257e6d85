namespace Pipelines;

/// <summary>How often and how long after a failure a task is tried again.</summary>
/// <param name="Retries">Retries after the first try; 0 means one try only.</param>
/// <param name="Delay">The wait before the first retry.</param>
/// <param name="ExponentialBackoff">Double the wait after each retry (with jitter at run time).</param>
/// <param name="MaxDelay">The longest wait, when backing off.</param>
public sealed record RetryPolicy(int Retries, TimeSpan Delay, bool ExponentialBackoff = false, TimeSpan? MaxDelay = null)
{
    /// <summary>One try, no retry.</summary>
    public static RetryPolicy None { get; } = new(0, TimeSpan.Zero);
}
