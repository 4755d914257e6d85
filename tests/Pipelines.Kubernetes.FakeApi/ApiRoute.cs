using Microsoft.AspNetCore.Http;

namespace Pipelines.Kubernetes.FakeApi;

/// <summary>What a request addresses.</summary>
internal enum RouteTarget
{
    /// <summary>Nothing the server serves.</summary>
    Unknown,

    /// <summary><c>/version</c>.</summary>
    Version,

    /// <summary><c>/api/v1/namespaces/{ns}</c>.</summary>
    Namespace,

    /// <summary><c>/api/v1/namespaces/{ns}/pods</c> (or <c>/api/v1/pods</c>).</summary>
    Pods,

    /// <summary><c>/api/v1/namespaces/{ns}/pods/{name}</c>.</summary>
    Pod,

    /// <summary><c>/api/v1/namespaces/{ns}/pods/{name}/log</c>.</summary>
    PodLog,

    /// <summary><c>/api/v1/namespaces/{ns}/events</c> (or <c>/api/v1/events</c>).</summary>
    Events,
}

/// <summary>A request as Kubernetes authorization sees it: verb, resource, namespace, name; and what it addresses.</summary>
internal sealed record ApiRoute(RouteTarget Target, string Verb, string Resource, string? Namespace, string? Name)
{
    /// <summary>Reads the method and path of a request.</summary>
    public static ApiRoute Parse(HttpRequest request)
    {
        var path = request.Path.Value ?? "/";
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var method = request.Method.ToUpperInvariant();
        var watch = request.Query["watch"].ToString() is "true" or "1";
        var collectionGet = watch ? "watch" : "list";

        var (target, resource, ns, name) = parts switch
        {
            ["version"] => (RouteTarget.Version, "/version", null, null),
            ["api", "v1", "namespaces", var n] => (RouteTarget.Namespace, "namespaces", null, n),
            ["api", "v1", "namespaces", var n, "pods"] => (RouteTarget.Pods, "pods", n, null),
            ["api", "v1", "pods"] => (RouteTarget.Pods, "pods", null, null),
            ["api", "v1", "namespaces", var n, "pods", var p] => (RouteTarget.Pod, "pods", n, p),
            ["api", "v1", "namespaces", var n, "pods", var p, "log"] => (RouteTarget.PodLog, "pods/log", n, p),
            ["api", "v1", "namespaces", var n, "events"] => (RouteTarget.Events, "events", n, null),
            ["api", "v1", "events"] => (RouteTarget.Events, "events", null, (string?)null),
            _ => (RouteTarget.Unknown, path, (string?)null, (string?)null),
        };

        var collection = target is RouteTarget.Pods or RouteTarget.Events;
        var verb = method switch
        {
            "GET" or "HEAD" => collection ? collectionGet : "get",
            "POST" => "create",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" => collection ? "deletecollection" : "delete",
            _ => method.ToLowerInvariant(),
        };
        return new ApiRoute(target, verb, resource, ns, name);
    }
}
