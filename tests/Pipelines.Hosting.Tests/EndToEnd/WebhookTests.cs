using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Pipelines.Hosting.Tests.EndToEnd;

/// <summary>
/// The environment's webhook as a user configures it, with the host as a child process: a loopback HTTP server that
/// fails twice and then accepts gets every event it asked for, each body masked.
/// </summary>
public sealed class WebhookTests : IDisposable
{
    private const string UrlToken = "T0k3n-in-the-webhook-path-91c2";
    private readonly LoopbackWebhook _server = new();
    private readonly ProjectFolder _project;

    public WebhookTests()
    {
        _project = new ProjectFolder($$"""
            { "environments": { "local": {
                "runtime": "process",
                "webhooks": [ { "urlSecret": { "name": "notify", "key": "url" }, "events": ["task_failure", "run_failure"], "timeoutSeconds": 60 } ]
            } } }
            """);
    }

    public void Dispose()
    {
        _server.Dispose();
        _project.Dispose();
    }

    [Fact]
    public async Task A_webhook_that_fails_twice_is_retried_and_gets_every_event_with_no_secret_in_any_body()
    {
        _server.Failures = 2;
        var environment = new Dictionary<string, string>(ProjectFolder.SecretEnvironment)
        {
            ["PIPELINES_SECRET_NOTIFY_URL"] = $"{_server.Url}hooks/{UrlToken}",
        };

        var result = await HostProcess.RunAsync(HostProcess.TestHost, _project.Path, environment, "run", "secretive", "--date", "2026-11-25");

        Assert.True(result.ExitCode == 1, result.ToString());
        var requests = _server.Requests.ToList();
        Assert.Equal(5, requests.Count); // the first event twice refused, then three events accepted
        Assert.Equal([500, 503, 200, 200, 200], requests.Select(r => r.Status));
        Assert.All(requests, r => Assert.Equal($"/hooks/{UrlToken}", r.Path));
        Assert.Equal(requests[0].Body, requests[2].Body); // the same event, tried again
        var accepted = requests.Skip(2).Select(r => JsonDocument.Parse(r.Body).RootElement).ToList();
        Assert.Equal(["task_failure", "task_failure", "run_failure"], accepted.Select(b => b.GetProperty("event").GetString()));
        Assert.Equal(["fail_leak", "leak_output"], accepted.Take(2).Select(b => b.GetProperty("task").GetString()).Order());

        var failLeak = accepted.Single(b => b.GetProperty("task").GetString() == "fail_leak");
        Assert.Equal(("secretive", 1, 4), (failLeak.GetProperty("dag").GetString(), failLeak.GetProperty("try").GetInt32(), failLeak.GetProperty("exit_code").GetInt32()));
        Assert.Equal(["still ***"], failLeak.GetProperty("log_tail").EnumerateArray().Select(l => l.GetString()));
        var run = accepted[2];
        Assert.Equal(JsonValueKind.Null, run.GetProperty("task").ValueKind);
        Assert.Equal(["fail_leak", "leak_output"], run.GetProperty("failed_tasks").EnumerateArray().Select(f => f.GetProperty("task").GetString()).Order());
        Assert.Contains("Run manual__2026-11-25T00:00:00+00:00 of secretive failed", run.GetProperty("text").GetString());

        foreach (var request in requests)
        {
            foreach (var secret in new[] { ProjectFolder.Secret, ProjectFolder.JsonSecret, UrlToken })
            {
                foreach (var form in SecretForms.Of(secret))
                {
                    Assert.DoesNotContain(form, request.Body, StringComparison.Ordinal);
                }
            }
        }

        Assert.DoesNotContain(UrlToken, result.Stdout + result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("warning:", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_webhook_that_never_answers_is_given_up_at_its_timeout_and_the_run_ends_as_it_would()
    {
        _server.Hang = true;
        using var project = new ProjectFolder($$"""
            { "environments": { "local": { "runtime": "process", "webhooks": [ { "url": "{{_server.Url}}hook", "events": ["run_failure"], "timeoutSeconds": 1 } ] } } }
            """);

        var result = await project.RunAsync(HostProcess.TestHost, "run", "fails", "--date", "2026-11-25");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains($"warning: notifier webhook {_server.Url.TrimEnd('/')} for run_failure of DAG 'fails' failed, which changes nothing in the run: WebhookException: webhook {_server.Url.TrimEnd('/')} did not accept the run_failure event within 1 s", result.Stdout);
    }

    [Fact]
    public async Task A_webhook_secret_that_is_not_set_stops_the_run_before_anything_starts()
    {
        var result = await _project.RunAsync(HostProcess.TestHost, "run", "secretive", "--date", "2026-11-25");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("error: environment 'local' webhooks[0].urlSecret: secret 'notify' key 'url' is not set here; set PIPELINES_SECRET_NOTIFY_URL", result.Stderr);
        Assert.Empty(_server.Requests);
        Assert.False(Directory.Exists(_project.StateFolder));
    }

    /// <summary>An HTTP server on a loopback port that records every request, refuses the first few, or never answers.</summary>
    private sealed class LoopbackWebhook : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly CancellationTokenSource _stop = new();
        private int _seen;

        public LoopbackWebhook()
        {
            // A free port, found by binding port 0; another process may take it before the listener does: try another.
            for (var tries = 1; ; tries++)
            {
                var probe = new TcpListener(IPAddress.Loopback, 0);
                probe.Start();
                var port = ((IPEndPoint)probe.LocalEndpoint).Port;
                probe.Stop();
                Url = $"http://127.0.0.1:{port}/";
                _listener.Prefixes.Clear();
                _listener.Prefixes.Add(Url);
                try
                {
                    _listener.Start();
                    break;
                }
                catch (HttpListenerException) when (tries < 5)
                {
                }
            }

            _ = ServeAsync();
        }

        public string Url { get; private set; } = string.Empty;

        public int Failures { get; set; }

        public bool Hang { get; set; }

        public ConcurrentQueue<(string Path, string Body, int Status)> Requests { get; } = new();

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Close();
            _stop.Dispose();
        }

        private async Task ServeAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
                var body = await reader.ReadToEndAsync();
                if (Hang)
                {
                    Requests.Enqueue((context.Request.Url!.AbsolutePath, body, 0));
                    continue; // never answered
                }

                var n = Interlocked.Increment(ref _seen);
                var status = n > Failures ? 200 : n == 1 ? 500 : 503;
                Requests.Enqueue((context.Request.Url!.AbsolutePath, body, status));
                context.Response.StatusCode = status;
                if (status == 503)
                {
                    context.Response.AddHeader("Retry-After", "1");
                }

                context.Response.Close();
            }
        }
    }
}
