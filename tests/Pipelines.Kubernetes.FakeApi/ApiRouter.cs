using Microsoft.AspNetCore.Http;

namespace Pipelines.Kubernetes.FakeApi;

/// <summary>
/// The server's one request handler: authenticates, applies the injected faults, serves the request and records it.
/// </summary>
internal sealed class ApiRouter(FakeKubernetesServer server)
{
    private readonly PodApi _pods = new(server);

    /// <summary>Serves one request.</summary>
    public async Task HandleAsync(HttpContext context)
    {
        var route = ApiRoute.Parse(context.Request);
        var token = BearerToken(context.Request);
        var recorder = new RequestRecorder(server.Requests, route, context.Request.QueryString.Value ?? "", token, server.Options.Time);

        // Recorded as the response starts, so that a client that has its answer finds its request in the log.
        context.Response.OnStarting(() =>
        {
            recorder.Complete(context.Response.StatusCode);
            return Task.CompletedTask;
        });
        try
        {
            if (server.Options.RequireToken && !server.Credentials.Accepts(token))
            {
                await ApiStatus.WriteAsync(context, 401, "Unauthorized", "Unauthorized");
            }
            else if (route.Target == RouteTarget.Unknown)
            {
                await ApiStatus.WriteAsync(context, 404, "NotFound", "the server could not find the requested resource");
            }
            else if (server.Faults.IsForbidden(route.Verb, route.Resource))
            {
                await ApiStatus.ForbiddenAsync(context, server.Faults.User, route.Verb, route.Resource, route.Namespace, route.Name);
            }
            else
            {
                await DispatchAsync(context, route, recorder, token);
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away.
        }
        catch (Exception e) when (!context.Response.HasStarted)
        {
            await ApiStatus.WriteAsync(context, 500, "InternalError", $"Internal error occurred: {e.GetType().Name}: {e.Message}");
        }
        finally
        {
            recorder.Complete(context.Response.StatusCode);
        }
    }

    private Task DispatchAsync(HttpContext context, ApiRoute route, RequestRecorder recorder, string? token) => (route.Target, route.Verb) switch
    {
        (RouteTarget.Version, "get") => ApiStatus.WriteJsonAsync(context, 200, PodApi.VersionJson),
        (RouteTarget.Namespace, "get") => ApiStatus.WriteJsonAsync(context, 200, PodApi.NamespaceJson(route.Name!)),
        (RouteTarget.Pods, "create") when route.Namespace is not null => _pods.CreateAsync(context, route.Namespace),
        (RouteTarget.Pods, "list") => _pods.ListAsync(context, ClusterState.PodKind, route.Namespace),
        (RouteTarget.Events, "list") => _pods.ListAsync(context, ClusterState.EventKind, route.Namespace),
        (RouteTarget.Pods, "watch") => new WatchStream(server, context, recorder, token).RunAsync(ClusterState.PodKind, route.Namespace),
        (RouteTarget.Events, "watch") => new WatchStream(server, context, recorder, token).RunAsync(ClusterState.EventKind, route.Namespace),
        (RouteTarget.Pods, "deletecollection") when route.Namespace is not null => _pods.DeleteCollectionAsync(context, route.Namespace, recorder),
        (RouteTarget.Pod, "get") => _pods.GetAsync(context, route.Namespace!, route.Name!),
        (RouteTarget.Pod, "delete") => _pods.DeleteAsync(context, route.Namespace!, route.Name!, recorder),
        (RouteTarget.PodLog, "get") => new LogStream(server, context, recorder, token).RunAsync(route.Namespace!, route.Name!),
        _ => ApiStatus.WriteAsync(context, 405, "MethodNotAllowed", "the server does not allow this method on the requested resource"),
    };

    private static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }
}

/// <summary>Records one request once: when its response starts (a stream: when it opens), or when it ends without one.</summary>
internal sealed class RequestRecorder(RequestLog log, ApiRoute route, string query, string? token, TimeProvider time)
{
    private int _recorded;

    /// <summary>For a delete: the grace period used.</summary>
    public long? GracePeriodSeconds { get; set; }

    /// <summary>Records the request with <paramref name="statusCode"/>, unless it already was.</summary>
    public void Complete(int statusCode)
    {
        if (Interlocked.Exchange(ref _recorded, 1) == 0)
        {
            log.Add(sequence => new RecordedRequest(sequence, route.Verb, route.Resource, route.Namespace, route.Name, query, statusCode, token, time.GetUtcNow())
            {
                GracePeriodSeconds = GracePeriodSeconds,
            });
        }
    }
}
