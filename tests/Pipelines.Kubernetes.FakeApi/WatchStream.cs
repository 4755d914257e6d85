using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Pipelines.Kubernetes.FakeApi;

/// <summary>
/// One watch: a chunked <c>application/json</c> response with one <c>{"type":...,"object":...}</c> line per event,
/// flushed as soon as written, until the client leaves, <c>timeoutSeconds</c> passes, or a fault drops it.
/// </summary>
internal sealed class WatchStream(FakeKubernetesServer server, HttpContext context, RequestRecorder recorder, string? token)
{
    /// <summary>Serves the watch of <paramref name="kind"/> in <paramref name="namespace"/> (null: all namespaces).</summary>
    public async Task RunAsync(string kind, string? @namespace)
    {
        var query = context.Request.Query;
        if (PodApi.Filter(context, kind, @namespace, out var error) is not { } filter)
        {
            await ApiStatus.BadRequestAsync(context, error);
            return;
        }

        long? from = null;
        if (query["resourceVersion"].ToString() is { Length: > 0 } text)
        {
            if (!long.TryParse(text, CultureInfo.InvariantCulture, out var version) || version < 0)
            {
                await ApiStatus.WriteAsync(context, 400, "BadRequest", $"invalid resource version: {text}");
                return;
            }

            from = version;
        }

        if (from is > 0 && server.Faults.TakeGoneWatch())
        {
            await GoneAsync(from.Value, server.State.ResourceVersion);
            return;
        }

        var (subscription, initial, compactedThrough) = server.State.Subscribe(kind, filter, from);
        if (subscription is null)
        {
            await GoneAsync(from!.Value, compactedThrough);
            return;
        }

        using var stream = server.Streams.Open(watch: true, token);
        using var timeout = new CancellationTokenSource();
        if (int.TryParse(query["timeoutSeconds"], CultureInfo.InvariantCulture, out var seconds) && seconds > 0)
        {
            timeout.CancelAfter(TimeSpan.FromSeconds(seconds));
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stream.Aborted, timeout.Token);
        var reader = subscription.Channel.Reader;
        var writer = context.Response.BodyWriter;
        try
        {
            await StartAsync();
            foreach (var item in initial)
            {
                Write(writer, item.Type, item.Object.Json);
            }

            await writer.FlushAsync(stop.Token);
            while (await reader.WaitToReadAsync(stop.Token))
            {
                while (reader.TryRead(out var item))
                {
                    Write(writer, item.Type, item.Object.Json);
                }

                if ((await writer.FlushAsync(stop.Token)).IsCompleted)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (stream.Aborted.IsCancellationRequested)
        {
            // A fault drops the connection mid-stream.
            context.Abort();
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
        {
            await CloseAtTimeoutAsync(subscription, kind);
        }
        finally
        {
            server.State.Unsubscribe(subscription);
        }
    }

    // A real server ends a watch at its timeout cleanly; with allowWatchBookmarks it first tells the version reached.
    private async Task CloseAtTimeoutAsync(WatchSubscription subscription, string kind)
    {
        var version = server.State.Unsubscribe(subscription);
        var writer = context.Response.BodyWriter;
        while (subscription.Channel.Reader.TryRead(out var item))
        {
            Write(writer, item.Type, item.Object.Json);
        }

        if (context.Request.Query["allowWatchBookmarks"].ToString() is "true" or "1")
        {
            var bookmark = $$$"""{"kind":"{{{kind}}}","apiVersion":"v1","metadata":{"resourceVersion":"{{{version}}}"}}""";
            Write(writer, "BOOKMARK", Encoding.UTF8.GetBytes(bookmark));
        }

        await writer.FlushAsync(context.RequestAborted);
    }

    // What a real API server answers a watch from a version it no longer has: 200, one ERROR event, the end.
    private async Task GoneAsync(long from, long oldest)
    {
        await StartAsync();
        var status = ApiStatus.Json(410, "Expired", $"too old resource version: {from} ({oldest})");
        Write(context.Response.BodyWriter, "ERROR", status);
        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
    }

    private async Task StartAsync()
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        await context.Response.StartAsync(context.RequestAborted);
        recorder.Complete(200);
    }

    private static void Write(PipeWriter writer, string type, byte[] json)
    {
        writer.Write("{\"type\":\""u8);
        writer.Write(type switch
        {
            "ADDED" => "ADDED"u8,
            "MODIFIED" => "MODIFIED"u8,
            "DELETED" => "DELETED"u8,
            "BOOKMARK" => "BOOKMARK"u8,
            _ => "ERROR"u8,
        });
        writer.Write("\",\"object\":"u8);
        writer.Write(json);
        writer.Write("}\n"u8);
    }
}
