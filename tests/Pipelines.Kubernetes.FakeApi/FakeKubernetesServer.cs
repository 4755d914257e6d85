using System.Collections.Concurrent;
using System.Net;
using System.Text;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Pipelines.Kubernetes.FakeApi;

/// <summary>
/// An in-process fake Kubernetes API server: Kestrel on loopback (HTTP/1.1, a free port) speaking the Kubernetes
/// REST and watch protocol for pods, pod logs and events, closely enough that <see cref="k8s.Kubernetes"/> works
/// against it unchanged. It plays the scheduler and kubelet of each created pod from a <see cref="PodScript"/>,
/// injects <see cref="Faults"/>, and records every request in <see cref="Requests"/>.
/// </summary>
public sealed partial class FakeKubernetesServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Exception> _scriptFailures = new();
    private int _disposed;

    private FakeKubernetesServer(FakeServerOptions options, WebApplication app)
    {
        Options = options;
        _app = app;
        State = new ClusterState(options.Time);
        Faults = new FakeFaults(State, Streams, Credentials);
        Validator = PodSchemaValidator.Locate(options.SchemaDirectory);
    }

    /// <summary>The server's address: <c>http://127.0.0.1:PORT</c>.</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>Whether created pods are validated against <c>pod-v1.json</c> (see <see cref="FakeServerOptions.SchemaDirectory"/>).</summary>
    public bool ValidatesSchema => Validator is not null;

    /// <summary>The schema file created pods are validated against, or null.</summary>
    public string? SchemaPath => Validator?.Path;

    /// <summary>The token the server currently hands out (accepted while it is current, and after a plain <see cref="RotateToken"/>).</summary>
    public string CurrentToken => Credentials.Current;

    /// <summary>How the fake kubelet plays each created pod.</summary>
    public PodScripts Scripts { get; } = new();

    /// <summary>Fault injection.</summary>
    public FakeFaults Faults { get; }

    /// <summary>Every request the server answered.</summary>
    public RequestLog Requests { get; } = new();

    /// <summary>Errors thrown by scripts (a <see cref="PodScript.WaitFor(Func{Task})"/> that failed), for the test to assert none.</summary>
    public IReadOnlyList<Exception> ScriptFailures => [.. _scriptFailures];

    /// <summary>A snapshot of the live pods (deep copies), in namespace/name order.</summary>
    public IReadOnlyList<V1Pod> Pods => [.. State.PodJson().Select(Copy)];

    internal FakeServerOptions Options { get; }

    internal ClusterState State { get; }

    internal Credentials Credentials { get; } = new();

    internal OpenStreams Streams { get; } = new();

    internal PodSchemaValidator? Validator { get; }

    /// <summary>Starts a server on a free loopback port.</summary>
    public static async Task<FakeKubernetesServer> StartAsync(FakeServerOptions? options = null, CancellationToken ct = default)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http1);
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = null;

            // A watch or follow stream may be quiet for long: no minimum data rate, long keep-alive.
            kestrel.Limits.MinResponseDataRate = null;
            kestrel.Limits.KeepAliveTimeout = TimeSpan.FromMinutes(10);
        });
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(5));
        var app = builder.Build();
        var server = new FakeKubernetesServer(options ?? new FakeServerOptions(), app);
        var router = new ApiRouter(server);
        app.Run(router.HandleAsync);
        await app.StartAsync(ct);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Url = new Uri(address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal));
        return server;
    }

    /// <summary>A client of this server, with the current token.</summary>
    public k8s.Kubernetes CreateClient() =>
        new(new KubernetesClientConfiguration { Host = Url.ToString(), AccessToken = CurrentToken });

    /// <summary>Makes a new token current; older tokens stay accepted (see <see cref="FakeFaults.ExpireToken"/> to expire them). Rewrites the token files.</summary>
    /// <returns>The new token.</returns>
    public string RotateToken() => Credentials.Rotate(expire: false);

    /// <summary>How many creates of a pod named <paramref name="podName"/> succeeded (never reset on delete).</summary>
    public int CreatedCount(string podName) => State.CreatedCount(podName);

    /// <summary><see cref="System.Diagnostics.Stopwatch.GetTimestamp"/> when the pod's terminal status was handed to the watches, or null.</summary>
    public long? TerminalEmittedTimestamp(string podName) => State.TerminalEmitted(podName);

    /// <summary>
    /// "Someone else" deletes a pod (kubectl delete): as an API DELETE with the pod's own grace period. False when
    /// there is no such pod.
    /// </summary>
    public bool DeletePod(string @namespace, string name) => State.Delete(@namespace, name, null, out _) is not null;

    /// <summary>The first pod (now, or in a later change, deletions included) that matches <paramref name="predicate"/>; a deep copy.</summary>
    public async Task<V1Pod> WaitForPodAsync(Func<V1Pod, bool> predicate, CancellationToken ct)
    {
        var (subscription, initial, _) = State.Subscribe(ClusterState.PodKind, ObjectFilter.All, null);
        try
        {
            foreach (var item in initial)
            {
                if (Copy(item.Object.Json) is var pod && predicate(pod))
                {
                    return pod;
                }
            }

            await foreach (var item in subscription!.Channel.Reader.ReadAllAsync(ct))
            {
                if (Copy(item.Object.Json) is var pod && predicate(pod))
                {
                    return pod;
                }
            }

            throw new ObjectDisposedException(nameof(FakeKubernetesServer), "The server stopped before a pod matched.");
        }
        finally
        {
            State.Unsubscribe(subscription!);
        }
    }

    /// <summary>Stops the scripts, drops every open stream and stops the server.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        State.Close();
        Streams.Abort(_ => true);
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    internal void ReportScriptFailure(Exception failure) => _scriptFailures.Enqueue(failure);

    private static V1Pod Copy(byte[] json) => KubernetesJson.Deserialize<V1Pod>(Encoding.UTF8.GetString(json));
}
