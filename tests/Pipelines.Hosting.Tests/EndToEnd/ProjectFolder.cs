using Pipelines.Processes;

namespace Pipelines.Hosting.Tests.EndToEnd;

/// <summary>
/// A throwaway project folder with its own <c>pipelines.json</c>: a host run there keeps its
/// <c>.pipelines/</c> (state, logs, volumes) inside it, never in the repository.
/// </summary>
public sealed class ProjectFolder : IDisposable
{
    public const string Secret = "p4ss-w0rd-e2e-5ecret";

    /// <summary>A secret with the characters JSON escapes.</summary>
    public const string JsonSecret = "q\"uote\\back-7f3e";

    /// <summary>
    /// Where the default <c>pipelines.json</c> looks for a Docker engine: nowhere, so that <c>auto</c> means local processes
    /// whatever engine and images this machine has (the Docker tests run on their own).
    /// </summary>
    public const string NoEngine = "unix:///nonexistent/pipelines-test-docker.sock";

    public ProjectFolder(string? pipelinesJson = null)
    {
        Path = Directory.CreateTempSubdirectory("pipelines-e2e-").FullName;
        File.WriteAllText(
            System.IO.Path.Combine(Path, "pipelines.json"),
            pipelinesJson ?? $$"""{ "environments": { "local": { "runtime": "auto", "docker": { "endpoint": "{{NoEngine}}" } } } }""");
    }

    public string Path { get; }

    public string StateFolder => System.IO.Path.Combine(Path, ".pipelines");

    public static IReadOnlyDictionary<string, string> SecretEnvironment { get; } = new Dictionary<string, string>
    {
        ["PIPELINES_SECRET_DATABASE_CREDENTIALS_SOURCE_DB_PASSWORD"] = Secret,
        ["PIPELINES_SECRET_API_TOKEN"] = JsonSecret,
    };

    public string Volume(string name, string file) => File.ReadAllText(System.IO.Path.Combine(StateFolder, "volumes", name, file));

    public Task<HostResult> RunAsync(string hostDll, params string[] args) => HostProcess.RunAsync(hostDll, Path, SecretEnvironment, args);

    public LiveHost Start(string hostDll, params string[] args) => LiveHost.Start(hostDll, Path, SecretEnvironment, args);

    /// <summary>
    /// Every process whose environment marks it as an attempt of <paramref name="dagId"/> run with this
    /// folder's run store (the marker ends with the store's id): others may run the same test DAGs on the
    /// machine at the same time. Without a visible store, every attempt of the DAG on the machine.
    /// </summary>
    public List<int> AttemptProcesses(string dagId)
    {
        var store = StoreId();
        var found = new List<int>();
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(System.IO.Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                var environ = File.ReadAllText(System.IO.Path.Combine(dir, "environ")).Split('\0');
                if (environ.Any(v => v.StartsWith($"PIPELINES_ATTEMPT={dagId}/", StringComparison.Ordinal) && (store is null || v.EndsWith($"@{store}", StringComparison.Ordinal))))
                {
                    found.Add(pid);
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return found;
    }

    /// <summary>
    /// The id of this folder's run store (<c>.pipelines/state.db</c>), which its attempts' markers carry; null
    /// when the store cannot be seen from here (a test that ran the host on a file system of its own).
    /// </summary>
    public string? StoreId()
    {
        var path = System.IO.Path.Combine(StateFolder, "state.db");
        if (!File.Exists(path))
        {
            return null;
        }

        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT value FROM store_info WHERE key = 'store_id'";
        return (string)command.ExecuteScalar()!;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
