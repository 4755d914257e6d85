using System.Net;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Pipelines.Kubernetes.Runtime;

/// <summary>
/// One connection to a cluster's API server through the official client, shared by a run's watches, log streams and
/// calls. A call that gets 401 reloads the credentials (<see cref="KubernetesCluster.Load"/>: the token file, the
/// kubeconfig, the exec plugin) and is made once more, so a token that expires during a long task does not fail it.
/// </summary>
internal sealed class KubernetesApi : IDisposable
{
    private readonly KubernetesCluster _cluster;
    private readonly Lock _gate = new();
    private readonly List<k8s.Kubernetes> _retired = [];
    private k8s.Kubernetes _client;

    public KubernetesApi(KubernetesCluster cluster)
    {
        _cluster = cluster;
        var (configuration, ns) = cluster.Load();
        _client = new k8s.Kubernetes(configuration);
        Namespace = ns;
        Server = configuration.Host;
    }

    /// <summary>The namespace pods go to when a task names none.</summary>
    public string Namespace { get; }

    /// <summary>The API server's address.</summary>
    public string Server { get; }

    /// <summary>The cluster, for messages.</summary>
    public KubernetesCluster Cluster => _cluster;

    /// <summary>The client now in use.</summary>
    public k8s.Kubernetes Client
    {
        get
        {
            lock (_gate)
            {
                return _client;
            }
        }
    }

    /// <summary>How many times the credentials were reloaded after a 401.</summary>
    public int Refreshes { get; private set; }

    /// <summary>
    /// <paramref name="failed"/> got 401: loads the cluster's credentials again, unless another caller already did.
    /// Returns false when they cannot be loaded (the caller reports the 401).
    /// </summary>
    public bool Refresh(k8s.Kubernetes failed)
    {
        lock (_gate)
        {
            if (!ReferenceEquals(failed, _client))
            {
                return true;
            }

            try
            {
                var (configuration, _) = _cluster.Load();
                _retired.Add(_client); // streams may still read through it; disposed with the session
                _client = new k8s.Kubernetes(configuration);
                Refreshes++;
                return true;
            }
            catch (KubernetesUnreachableException)
            {
                return false;
            }
        }
    }

    /// <summary>
    /// Makes a call; on 401 reloads the credentials and makes it again, up to <see cref="UnauthorizedTries"/> times in
    /// all (a token file or kubeconfig may be caught while it is being rewritten).
    /// </summary>
    public async Task<T> CallAsync<T>(Func<k8s.Kubernetes, CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var client = Client;
            try
            {
                return await call(client, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.Unauthorized && attempt < UnauthorizedTries && Refresh(client))
            {
                await Task.Delay(UnauthorizedDelay(attempt), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Sends a GET the generated client cannot express (a log read with <c>sinceTime</c>) through the client's own
    /// HTTP stack and credentials; the response is the caller's. On 401 reloads the credentials and sends it again.
    /// </summary>
    public async Task<HttpResponseMessage> GetAsync(string relativeUri, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var client = Client;
            var response = await SendAsync(client, relativeUri, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.Unauthorized || attempt >= UnauthorizedTries || !Refresh(client))
            {
                return response;
            }

            response.Dispose();
            await Task.Delay(UnauthorizedDelay(attempt), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>How many times a request that gets 401 is sent, the credentials read again before each retry.</summary>
    public const int UnauthorizedTries = 4;

    /// <summary>The pause before retry <paramref name="attempt"/> after a 401: 0.1 s, 0.2 s, 0.4 s.</summary>
    public static TimeSpan UnauthorizedDelay(int attempt) => TimeSpan.FromMilliseconds(100 * Math.Pow(2, attempt - 1));

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var client in _retired)
            {
                client.Dispose();
            }

            _retired.Clear();
            _client.Dispose();
        }
    }

    /// <summary>The HTTP status of a failed call, when it got one.</summary>
    public static HttpStatusCode? StatusOf(Exception ex) => ex is HttpOperationException { Response: { } response } ? response.StatusCode : null;

    /// <summary>What the API server said: the message of its Status body, else the HTTP status; the exception's message when it never answered.</summary>
    public static string Describe(Exception ex) => ex switch
    {
        HttpOperationException { Response: { } response } => Describe(response.StatusCode, response.Content),
        KubernetesException { Status: { } status } => status.Message ?? status.Reason ?? "an error",
        HttpRequestException { InnerException: { } inner } when !ex.Message.Contains(inner.Message, StringComparison.Ordinal) => $"{ex.Message} ({inner.Message})",
        _ => ex.Message,
    };

    /// <summary>The message of a Status body, with its HTTP status.</summary>
    public static string Describe(HttpStatusCode code, string? body)
    {
        var status = $"{(int)code} {code}";
        if (string.IsNullOrWhiteSpace(body))
        {
            return status;
        }

        try
        {
            var parsed = KubernetesJson.Deserialize<V1Status>(body);
            if (parsed?.Message is { Length: > 0 } message)
            {
                return $"{status}: {message}";
            }
        }
        catch (JsonException)
        {
        }

        return $"{status}: {(body.Length > 300 ? body[..300] + "…" : body.Trim())}";
    }

    /// <summary>The <c>Retry-After</c> of a 429 or 503, when the server sent one.</summary>
    public static TimeSpan? RetryAfter(Exception ex)
    {
        if (ex is HttpOperationException { Response: { } response }
            && response.Headers.TryGetValue("Retry-After", out var values)
            && values.FirstOrDefault() is { } value
            && int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds))
        {
            return TimeSpan.FromSeconds(Math.Min(seconds, 60));
        }

        return null;
    }

    private static async Task<HttpResponseMessage> SendAsync(k8s.Kubernetes client, string relativeUri, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(client.BaseUri, relativeUri));
        if (client.Credentials is { } credentials)
        {
            await credentials.ProcessHttpRequestAsync(request, cancellationToken).ConfigureAwait(false);
        }

        return await client.HttpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
    }
}
