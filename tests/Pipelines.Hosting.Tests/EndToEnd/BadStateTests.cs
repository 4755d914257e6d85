using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Pipelines.Processes;

namespace Pipelines.Hosting.Tests.EndToEnd;

/// <summary>
/// Every bad state is a clear message and an exit code, never a stack trace: a run store that cannot be
/// used before a run (exit 2, nothing started), a disk that fills during one (exit 74, attempts stopped,
/// resumable), a broken store or config file.
/// </summary>
public sealed class BadStateTests : IDisposable
{
    private const string Date = "2026-11-25";
    private readonly ProjectFolder _project = new();

    public void Dispose() => _project.Dispose();

    private string StorePath => Path.Combine(_project.StateFolder, "state.db");

    [Fact]
    public async Task A_read_only_state_folder_is_a_clear_error_and_nothing_starts()
    {
        var results = await StateOnTmpfs.RunAsync(_project, "ro,size=1m", HostProcess.TestHost, $"host run hello --date {Date} --plain");

        var run = Assert.Single(results);
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal(
            $"Could not open the run store '{StorePath}': SQLite Error 14: 'unable to open database file' (its folder: Read-only file system). " +
            $"Make '{_project.StateFolder}' writable and give it free space, or pass another state file.\n",
            run.Stderr);
        Assert.Equal(string.Empty, run.Stdout);
    }

    [Fact]
    public async Task A_full_disk_before_a_run_is_a_clear_error_and_nothing_starts()
    {
        var results = await StateOnTmpfs.RunAsync(_project, "size=256k", HostProcess.TestHost, $"""
            head -c 1048576 /dev/zero > .pipelines/filler 2>/dev/null
            host run hello --date {Date} --plain
            """);

        var run = Assert.Single(results);
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.StartsWith($"Could not open the run store '{StorePath}': ", run.Stderr);
        Assert.Contains("(its folder: No space left on device)", run.Stderr);
        Assert.Equal(string.Empty, run.Stdout);
    }

    [Fact]
    public async Task A_disk_that_fills_during_a_run_stops_its_attempts_exits_74_and_the_run_resumes_once_there_is_room()
    {
        var results = await StateOnTmpfs.RunAsync(_project, "size=2m", HostProcess.TestHost, $"""
            host run fills_disk --date {Date} --plain
            rm .pipelines/volumes/fill-data/filler
            host runs fills_disk
            host run fills_disk --date {Date} --plain
            """);

        var (full, runs, resumed) = (results[0], results[1], results[2]);
        Assert.True(full.ExitCode == 74, full.ToString());
        // Which write meets the full disk first — fill's log line, or a commit — is the operating system's choice.
        Assert.Matches(FullDiskMessage(_project.StateFolder), full.Stderr);
        Assert.Contains("Once there is room (or the folder is writable again), run the same command to resume: succeeded tasks are kept.", full.Stderr);
        Assert.DoesNotContain("   at ", full.Stderr); // no stack trace
        Assert.DoesNotContain("after running", full.Stdout);
        Assert.Empty(_project.AttemptProcesses("fills_disk"));
        Assert.Contains("  interrupted  ", runs.Stdout);
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains("(resuming: succeeded tasks are kept)", resumed.Stdout);
        Assert.Contains("[fill] filled", resumed.Stdout);
        Assert.Contains("fills_disk manual__2026-11-25T00:00:00+00:00: success (3 success)", resumed.Stdout);
    }

    [Fact]
    public async Task A_state_path_that_is_a_directory_is_a_usage_error()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_project.Path, "states")).FullName;

        var run = await _project.RunAsync(HostProcess.TestHost, "run", "hello", "--date", Date, "--state", folder);
        var runs = await _project.RunAsync(HostProcess.TestHost, "runs", "hello", "--state", folder);

        var message = $"The run store '{folder}' is a directory, not a file. Pass the path of a file, which is created when missing, such as '{Path.Combine(folder, "state.db")}'.\n";
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal(message, run.Stderr);
        Assert.True(runs.ExitCode == 2, runs.ToString());
        Assert.Equal(message, runs.Stderr);
        Assert.Empty(Directory.GetFileSystemEntries(folder));
    }

    [Fact]
    public async Task Dev_null_as_the_state_path_is_a_usage_error_and_nothing_is_written_beside_it()
    {
        // SQLite would open /dev/null as an empty database and, run as root, write its journal beside it.
        string[] besideDevNull = ["/dev/null-journal", "/dev/null-wal", "/dev/null-shm"];
        var before = besideDevNull.Where(File.Exists).ToList();
        try
        {
            var run = await _project.RunAsync(HostProcess.TestHost, "run", "hello", "--date", Date, "--state", "/dev/null");

            Assert.True(run.ExitCode == 2, run.ToString());
            Assert.Equal("The run store '/dev/null' is a character device, not a file. Pass the path of a file, which is created when missing.\n", run.Stderr);
            Assert.Equal(before, besideDevNull.Where(File.Exists));
            Assert.False(Directory.Exists(_project.StateFolder));
        }
        finally
        {
            foreach (var written in besideDevNull.Where(File.Exists).Except(before))
            {
                File.Delete(written);
            }
        }
    }

    [Fact]
    public async Task A_store_that_lost_a_table_is_a_clear_error_for_every_verb_and_clear_says_nothing_else()
    {
        var first = await _project.RunAsync(HostProcess.TestHost, "run", "hello", "--date", Date);
        Assert.True(first.ExitCode == 0, first.ToString());
        using (var connection = new SqliteConnection($"Data Source={StorePath};Pooling=False"))
        {
            connection.Open();
            using var drop = connection.CreateCommand();
            drop.CommandText = "DROP TABLE attempts";
            drop.ExecuteNonQuery();
        }

        var message = $"The run store '{StorePath}' is damaged: it has no table attempts. Move it away (a new, empty store is created in its place), or pass another state file.\n";
        foreach (var args in new[] { ["run", "hello", "--date", Date], ["runs", "hello"], new[] { "clear", "hello", "--date", Date, "--task", "greet" } })
        {
            var result = await _project.RunAsync(HostProcess.TestHost, args);

            Assert.True(result.ExitCode == 2, $"{args[0]}: {result}");
            Assert.Equal(message, result.Stderr);
            Assert.Equal(string.Empty, result.Stdout);
        }
    }

    [Fact]
    public async Task A_key_set_twice_in_pipelines_json_is_a_usage_error_naming_the_file_path_and_key()
    {
        using var project = new ProjectFolder("""{ "environments": { "local": { "runtime": "process", "runtime": "docker" } } }""");

        var result = await project.RunAsync(HostProcess.TestHost, "run", "hello", "--date", Date);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal(
            $"{Path.Combine(project.Path, "pipelines.json")}: $.environments.local.runtime is set twice (key 'runtime' of $.environments.local); keep one — JSON readers silently use the last\n",
            result.Stderr);
        Assert.False(Directory.Exists(project.StateFolder));
    }

    private static Regex FullDiskMessage(string stateFolder) => new(
        $"^Could not write (the log file|the run store) '{Regex.Escape(stateFolder)}/[^']+': (No space left on device|SQLite Error 13: 'database or disk is full')\\. " +
        "Running attempts were stopped and nothing else was started\\.\n",
        RegexOptions.Multiline);
}
