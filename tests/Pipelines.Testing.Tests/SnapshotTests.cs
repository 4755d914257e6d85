namespace Pipelines.Testing.Tests;

public sealed class SnapshotTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pipelines-snapshot-").FullName;

    private string Verified => Path.Combine(_dir, "x.verified.yaml");

    private string Received => Path.Combine(_dir, "x.received.yaml");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void An_equal_snapshot_passes_and_leaves_no_received_file()
    {
        File.WriteAllText(Verified, "a: 1\n");
        File.WriteAllText(Received, "stale");

        Snapshot.MatchFiles("a: 1\n", Verified, Received, accept: false);

        Assert.False(File.Exists(Received));
    }

    [Fact]
    public void A_different_snapshot_fails_with_a_diff_and_writes_the_received_file()
    {
        File.WriteAllText(Verified, "a: 1\nb: 2\nc: 3\n");

        var ex = Assert.Throws<SnapshotMismatchException>(() => Snapshot.MatchFiles("a: 1\nb: 20\nc: 3\n", Verified, Received, accept: false));

        Assert.Equal("a: 1\nb: 20\nc: 3\n", File.ReadAllText(Received));
        Assert.Contains("- b: 2\n+ b: 20\n", ex.Message);
        Assert.Contains("  a: 1\n", ex.Message);
        Assert.Contains(Snapshot.AcceptVariable, ex.Message);
        Assert.Equal("a: 1\nb: 2\nc: 3\n", File.ReadAllText(Verified));
    }

    [Fact]
    public void A_missing_snapshot_fails_and_says_how_to_accept_it()
    {
        var ex = Assert.Throws<SnapshotMismatchException>(() => Snapshot.MatchFiles("a: 1\n", Verified, Received, accept: false));

        Assert.StartsWith($"No verified snapshot yet: {Verified}", ex.Message);
        Assert.True(File.Exists(Received));
        Assert.False(File.Exists(Verified));
    }

    [Fact]
    public void Accepting_writes_the_verified_file_and_passes()
    {
        File.WriteAllText(Verified, "old\n");

        Snapshot.MatchFiles("new\n", Verified, Received, accept: true);

        Assert.Equal("new\n", File.ReadAllText(Verified));
        Assert.False(File.Exists(Received));
    }

    [Fact]
    public void Line_endings_do_not_count()
    {
        File.WriteAllText(Verified, "a: 1\r\nb: 2\r\n");

        Snapshot.MatchFiles("a: 1\nb: 2\n", Verified, Received, accept: false);
    }

    [Fact]
    public void The_diff_shows_only_the_changed_region_with_context()
    {
        var before = string.Join('\n', Enumerable.Range(0, 40).Select(i => $"line {i}"));
        var after = before.Replace("line 20", "line twenty", StringComparison.Ordinal);

        var diff = LineDiff.Unified(before, after);

        Assert.Contains("- line 20\n+ line twenty\n", diff);
        Assert.Contains("  line 17\n", diff);
        Assert.DoesNotContain("line 5\n", diff);
        Assert.StartsWith("...\n", diff);
    }
}
