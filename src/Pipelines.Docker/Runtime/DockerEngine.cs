using System.Globalization;
using Docker.DotNet;
using Pipelines.Environments;

namespace Pipelines.Docker.Runtime;

/// <summary>
/// Where a Docker engine is and how to talk to it: the environment's <c>docker.endpoint</c>, else <c>DOCKER_HOST</c>, else
/// the local socket; the API version negotiated as the Docker CLI does (the lower of the engine's and this client's).
/// </summary>
public sealed record DockerEngine(Uri Endpoint, string Source)
{
    /// <summary>The local engine's socket.</summary>
    public const string LocalSocket = "unix:///var/run/docker.sock";

    /// <summary>The newest Engine API version this client's models speak.</summary>
    public static readonly Version MaxApiVersion = new(1, 47);

    /// <summary>The oldest Engine API version this runtime needs (Docker 20.10).</summary>
    public static readonly Version MinApiVersion = new(1, 41);

    /// <summary>How long a probe waits for an engine to answer.</summary>
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(3);

    /// <summary>The engine an environment names, else <c>DOCKER_HOST</c>, else the local socket.</summary>
    public static DockerEngine For(EnvironmentConfig environment, Func<string, string?>? variable = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        variable ??= Environment.GetEnvironmentVariable;
        if (environment.Docker.Endpoint is { Length: > 0 } endpoint)
        {
            return new(Parse(endpoint, $"docker.endpoint of environment '{environment.Name}'"), $"docker.endpoint of environment '{environment.Name}'");
        }

        return variable("DOCKER_HOST") is { Length: > 0 } host
            ? new(Parse(host, "DOCKER_HOST"), "DOCKER_HOST")
            : new(new Uri(LocalSocket), "the local socket");
    }

    /// <summary>Connects: asks the engine its version and returns a client that speaks the negotiated one.</summary>
    /// <exception cref="DockerUnreachableException">No engine answered, or one too old for this runtime.</exception>
    public async Task<DockerClient> ConnectAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        Version server;
        using (var probe = Build(null, timeout))
        {
            try
            {
                using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                limit.CancelAfter(timeout);
                var version = await probe.System.GetVersionAsync(limit.Token).ConfigureAwait(false);
                server = Version.Parse(version.APIVersion);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                throw new DockerUnreachableException(this, Describe(ex));
            }
        }

        if (server < MinApiVersion)
        {
            throw new DockerUnreachableException(this, $"the engine speaks API {server}, older than the {MinApiVersion} this runtime needs (Docker 20.10 or later)");
        }

        return Build(server < MaxApiVersion ? server : MaxApiVersion, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Where the engine is and who said so: <c>unix:///var/run/docker.sock (the local socket)</c>.</summary>
    public override string ToString() => $"{Endpoint} ({Source})";

    private DockerClient Build(Version? version, TimeSpan timeout)
    {
        var builder = new DockerClientBuilder().WithEndpoint(Endpoint).WithApiVersion(version);
        if (timeout != Timeout.InfiniteTimeSpan)
        {
            builder = builder.WithTimeout(timeout);
        }

        return builder.Build();
    }

    private static Uri Parse(string endpoint, string source) =>
        Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && uri.Scheme is "unix" or "tcp" or "http" or "https"
            ? uri
            : throw new DockerUnreachableException(
                new DockerEngine(new Uri(LocalSocket), source),
                string.Create(CultureInfo.InvariantCulture, $"'{endpoint}' ({source}) is not an engine address; use unix:///path/to/docker.sock or tcp://host:2375"));

    private static string Describe(Exception ex) => ex switch
    {
        OperationCanceledException or TimeoutException => "no answer within " + ProbeTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture) + " s",
        HttpRequestException { InnerException: { } inner } => inner.Message,
        _ => ex.Message,
    };
}

/// <summary>No Docker engine answered where one was looked for, or the one that did is too old.</summary>
public sealed class DockerUnreachableException(DockerEngine engine, string problem)
    : Exception($"no Docker engine answered at {engine}: {problem}")
{
    /// <summary>Where the engine was looked for.</summary>
    public DockerEngine Engine { get; } = engine;

    /// <summary>What went wrong, without the address.</summary>
    public string Problem { get; } = problem;
}
