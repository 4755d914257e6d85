using Pipelines.Execution.State;

namespace Pipelines.Benchmarks;

/// <summary>A fresh run store per benchmark iteration: in memory, or SQLite in a temp folder deleted afterwards.</summary>
internal sealed class BenchmarkStore : IDisposable
{
    private readonly string? _folder;

    public BenchmarkStore(string kind)
    {
        if (kind == "sqlite")
        {
            _folder = Path.Combine(Path.GetTempPath(), "pipelines-bench-" + Guid.NewGuid().ToString("N"));
            Store = new SqliteRunStore(Path.Combine(_folder, "state.db"));
        }
        else
        {
            Store = new InMemoryRunStore();
        }
    }

    public IRunStore Store { get; }

    // Disposing a SQLite store checkpoints its WAL: no part of the scheduler's overhead, so callers
    // dispose in the iteration cleanup, outside the measured run.
    public void Dispose()
    {
        Store.Dispose();
        if (_folder is not null && Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
