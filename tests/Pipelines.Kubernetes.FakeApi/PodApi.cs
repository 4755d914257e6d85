using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Http;

namespace Pipelines.Kubernetes.FakeApi;

/// <summary>The plain (non-streaming) requests: create, get, list, delete and deletecollection; version and namespace.</summary>
internal sealed class PodApi(FakeKubernetesServer server)
{
    /// <summary>The answer of <c>GET /version</c>: a 1.32 server.</summary>
    public static byte[] VersionJson { get; } = Encoding.UTF8.GetBytes(new JsonObject
    {
        ["major"] = "1",
        ["minor"] = "32",
        ["gitVersion"] = "v1.32.2",
        ["gitCommit"] = "67a30c0adcf52bd3f56ff0893ce19966be12991f",
        ["gitTreeState"] = "clean",
        ["buildDate"] = "2025-02-12T21:19:07Z",
        ["goVersion"] = "go1.23.6",
        ["compiler"] = "gc",
        ["platform"] = "linux/amd64",
    }.ToJsonString());

    /// <summary>The answer of <c>GET /api/v1/namespaces/{name}</c>: every namespace exists and is Active.</summary>
    public static byte[] NamespaceJson(string name) => Encoding.UTF8.GetBytes(new JsonObject
    {
        ["kind"] = "Namespace",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject
        {
            ["name"] = name,
            ["uid"] = new Guid(MD5.HashData(Encoding.UTF8.GetBytes(name))).ToString(),
            ["resourceVersion"] = "1",
            ["creationTimestamp"] = "2025-01-01T00:00:00Z",
            ["labels"] = new JsonObject { ["kubernetes.io/metadata.name"] = name },
        },
        ["spec"] = new JsonObject { ["finalizers"] = new JsonArray("kubernetes") },
        ["status"] = new JsonObject { ["phase"] = "Active" },
    }.ToJsonString());

