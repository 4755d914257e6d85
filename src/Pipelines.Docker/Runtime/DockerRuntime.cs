using Docker.DotNet;
using Pipelines.Execution.Runtimes;
using Pipelines.Secrets;

namespace Pipelines.Docker.Runtime;

/// <summary>
/// Runs each attempt as a container on a Docker engine, from the create request <see cref="Rendering.ContainerRenderer"/>
/// renders — what <c>render --target docker</c> shows, plus the run store's id in the names and labels, the secrets'
/// values and Kubernetes' <c>$(VAR)</c> expansion, added when the attempt starts.
/// <list type="bullet">
/// <item><b>Image</b>: pulled as its pull policy says (credentials from the Docker config file).</item>
/// <item><b>Volumes</b>: named volumes are created when missing and kept; an attempt's own (its output, its secret files)
/// are labelled with the attempt and removed with its container.</item>
/// <item><b>Output</b>: an empty <c>/pipelines/output.json</c> is put into the created container for the task's user through
/// the archive API, and read back through it after the end: no host folder is bound, so a remote engine, a non-root user
/// and a read-only root file system all work. <c>AutoRemove</c> is never set.</item>
/// <item><b>Logs</b>: stdout and stderr are followed from the engine as they come (see <see cref="ContainerLog"/>).</item>
/// <item><b>Stop</b>: the container gets SIGTERM, then SIGKILL after the stop grace period (the engine's stop).</item>
/// <item><b>Adoption</b>: containers carry the attempt's identity and the store's id as labels, and a name made of both;
/// a restarted host re-attaches to a running one (its log continued after the kept cursor) and reads one that ended
/// (exit code, output, log), never starting it twice.</item>
/// <item><b>Cleanup</b>: once the attempt's end is recorded, its container and volumes are removed as its cleanup policy
/// says (<c>Delete</c>, <c>DeleteOnSuccess</c>, <c>Keep</c>).</item>
/// </list>
/// </summary>
public sealed class DockerRuntime : IContainerRuntime
{
    private readonly DockerEngine _engine;
    private readonly ISecretResolver _secrets;
    private readonly SecretMasker _masker;
    private readonly string _storeId;
    private readonly TimeProvider _time;

    /// <summary>Creates a Docker runtime on <paramref name="engine"/> for the run store <paramref name="storeId"/>.</summary>
    public DockerRuntime(DockerEngine engine, ISecretResolver secrets, SecretMasker masker, string storeId, TimeProvider time)
    {
        _engine = engine ?? throw new ArgumentNullException(nameof(engine));
        _secrets = secrets ?? throw new ArgumentNullException(nameof(secrets));
        _masker = masker ?? throw new ArgumentNullException(nameof(masker));
        _storeId = storeId ?? throw new ArgumentNullException(nameof(storeId));
        _time = time ?? throw new ArgumentNullException(nameof(time));
    }

    /// <inheritdoc />
    public string Name => DockerRuntimeProvider.RuntimeName;

    /// <summary>The run store's id: part of every container's name and labels.</summary>
    public string StoreId => _storeId;

    /// <inheritdoc />
    public async ValueTask<IRuntimeSession> OpenAsync(RunContext run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        DockerClient client = await _engine.ConnectAsync(DockerEngine.ProbeTimeout, cancellationToken).ConfigureAwait(false);
        return new DockerSession(client, run, _secrets, _masker, _storeId, _time);
    }
}
