using Microsoft.Extensions.Time.Testing;
using Pipelines.Attempts;
using Pipelines.Environments;
using Pipelines.Execution;
using Pipelines.Execution.Runtimes;
using Pipelines.Resolution;
using Pipelines.Secrets;

namespace Pipelines.Processes.Tests;

/// <summary>A temporary project root with a process runtime over it; deletes the root when disposed.</summary>
internal sealed class ProcessTestBed : IDisposable
{
    public ProcessTestBed(IReadOnlyDictionary<string, string>? secretVariables = null, string? secretsFile = null, bool fakeTime = false)
    {
        Root = Path.Combine(Path.GetTempPath(), "pipelines-process-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Root);
        Secrets = new EnvironmentSecretResolver(secretsFile, secretVariables ?? new Dictionary<string, string>());
        Time = fakeTime ? new FakeTimeProvider() : null;
        // A store id of its own: attempt folders (in /dev/shm when the machine has it) never meet another test's.
        StoreId = "t" + Guid.NewGuid().ToString("N")[..11];
        Runtime = new ProcessRuntime(Root, Secrets, (TimeProvider?)Time ?? TimeProvider.System, Masker, StoreId);
    }

    public string Root { get; }

    /// <summary>The store id the runtime was given.</summary>
    public string StoreId { get; }

    public EnvironmentSecretResolver Secrets { get; }

    public SecretMasker Masker { get; } = new();

    public FakeTimeProvider? Time { get; }

    public ProcessRuntime Runtime { get; }

    /// <summary>
    /// Resolves one task of a DAG whose id is unique to this call, so that attempt ids (and the
    /// PIPELINES_ATTEMPT marker looked for in /proc) never collide between tests that run in parallel.
    /// </summary>
    public static ResolvedTask Resolve(Action<TaskBuilder> define, int tryNumber = 1, string? dagId = null, string taskId = "t")
    {
        var dag = new DagBuilder().Id(dagId ?? NewDagId()).Schedule("@daily");
        define(dag.Container(taskId, "registry.localhost/etl/runner:1.0"));
        var run = RunContext.Create(dag.Build(), new DateOnly(2026, 11, 25), EnvironmentConfig.DefaultLocal);
        return TaskResolver.Resolve(run, run.Dag[taskId], tryNumber);
    }

    public static string NewDagId() => "p" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>The value of the attempt's PIPELINES_ATTEMPT marker: attempt id @ store id.</summary>
    public string AttemptId(ResolvedTask attempt) =>
        AttemptNames.AttemptId(attempt.DagId, attempt.Run.RunId, attempt.Task.Id, attempt.TryNumber) + "@" + StoreId;

    /// <summary>Live processes carrying the attempt's PIPELINES_ATTEMPT marker.</summary>
    public List<int> Marked(ResolvedTask attempt) =>
        OperatingSystem.IsLinux() ? ProcessTable.FindWithEnvironment($"PIPELINES_ATTEMPT={AttemptId(attempt)}") : [];

    /// <summary>Runs an attempt to its end in a session of its run, as the executor does (bounded by the test's own cancellation).</summary>
    public async Task<AttemptResult> RunAsync(ResolvedTask attempt, RecordingSink? sink = null)
    {
        await using var session = await Runtime.OpenAsync(attempt.Run, TestContext.Current.CancellationToken);
        return await session.RunAsync(attempt, sink ?? new RecordingSink(), TestContext.Current.CancellationToken);
    }

    public void Dispose()
    {
        foreach (var folder in new[] { Root, Runtime.WorkDirectory })
        {
            try
            {
                if (Directory.Exists(folder))
                {
                    Directory.Delete(folder, recursive: true);
                }
            }
            catch (IOException)
            {
            }
        }
    }
}
