using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Pipelines.Kubernetes.FakeApi;

/// <summary>A cause of an Invalid status: which field, and what is wrong with it.</summary>
internal sealed record StatusCause(string Reason, string Message, string Field);

/// <summary>The <c>v1 Status</c> bodies of the API server's failures.</summary>
internal static class ApiStatus
{
    // Quotes as \" (as Go writes them), not \u0022.
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A Failure status as JSON.</summary>
    public static byte[] Json(int code, string reason, string message, string? name = null, string? kind = null, IReadOnlyList<StatusCause>? causes = null, int? retryAfterSeconds = null)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            json.WriteStartObject();
            json.WriteString("kind", "Status");
            json.WriteString("apiVersion", "v1");
            json.WriteStartObject("metadata");
            json.WriteEndObject();
            json.WriteString("status", "Failure");
            json.WriteString("message", message);
            json.WriteString("reason", reason);
            if (name is not null || kind is not null || causes is not null || retryAfterSeconds is not null)
            {
                json.WriteStartObject("details");
                if (name is not null)
                {
                    json.WriteString("name", name);
                }

                if (kind is not null)
                {
                    json.WriteString("kind", kind);
                }

                if (causes is not null)
                {
                    json.WriteStartArray("causes");
                    foreach (var cause in causes)
                    {
                        json.WriteStartObject();
                        json.WriteString("reason", cause.Reason);
                        json.WriteString("message", cause.Message);
                        json.WriteString("field", cause.Field);
                        json.WriteEndObject();
                    }

                    json.WriteEndArray();
                }

                if (retryAfterSeconds is { } seconds)
                {
                    json.WriteNumber("retryAfterSeconds", seconds);
                }

                json.WriteEndObject();
            }

            json.WriteNumber("code", code);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Answers with a Failure status.</summary>
    public static Task WriteAsync(HttpContext context, int code, string reason, string message, string? name = null, string? kind = null, IReadOnlyList<StatusCause>? causes = null, int? retryAfterSeconds = null) =>
        WriteJsonAsync(context, code, Json(code, reason, message, name, kind, causes, retryAfterSeconds));

    /// <summary>400 BadRequest.</summary>
    public static Task BadRequestAsync(HttpContext context, string message) => WriteAsync(context, 400, "BadRequest", message);

    /// <summary>404 NotFound for <c>resource "name"</c>.</summary>
    public static Task NotFoundAsync(HttpContext context, string resource, string name) =>
        WriteAsync(context, 404, "NotFound", $"{resource} \"{name}\" not found", name, resource);

    /// <summary>403 Forbidden, worded as the API server's authorizer words it.</summary>
    public static Task ForbiddenAsync(HttpContext context, string user, string verb, string resource, string? @namespace, string? name)
    {
        var group = resource.Split('/')[0];
        var subject = name is null ? group : $"{group} \"{name}\"";
        var scope = @namespace is null ? "at the cluster scope" : $"in the namespace \"{@namespace}\"";
        var message = $"{subject} is forbidden: User \"{user}\" cannot {verb} resource \"{resource}\" in API group \"\" {scope}";
        return WriteAsync(context, 403, "Forbidden", message, name, group);
    }

    /// <summary>Answers with a JSON body and its length.</summary>
    public static async Task WriteJsonAsync(HttpContext context, int code, byte[] body)
    {
        context.Response.StatusCode = code;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }
}
