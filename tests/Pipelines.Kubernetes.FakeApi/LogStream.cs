using System.Buffers;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Pipelines.Kubernetes.FakeApi;

/// <summary>
/// <c>GET .../pods/{name}/log</c>: the container's lines as <c>text/plain</c>, each ended by <c>\n</c> and, with
/// <c>timestamps=true</c>, prefixed by its RFC 3339 nanosecond timestamp. With <c>follow=true</c> the response stays
/// open and sends each new line as it is logged, until the container has terminated and every line is sent.
/// </summary>
internal sealed class LogStream(FakeKubernetesServer server, HttpContext context, RequestRecorder recorder, string? token)
{
    /// <summary>Serves the log of a container of pod <paramref name="name"/>.</summary>
    public async Task RunAsync(string @namespace, string name)
    {
        var query = context.Request.Query;
        var state = server.State;
        if (state.Find(@namespace, name) is not { } entry)
        {
            await ApiStatus.NotFoundAsync(context, "pods", name);
            return;
        }

        var follow = IsTrue(query["follow"]);
        var timestamps = IsTrue(query["timestamps"]);
        var (log, problem) = state.Read(entry, pod => Container(pod, entry, query["container"].ToString()));
        if (log is null)
        {
            await ApiStatus.BadRequestAsync(context, problem!);
            return;
        }

        if (query["sinceTime"].Count > 0 && query["sinceSeconds"].Count > 0)
        {
            await ApiStatus.BadRequestAsync(context, "PodLogOptions \"\" is invalid: sinceSeconds: Forbidden: at most one of sinceTime or sinceSeconds may be specified");
            return;
        }

        DateTimeOffset? since = null;
        if (query["sinceTime"].ToString() is { Length: > 0 } sinceText)
        {
            if (!KubeTime.TryParse(sinceText, out var sinceTime))
            {
                await ApiStatus.BadRequestAsync(context, $"parsing time \"{sinceText}\" as RFC 3339 failed");
                return;
            }

            // The API server forwards sinceTime to the kubelet in whole seconds (metav1.Time), so lines from the
            // start of that second on are included.
            since = KubeTime.Seconds(sinceTime);
        }
        else if (long.TryParse(query["sinceSeconds"], CultureInfo.InvariantCulture, out var sinceSeconds) && sinceSeconds > 0)
        {
            since = state.Time.GetUtcNow().AddSeconds(-sinceSeconds);
        }

        var tail = long.TryParse(query["tailLines"], CultureInfo.InvariantCulture, out var tailLines) && tailLines >= 0 ? tailLines : (long?)null;
        var limit = long.TryParse(query["limitBytes"], CultureInfo.InvariantCulture, out var limitBytes) && limitBytes > 0 ? limitBytes : long.MaxValue;

        var follower = new LogFollower();
        int next;
        lock (state.Gate)
        {
            next = tail is { } t ? (int)Math.Max(0, log.Count - t) : 0;
            if (follow)
            {
                log.AddFollower(follower);
            }
        }

        using var stream = server.Streams.Open(watch: false, token);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stream.Aborted);
        var writer = context.Response.BodyWriter;
        var written = 0L;
        try
        {
            context.Response.StatusCode = 200;
            context.Response.ContentType = "text/plain";
            await context.Response.StartAsync(stop.Token);
            recorder.Complete(200);
            while (true)
            {
                List<LogLine> lines;
                bool ended;
                Task changed;
                int? cutAt;
                int first;
                lock (state.Gate)
                {
                    first = next;
                    lines = [.. Enumerable.Range(next, log.Count - next).Select(i => log[i])];
                    next = log.Count;
                    ended = log.Ended;
                    changed = log.Changed;
                    cutAt = follower.CutAt;
                }

                for (var i = 0; i < lines.Count; i++)
                {
                    if (since is { } from && lines[i].Time < from)
                    {
                        continue;
                    }

                    var cut = first + i == cutAt;
                    var text = lines[i].Text;
                    var bytes = Encoding.UTF8.GetBytes((timestamps ? KubeTime.LogTimestamp(lines[i].Time) + " " : "") + (cut ? text[..(text.Length / 2)] : text + "\n"));
                    var room = (int)Math.Min(bytes.Length, limit - written);
                    writer.Write(bytes.AsSpan(0, room));
                    written += room;
                    if (cut || written >= limit)
                    {
                        await writer.FlushAsync(stop.Token);
                        if (cut)
                        {
                            // A stream cut mid-line. HttpContext.Abort() would drop the half line still in Kestrel's
                            // output pipe (it cancels the pending send); an exception after the response started
                            // makes Kestrel close the connection once the output is sent, without the final chunk.
                            throw new StreamCutException();
                        }

                        return;
                    }
                }

                if ((await writer.FlushAsync(stop.Token)).IsCompleted || !follow || ended)
                {
                    return;
                }

                await changed.WaitAsync(stop.Token);
            }
        }
        catch (OperationCanceledException) when (stream.Aborted.IsCancellationRequested)
        {
            context.Abort();
        }
        finally
        {
            lock (state.Gate)
            {
                log.RemoveFollower(follower);
            }
        }
    }

    // Which container's log, or the 400 message of the real server when none can be served.
    private static (ContainerLog? Log, string? Problem) Container(k8s.Models.V1Pod pod, PodEntry entry, string container)
    {
        var names = pod.Spec.Containers.Select(c => c.Name).ToList();
        var initNames = (pod.Spec.InitContainers ?? []).Select(c => c.Name).ToList();
        if (container.Length == 0)
        {
            if (names.Count > 1)
            {
                var init = initNames.Count > 0 ? $" or one of the init containers: [{string.Join(" ", initNames)}]" : "";
                return (null, $"a container name must be specified for pod {pod.Metadata.Name}, choose one of: [{string.Join(" ", names)}]{init}");
            }

            container = names[0];
        }

        if (!entry.Logs.TryGetValue(container, out var log))
        {
            return (null, $"container {container} is not valid for pod {pod.Metadata.Name}");
        }

        var status = (pod.Status.ContainerStatuses ?? []).Concat(pod.Status.InitContainerStatuses ?? []).FirstOrDefault(s => s.Name == container);
        if (status?.State is null || status.State.Waiting is not null)
        {
            var reason = status?.State?.Waiting?.Reason ?? "ContainerCreating";
            return (null, $"container \"{container}\" in pod \"{pod.Metadata.Name}\" is waiting to start: {reason}");
        }

        return (log, null);
    }

    private static bool IsTrue(Microsoft.Extensions.Primitives.StringValues value) => value.ToString() is "true" or "1";
}

/// <summary>Thrown out of a log stream to make Kestrel end the connection mid-response, after what was flushed.</summary>
internal sealed class StreamCutException() : Exception("The fake server cut the log stream in the middle of a line.");
