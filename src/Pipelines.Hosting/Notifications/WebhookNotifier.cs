using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pipelines.Environments;
using Pipelines.Execution.Notifications;
using Pipelines.Secrets;

namespace Pipelines.Hosting.Notifications;

/// <summary>
/// The built-in webhook: an HTTP POST of a summary of each event the environment's webhook names — JSON, or Slack's
/// <c>{"text": …}</c> — with every string masked. A 429, a 5xx or a connection error is tried again after a backoff
/// (1 s, doubling, or the server's Retry-After), up to the webhook's retries and never past its timeout; any other answer
/// is final. It throws when the event could not be delivered: the executor logs that and the run goes on.
/// </summary>
internal sealed class WebhookNotifier(WebhookConfig config, Uri url, SecretMasker masker, TimeProvider time) : IRunNotifier
{
    // One client for every webhook of the process: connections are pooled and renewed (DNS changes are seen).
    private static readonly HttpClient Client = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    /// <summary>The first wait before a retry; doubled each time. Shorter in tests.</summary>
    internal TimeSpan FirstBackoff { get; init; } = TimeSpan.FromSeconds(1);

    public async Task NotifyAsync(CallbackContext context, CancellationToken cancellationToken)
    {
        if (!config.Events.Contains(context.EventName))
        {
            return;
        }

        var body = config.Format == WebhookFormat.Slack ? SlackBody(context) : JsonBody(context);
        using var budget = new CancellationTokenSource(config.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(budget.Token, cancellationToken);
        var backoff = FirstBackoff;
        for (var attempt = 0; ; attempt++)
        {
            TimeSpan? wait;
            string problem;
            try
            {
                using var content = new StringContent(body, Encoding.UTF8, "application/json");
                using var response = await Client.PostAsync(url, content, linked.Token).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }

                problem = $"answered {(int)response.StatusCode} {response.ReasonPhrase}";
                if (response.StatusCode != HttpStatusCode.TooManyRequests && (int)response.StatusCode < 500)
                {
                    throw new WebhookException($"{this} {problem}; not tried again");
                }

                wait = response.Headers.RetryAfter?.Delta ?? (response.Headers.RetryAfter?.Date is { } date ? date - time.GetUtcNow() : null);
            }
            catch (HttpRequestException ex)
            {
                problem = $"could not be reached ({ex.Message})";
                wait = null;
            }
            catch (OperationCanceledException) when (linked.IsCancellationRequested)
            {
                throw new WebhookException($"{this} did not accept the {context.EventName} event within {config.Timeout.TotalSeconds:0} s");
            }

            if (attempt >= config.Retries)
            {
                throw new WebhookException($"{this} {problem} after {attempt + 1} tries");
            }

            try
            {
                var delay = wait is { } w && w > TimeSpan.Zero ? w : backoff;
                await Task.Delay(delay, time, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                throw new WebhookException($"{this} {problem}, and its {config.Timeout.TotalSeconds:0} s for the {context.EventName} event ran out");
            }

            backoff *= 2;
        }
    }

    // Never the path or query: a webhook URL often holds its token there.
    public override string ToString() => $"webhook {url.Scheme}://{url.Authority}";

    internal string JsonBody(CallbackContext c)
    {
        var run = c.Run;
        var body = new JsonObject
        {
            ["event"] = c.EventName,
            ["dag"] = Mask(run.Dag.Id),
            ["run_id"] = Mask(run.RunId),
            ["logical_date"] = run.LogicalDate.ToString("O", CultureInfo.InvariantCulture),
            ["environment"] = Mask(run.Environment.Name),
            ["task"] = c.Task is null ? null : Mask(c.Task.Id),
            ["try"] = c.Task is null ? null : c.TryNumber,
            ["exit_code"] = c.ExitCode,
            ["reason"] = c.Reason is null ? null : Mask(c.Reason),
            ["started_at"] = c.StartedAt.ToString("O", CultureInfo.InvariantCulture),
            ["ended_at"] = c.EndedAt.ToString("O", CultureInfo.InvariantCulture),
            ["log_tail"] = new JsonArray([.. c.LogTail.Select(l => (JsonNode?)Mask(l))]),
            ["failed_tasks"] = new JsonArray([.. c.FailedTasks.Select(f => (JsonNode?)new JsonObject
            {
                ["task"] = Mask(f.TaskId),
                ["try"] = f.TryNumber,
                ["exit_code"] = f.ExitCode,
                ["reason"] = f.Reason is null ? null : Mask(f.Reason),
            })]),
            ["text"] = Text(c, slack: false),
        };
        return body.ToJsonString();
    }

    internal string SlackBody(CallbackContext c) => new JsonObject { ["text"] = Text(c, slack: true) }.ToJsonString();

    // One message a person reads: what happened, where, why, and the last lines of the log.
    private string Text(CallbackContext c, bool slack)
    {
        string E(string text) => slack ? Mask(text).Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal) : Mask(text);
        string B(string text) => slack ? $"*{E(text)}*" : E(text);
        var mark = c.Event switch { CallbackEvent.Success => slack ? ":white_check_mark: " : "", CallbackEvent.Retry => slack ? ":repeat: " : "", _ => slack ? ":x: " : "" };
        var what = c.Event switch { CallbackEvent.Success => "succeeded", CallbackEvent.Retry => "failed and will be retried", _ => "failed" };
        var text = new StringBuilder(mark);
        if (c.Task is { } task)
        {
            text.Append(CultureInfo.InvariantCulture, $"Task {B(task.Id)} of {B(c.Run.Dag.Id)} {what} on try {c.TryNumber} (run {E(c.Run.RunId)}, {E(c.Run.Environment.Name)})");
        }
        else
        {
            text.Append(CultureInfo.InvariantCulture, $"Run {E(c.Run.RunId)} of {B(c.Run.Dag.Id)} {what} ({E(c.Run.Environment.Name)})");
        }

        text.Append(c.Reason is null ? "." : $": {E(c.Reason)}");
        foreach (var failed in c.FailedTasks)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n• {B(failed.TaskId)} (try {failed.TryNumber}{(failed.ExitCode is { } code ? $", exit code {code}" : "")}){(failed.Reason is null ? "" : ": " + E(failed.Reason))}");
        }

        if (c.LogTail.Count > 0)
        {
            text.Append(slack ? "\n```\n" : "\n").AppendJoin('\n', c.LogTail.Select(E)).Append(slack ? "\n```" : "");
        }

        return text.ToString();
    }

    private string Mask(string text) => masker.Mask(text);
}

/// <summary>A webhook could not deliver an event; the message never holds the URL's path or a secret.</summary>
internal sealed class WebhookException(string message) : Exception(message);
