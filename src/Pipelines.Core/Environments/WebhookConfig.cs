namespace Pipelines.Environments;

/// <summary>How a webhook's body is shaped.</summary>
public enum WebhookFormat
{
    /// <summary>A JSON summary: event, DAG, run, task, try, exit code, reason, log tail, failed tasks, and <c>text</c>.</summary>
    Json,

    /// <summary><c>{"text": "…"}</c>, what Slack's incoming webhooks (and Mattermost's, and Teams' workflows) take.</summary>
    Slack,
}

/// <summary>The secret key that holds a webhook's URL.</summary>
/// <param name="Name">The secret.</param>
/// <param name="Key">Its key.</param>
public sealed record WebhookUrlSecret(string Name, string Key);

/// <summary>
/// A webhook of an environment (<c>"webhooks": [...]</c> in <c>pipelines.json</c>): an HTTP POST for each event it names,
/// secrets masked, retried with backoff on 429, 5xx and connection errors, and bounded in time.
/// </summary>
public sealed record WebhookConfig
{
    /// <summary>The events a webhook may name, as <see cref="CallbackContext.EventName"/> writes them.</summary>
    public static readonly ImmutableArray<string> EventNames = ["task_success", "task_failure", "task_retry", "run_success", "run_failure"];

    /// <summary>The URL, when it is no secret; else <see cref="UrlSecret"/>.</summary>
    public string? Url { get; init; }

    /// <summary>The secret key holding the URL (Slack's hold a token): resolved as task secrets are, and masked everywhere.</summary>
    public WebhookUrlSecret? UrlSecret { get; init; }

    /// <summary>The body's shape.</summary>
    public WebhookFormat Format { get; init; } = WebhookFormat.Json;

    /// <summary>The events posted; by default a run's failure only (one message per failed run, naming its failed tasks).</summary>
    public ImmutableArray<string> Events { get; init; } = ["run_failure"];

    /// <summary>How long one event may take, retries included; 30 seconds by default.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How many times a failed POST is tried again; 3 by default.</summary>
    public int Retries { get; init; } = 3;

    /// <summary>True when <paramref name="text"/> is an absolute <c>http://</c> or <c>https://</c> URL, a webhook's only kind.</summary>
    public static bool TryParseUrl(string? text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Uri? url)
    {
        if (Uri.TryCreate(text, UriKind.Absolute, out url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps))
        {
            return true;
        }

        url = null;
        return false;
    }
}
