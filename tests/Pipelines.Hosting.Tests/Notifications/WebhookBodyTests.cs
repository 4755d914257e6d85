using System.Text.Json;
using Pipelines.Environments;
using Pipelines.Hosting.Notifications;
using Pipelines.Secrets;

namespace Pipelines.Hosting.Tests.Notifications;

public sealed class WebhookBodyTests
{
    private const string Secret = "s3cr3t-value-in-a-reason";

    private static readonly Dag Dag = Build();

    [Fact]
    public void The_slack_body_is_one_text_with_the_task_the_try_the_reason_and_the_log_tail_escaped_and_masked()
    {
        var body = Notifier(WebhookFormat.Slack).SlackBody(Failure());

        var text = JsonDocument.Parse(body).RootElement.GetProperty("text").GetString();
        Assert.Equal(
            ":x: Task *validate* of *orders* failed on try 2 (run manual__2026-11-25T00:00:00+00:00, local): exit code 3 for a&lt;b &amp; c&gt;d with ***\n```\nrow 7 bad: ***\nrows &lt; 10\n```",
            text);
        Assert.DoesNotContain(Secret, body, StringComparison.Ordinal);
    }

    [Fact]
    public void The_json_body_of_a_failed_run_names_each_failed_task()
    {
        var run = RunContext.Create(Dag, new DateOnly(2026, 11, 25), EnvironmentConfig.DefaultLocal);
        var context = new CallbackContext
        {
            Run = run,
            Event = CallbackEvent.Failure,
            Reason = "1 task(s) failed: validate",
            FailedTasks = [new FailedTask("validate", 2, $"exit code 3 ({Secret})", 3)],
        };

        var body = JsonDocument.Parse(Notifier(WebhookFormat.Json).JsonBody(context)).RootElement;

        Assert.Equal("run_failure", body.GetProperty("event").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("task").ValueKind);
        var failed = Assert.Single(body.GetProperty("failed_tasks").EnumerateArray());
        Assert.Equal(("validate", 2, 3, "exit code 3 (***)"), (failed.GetProperty("task").GetString(), failed.GetProperty("try").GetInt32(), failed.GetProperty("exit_code").GetInt32(), failed.GetProperty("reason").GetString()));
        Assert.Equal("Run manual__2026-11-25T00:00:00+00:00 of orders failed (local): 1 task(s) failed: validate\n• validate (try 2, exit code 3): exit code 3 (***)", body.GetProperty("text").GetString());
    }

    [Theory]
    [InlineData("task_failure", true)]
    [InlineData("task_retry", false)]
    public async Task Only_the_events_the_webhook_names_are_posted(string named, bool posts)
    {
        // Nothing listens at this address (a port just bound and let go): an event that is posted fails to connect, one
        // that is not returns at once.
        var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        var url = $"http://127.0.0.1:{((System.Net.IPEndPoint)probe.LocalEndpoint).Port}/";
        probe.Stop();
        var notifier = new WebhookNotifier(new WebhookConfig { Url = url, Events = [named], Retries = 0 }, new Uri(url), new SecretMasker(), TimeProvider.System);

        var call = notifier.NotifyAsync(Failure(), TestContext.Current.CancellationToken);

        if (posts)
        {
            var ex = await Assert.ThrowsAsync<WebhookException>(() => call);
            Assert.StartsWith($"webhook {url.TrimEnd('/')} could not be reached", ex.Message);
        }
        else
        {
            await call;
        }
    }

    private static WebhookNotifier Notifier(WebhookFormat format)
    {
        var masker = new SecretMasker();
        masker.Add(Secret);
        return new WebhookNotifier(new WebhookConfig { Url = "https://h/x", Format = format }, new Uri("https://h/x"), masker, TimeProvider.System);
    }

    private static CallbackContext Failure() => new()
    {
        Run = RunContext.Create(Dag, new DateOnly(2026, 11, 25), EnvironmentConfig.DefaultLocal),
        Event = CallbackEvent.Failure,
        Task = Dag["validate"],
        TryNumber = 2,
        ExitCode = 3,
        Reason = $"exit code 3 for a<b & c>d with {Secret}",
        LogTail = [$"row 7 bad: {Secret}", "rows < 10"],
    };

    private static Dag Build()
    {
        var dag = new DagBuilder().Id("orders").Schedule("@daily");
        dag.Container("validate", "busybox:stable");
        return dag.Build();
    }
}
