using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Pipelines.Execution.Runtimes;
using Pipelines.Secrets;

namespace Pipelines.Kubernetes.Runtime;

/// <summary>
/// The requests of a pod's life that are not the watch: create (429 and 5xx retried with backoff, <c>Retry-After</c>
/// honoured; a transport error retried too, since a pod made by a request whose answer was lost shows up as 409 next
/// time), delete with a grace period, and the pod's events for its task log.
/// </summary>
internal sealed class PodStarter(KubernetesApi api, SecretMasker masker, TimeProvider time)
{
    /// <summary>How many times a create is sent before the runtime gives up.</summary>
    public const int CreateTries = 8;

    /// <summary>What the runtime needs in a namespace, for a message about a denied request.</summary>
    public const string NeededRole = "the Role in the README's Kubernetes section (pods: create, get, list, watch, delete; pods/log: get; events: list)";

    /// <summary>Creates the pod. Returns it (or the existing one of the same name, with <c>Existed</c>), or why not.</summary>
    public async Task<(V1Pod? Pod, bool Existed, AttemptResult? Failure)> CreateAsync(V1Pod pod, string ns, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            TimeSpan delay;
            try
            {
                var created = await api.CallAsync((c, t) => c.CoreV1.CreateNamespacedPodAsync(pod, ns, cancellationToken: t), cancellationToken).ConfigureAwait(false);
                return (created, false, null);
            }
            catch (HttpOperationException ex) when (KubernetesApi.StatusOf(ex) == HttpStatusCode.Conflict)
            {
                var existing = await GetAsync(ns, pod.Metadata.Name, cancellationToken).ConfigureAwait(false);
                return existing is null
                    ? (null, false, AttemptResult.Lost(AttemptLoss.StartFailed, $"the API server says pod '{pod.Metadata.Name}' exists, but it cannot be read"))
                    : (existing, true, null);
            }
            catch (HttpOperationException ex) when (KubernetesApi.StatusOf(ex) is { } code && (code == HttpStatusCode.TooManyRequests || (int)code >= 500) && attempt < CreateTries)
            {
                delay = KubernetesApi.RetryAfter(ex) ?? Backoff(attempt);
            }
            catch (HttpOperationException ex) when (KubernetesApi.StatusOf(ex) is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                return (null, false, AttemptResult.Lost(AttemptLoss.StartFailed,
                    $"the API server denied creating pod '{pod.Metadata.Name}' in namespace '{ns}': {KubernetesApi.Describe(ex)} — grant {NeededRole}"));
            }
            catch (HttpOperationException ex) when (KubernetesApi.StatusOf(ex) is HttpStatusCode.UnprocessableEntity or HttpStatusCode.BadRequest or HttpStatusCode.NotFound)
            {
                return (null, false, AttemptResult.Lost(AttemptLoss.StartFailed, $"the API server refused pod '{pod.Metadata.Name}' in namespace '{ns}': {KubernetesApi.Describe(ex)}"));
            }
            catch (HttpOperationException ex)
            {
                return (null, false, AttemptResult.Lost(AttemptLoss.RuntimeError, $"the API server failed to create pod '{pod.Metadata.Name}' ({attempt} tries): {KubernetesApi.Describe(ex)}"));
            }
            catch (HttpRequestException ex) when (attempt < CreateTries)
            {
                _ = ex;
                delay = Backoff(attempt);
            }
            catch (HttpRequestException ex)
            {
                return (null, false, AttemptResult.Lost(AttemptLoss.RuntimeError, $"the API server did not answer ({attempt} tries): {KubernetesApi.Describe(ex)}"));
            }

            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The pod, or null when it does not exist.</summary>
    public async Task<V1Pod?> GetAsync(string ns, string name, CancellationToken cancellationToken)
    {
        try
        {
            return await api.CallAsync((c, t) => c.CoreV1.ReadNamespacedPodAsync(name, ns, cancellationToken: t), cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException ex) when (KubernetesApi.StatusOf(ex) == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Deletes the pod, its containers given <paramref name="grace"/> (the pod's own when null). A pod already gone is no error; false when the API server refused.</summary>
    public async Task<bool> DeleteAsync(string ns, string name, TimeSpan? grace)
    {
        int? seconds = grace is { } g ? (int)Math.Ceiling(g.TotalSeconds) : null;
        try
        {
            await api.CallAsync((c, t) => c.CoreV1.DeleteNamespacedPodAsync(name, ns, gracePeriodSeconds: seconds, cancellationToken: t), CancellationToken.None).ConfigureAwait(false);
            return true;
        }
        catch (HttpOperationException ex) when (KubernetesApi.StatusOf(ex) == HttpStatusCode.NotFound)
        {
            return true;
        }
        catch (Exception ex) when (ex is HttpOperationException or HttpRequestException)
        {
            return false;
        }
    }

    /// <summary>
    /// Writes the pod's events (scheduling, pulling, failures) into the task log, oldest first: one list request. Once the
    /// pod started, only its warnings (<paramref name="warningsOnly"/>): a scheduling retry or a pull back-off that explains
    /// a slow start, not the routine Scheduled, Pulled, Created, Started.
    /// </summary>
    public async Task LogEventsAsync(string ns, string name, IAttemptSink sink, bool warningsOnly, CancellationToken cancellationToken)
    {
        try
        {
            var events = await api.CallAsync(
                (c, t) => c.CoreV1.ListNamespacedEventAsync(ns, fieldSelector: $"involvedObject.name={name}", cancellationToken: t),
                cancellationToken).ConfigureAwait(false);
            foreach (var e in events.Items.Where(e => !warningsOnly || e.Type == "Warning").OrderBy(When))
            {
                var text = $"[event] {e.Type} {e.Reason}: {e.Message}{(e.Count is > 1 ? $" (×{e.Count})" : string.Empty)}";
                sink.Log(new LogLine(LogStream.Combined, When(e) ?? time.GetUtcNow(), masker.Mask(text)));
            }
        }
        catch (Exception ex) when (ex is HttpOperationException or HttpRequestException or System.Text.Json.JsonException)
        {
            sink.Log(new LogLine(LogStream.Combined, time.GetUtcNow(), $"[pipelines] the pod's events cannot be read: {KubernetesApi.Describe(ex)}"));
        }
    }

    private static DateTimeOffset? When(Corev1Event e)
    {
        var when = e.LastTimestamp ?? e.EventTime ?? e.FirstTimestamp ?? e.Metadata?.CreationTimestamp;
        return when is { } w ? new DateTimeOffset(DateTime.SpecifyKind(w, DateTimeKind.Utc)) : null;
    }

    private static TimeSpan Backoff(int attempt) => TimeSpan.FromMilliseconds(Math.Min(5000, 100 * Math.Pow(2, attempt - 1)));
}