    /// <summary>POST a pod: the injected failure if one is queued, else validated, stored (201) and its script started.</summary>
    public async Task CreateAsync(HttpContext context, string @namespace)
    {
        if (server.Faults.TakeCreateFailure() is { } failure)
        {
            await FailAsync(context, failure, "create", @namespace);
            return;
        }

        var body = await new StreamReader(context.Request.Body, Encoding.UTF8).ReadToEndAsync(context.RequestAborted);
        V1Pod? pod;
        try
        {
            if (JsonNode.Parse(body) is not JsonObject json)
            {
                await ApiStatus.BadRequestAsync(context, "the body of the request is not a JSON object");
                return;
            }

            if (json["kind"]?.GetValue<string>() is { } kind && kind != "Pod" || json["apiVersion"]?.GetValue<string>() is { } version && version != "v1")
            {
                await ApiStatus.BadRequestAsync(context, $"the API version and kind in the data ({json["apiVersion"]}, {json["kind"]}) do not match the expected v1, Pod");
                return;
            }

            pod = KubernetesJson.Deserialize<V1Pod>(body);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            await ApiStatus.BadRequestAsync(context, $"error decoding the pod: {e.Message}");
            return;
        }

        pod.Metadata ??= new V1ObjectMeta();
        if (server.Validator is { } validator && await validator.ValidateAsync(body) is { Count: > 0 } schemaErrors)
        {
            await InvalidAsync(context, pod.Metadata.Name, schemaErrors);
            return;
        }

        if (!string.IsNullOrEmpty(pod.Metadata.NamespaceProperty) && pod.Metadata.NamespaceProperty != @namespace)
        {
            await ApiStatus.BadRequestAsync(context, "the namespace of the provided object does not match the namespace sent on the request");
            return;
        }

        pod.Metadata.NamespaceProperty = @namespace;
        if (string.IsNullOrEmpty(pod.Metadata.Name) && !string.IsNullOrEmpty(pod.Metadata.GenerateName))
        {
            pod.Metadata.Name = pod.Metadata.GenerateName + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))[..5];
        }

        if (PodValidation.Check(pod) is { Count: > 0 } causes)
        {
            await InvalidAsync(context, pod.Metadata.Name, causes);
            return;
        }

        pod.ApiVersion = "v1";
        pod.Kind = "Pod";
        var kubelet = new FakeKubelet(server.State, server.Scripts.Choose(pod), server.ReportScriptFailure);
        if (server.State.Create(pod, kubelet.Cancellation) is not var (entry, created))
        {
            kubelet.Cancellation.Cancel();
            var name = pod.Metadata.Name;
            await ApiStatus.WriteAsync(context, 409, "AlreadyExists", $"pods \"{name}\" already exists", name, "pods");
            return;
        }

        _ = Task.Run(() => kubelet.RunAsync(entry));
        await ApiStatus.WriteJsonAsync(context, 201, created.Json);
    }

    /// <summary>GET a pod.</summary>
    public Task GetAsync(HttpContext context, string @namespace, string name) =>
        server.State.Find(@namespace, name) is { } entry
            ? ApiStatus.WriteJsonAsync(context, 200, entry.Current.Json)
            : ApiStatus.NotFoundAsync(context, "pods", name);

    /// <summary>DELETE a pod (grace period from the query, else the body's DeleteOptions, else the pod's).</summary>
    public async Task DeleteAsync(HttpContext context, string @namespace, string name, RequestRecorder recorder)
    {
        var grace = await GracePeriodAsync(context);
        if (server.State.Delete(@namespace, name, grace, out var used) is not { } deleted)
        {
            await ApiStatus.NotFoundAsync(context, "pods", name);
            return;
        }

        recorder.GracePeriodSeconds = used;
        await ApiStatus.WriteJsonAsync(context, 200, deleted.Json);
    }

    /// <summary>DELETE the pods a selector matches; answers with the list of what was deleted.</summary>
    public async Task DeleteCollectionAsync(HttpContext context, string @namespace, RequestRecorder recorder)
    {
        if (Filter(context, ClusterState.PodKind, @namespace, out var error) is not { } filter)
        {
            await ApiStatus.BadRequestAsync(context, error);
            return;
        }

        var grace = await GracePeriodAsync(context);
        var deleted = new List<StoredObject>();
        foreach (var pod in server.State.List(ClusterState.PodKind, filter).Items)
        {
            if (server.State.Delete(pod.Namespace, pod.Name, grace, out var used) is { } gone)
            {
                deleted.Add(gone);
                recorder.GracePeriodSeconds = used;
            }
        }

        await ApiStatus.WriteJsonAsync(context, 200, ListJson("PodList", deleted, server.State.ResourceVersion, null, null));
    }

    /// <summary>GET a list of pods or events: selectors, limit and continue.</summary>
    public async Task ListAsync(HttpContext context, string kind, string? @namespace)
    {
        if (Filter(context, kind, @namespace, out var error) is not { } filter)
        {
            await ApiStatus.BadRequestAsync(context, error);
            return;
        }

        var (items, version) = server.State.List(kind, filter);
        var query = context.Request.Query;
        if (query["continue"].ToString() is { Length: > 0 } token)
        {
            string after;
            try
            {
                after = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            }
            catch (FormatException)
            {
                await ApiStatus.BadRequestAsync(context, "continue key is not valid: illegal base64 data");
                return;
            }

            items = [.. items.Where(i => string.CompareOrdinal(i.Key, after) > 0)];
        }

        string? next = null;
        int? remaining = null;
        if (int.TryParse(query["limit"], CultureInfo.InvariantCulture, out var limit) && limit > 0 && items.Count > limit)
        {
            remaining = items.Count - limit;
            items = items[..limit];
            next = Convert.ToBase64String(Encoding.UTF8.GetBytes(items[^1].Key));
        }

        await ApiStatus.WriteJsonAsync(context, 200, ListJson(kind + "List", items, version, next, remaining));
    }

    /// <summary>The namespace and selectors of a list or watch; null (and the 400 message) when a selector is bad.</summary>
    public static ObjectFilter? Filter(HttpContext context, string kind, string? @namespace, out string error) =>
        ObjectFilter.Parse(
            @namespace,
            context.Request.Query["labelSelector"],
            context.Request.Query["fieldSelector"],
            kind == ClusterState.PodKind ? ClusterState.PodFields : ClusterState.EventFields,
            out error);

    private static byte[] ListJson(string kind, IReadOnlyList<StoredObject> items, long version, string? next, int? remaining)
    {
        var buffer = new ArrayBufferWriter<byte>(1024 + items.Sum(i => i.Json.Length + 1));
        var head = $$"""{"kind":"{{kind}}","apiVersion":"v1","metadata":{"resourceVersion":"{{version}}"{{(next is null ? "" : $",\"continue\":\"{next}\",\"remainingItemCount\":{remaining}")}}},"items":[""";
        buffer.Write(Encoding.UTF8.GetBytes(head));
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0)
            {
                buffer.Write(","u8);
            }

            buffer.Write(items[i].Json);
        }

        buffer.Write("]}"u8);
        return buffer.WrittenSpan.ToArray();
    }

    private static async Task<long?> GracePeriodAsync(HttpContext context)
    {
        if (long.TryParse(context.Request.Query["gracePeriodSeconds"], CultureInfo.InvariantCulture, out var fromQuery))
        {
            return fromQuery;
        }

        var body = await new StreamReader(context.Request.Body, Encoding.UTF8).ReadToEndAsync(context.RequestAborted);
        try
        {
            return string.IsNullOrWhiteSpace(body) ? null : KubernetesJson.Deserialize<V1DeleteOptions>(body)?.GracePeriodSeconds;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static Task InvalidAsync(HttpContext context, string? name, IReadOnlyList<StatusCause> causes) =>
        ApiStatus.WriteAsync(context, 422, "Invalid", PodValidation.Message(name, causes), name ?? "", "Pod", causes);

    private Task FailAsync(HttpContext context, FakeFailure failure, string verb, string @namespace)
    {
        if (failure.StatusCode == 403)
        {
            return ApiStatus.ForbiddenAsync(context, failure.User ?? server.Faults.User, verb, "pods", @namespace, null);
        }

        if (failure.RetryAfterSeconds is { } seconds)
        {
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }

        return ApiStatus.WriteAsync(context, failure.StatusCode, failure.Reason, failure.Message!, retryAfterSeconds: failure.RetryAfterSeconds);
    }
}
