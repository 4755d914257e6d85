using Pipelines.Execution.State;

namespace Pipelines.Execution.Tests.State;

public sealed class RunPathsTests
{
    private const string Root = "/work/project/.pipelines/logs";

    [Fact]
    public void The_state_file_is_in_the_pipelines_folder() =>
        Assert.Equal("/work/project/.pipelines/state.db", RunPaths.DefaultStatePath("/work/project"));

    [Theory]
    [InlineData("/work/project/.pipelines/state.db", "/work/project/.pipelines/logs")]
    [InlineData("/tmp/runs/other.db", "/tmp/runs/logs-other")]
    [InlineData("/tmp/runs/state", "/tmp/runs/logs-state")]
    [InlineData("/tmp/runs/state.sqlite", "/tmp/runs/logs-state")]
    public void Logs_go_beside_the_store_and_two_stores_in_one_folder_never_share_them(string store, string folder) =>
        Assert.Equal(folder, RunPaths.LogFolder(store));

    [Fact]
    public void Safe_ids_are_kept_as_they_are_in_log_paths() =>
        Assert.Equal(
            "/work/project/.pipelines/logs/daily_etl/backfill__2026-11-25/extract.orders-v2/3.log",
            RunPaths.LogPath(Root, "daily_etl", "backfill__2026-11-25", "extract.orders-v2", 3));

    [Fact]
    public void Run_ids_with_colons_and_plus_signs_become_readable_file_names()
    {
        var path = RunPaths.LogPath(Root, "etl", "manual__2026-11-25T00:00:00+00:00", "load", 1);

        var run = Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(path)));
        Assert.Matches("^manual__2026-11-25T00_00_00_00_00-[0-9a-f]{10}$", run);
        Assert.EndsWith("/load/1.log", path, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a:b", "a_b")]
    [InlineData("a:b", "a+b")]
    [InlineData("x/y", "x_y")]
    [InlineData("..", "_..")]
    public void Ids_that_clean_to_the_same_text_keep_different_folders(string one, string other) =>
        Assert.NotEqual(RunPaths.LogPath(Root, "etl", one, "t", 1), RunPaths.LogPath(Root, "etl", other, "t", 1));

    [Theory]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("../../etc")]
    [InlineData("")]
    [InlineData(".hidden")]
    public void No_id_leaves_or_hides_in_the_logs_folder(string id)
    {
        var path = RunPaths.LogPath(Root, id, id, "task", 1);

        var segment = Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(path)))!;
        Assert.StartsWith("/work/project/.pipelines/logs/", Path.GetFullPath(path), StringComparison.Ordinal);
        Assert.DoesNotContain('/', segment);
        Assert.False(segment.StartsWith('.'), segment);
        Assert.NotEmpty(segment);
    }

    [Fact]
    public void Long_ids_are_cut_and_stay_distinct()
    {
        var one = RunPaths.LogPath(Root, "etl", new string('r', 300) + "1", "t", 1);
        var other = RunPaths.LogPath(Root, "etl", new string('r', 300) + "2", "t", 1);

        Assert.NotEqual(one, other);
        Assert.All(one.Split('/'), s => Assert.True(s.Length <= 100, s));
    }

    [Fact]
    public void Two_runs_never_share_a_lock_file()
    {
        var one = RunPaths.LockFile("/locks", "a__b", "c");
        var other = RunPaths.LockFile("/locks", "a", "b__c");
        var colon = RunPaths.LockFile("/locks", "a", "b:c");
        var underscore = RunPaths.LockFile("/locks", "a", "b_c");

        Assert.Equal(4, new[] { one, other, colon, underscore }.Distinct().Count());
        Assert.Matches("^[A-Za-z0-9._-]+\\.lock$", Path.GetFileName(colon));
    }

    [Fact]
    public void Try_numbers_start_at_one() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => RunPaths.LogPath(Root, "etl", "r", "t", 0));
}
