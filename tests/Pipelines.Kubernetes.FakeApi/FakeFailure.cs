namespace Pipelines.Kubernetes.FakeApi;

/// <summary>A failure the server answers a request with instead of serving it (see <see cref="FakeFaults.FailNextCreates"/>).</summary>
public sealed class FakeFailure
{
    private FakeFailure(int statusCode, string reason, string? message, int? retryAfterSeconds, string? user)
    {
        StatusCode = statusCode;
        Reason = reason;
        Message = message;
        RetryAfterSeconds = retryAfterSeconds;
        User = user;
    }

    /// <summary>The HTTP status code.</summary>
    public int StatusCode { get; }

    /// <summary>The Status reason (TooManyRequests, InternalError, ServiceUnavailable, Timeout, Forbidden).</summary>
    public string Reason { get; }

    /// <summary>The Status message; null for Forbidden, whose message names the request.</summary>
    public string? Message { get; }

    /// <summary>The <c>Retry-After</c> header (and details.retryAfterSeconds), if any.</summary>
    public int? RetryAfterSeconds { get; }

    internal string? User { get; }

    /// <summary>429 TooManyRequests with <c>Retry-After</c>, as the API server's max-in-flight limit answers.</summary>
    public static FakeFailure TooManyRequests(int retryAfterSeconds = 1) =>
        new(429, "TooManyRequests", "Too many requests, please try again later.", retryAfterSeconds, null);

    /// <summary>500 InternalError, 503 ServiceUnavailable or 504 Timeout (any other code: InternalError).</summary>
    public static FakeFailure ServerError(int statusCode = 500) => statusCode switch
    {
        503 => new(503, "ServiceUnavailable", "the server is currently unable to handle the request", null, null),
        504 => new(504, "Timeout", "the server was unable to return a response in the time allotted, but may still be processing the request", null, null),
        _ => new(statusCode, "InternalError", "Internal error occurred: a failure the test injected", null, null),
    };

    /// <summary>403 Forbidden, worded as the authorizer words it for <paramref name="user"/> (default: <see cref="FakeFaults.User"/>).</summary>
    public static FakeFailure Forbidden(string? user = null) => new(403, "Forbidden", null, null, user);

    /// <inheritdoc/>
    public override string ToString() => $"{StatusCode} {Reason}";
}
