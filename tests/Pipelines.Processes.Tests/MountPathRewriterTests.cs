using Pipelines.Execution;

namespace Pipelines.Processes.Tests;

public sealed class MountPathRewriterTests
{
    private static readonly MountPathRewriter Data = new([("/data", "/h/vol")]);

    [Theory]
    [InlineData("/data", "/h/vol")]
    [InlineData("/data/", "/h/vol/")]
    [InlineData("/data/a.csv", "/h/vol/a.csv")]
    [InlineData("--out=/data/x", "--out=/h/vol/x")]
    [InlineData("cat /data/a.csv > /data/b.csv", "cat /h/vol/a.csv > /h/vol/b.csv")]
    [InlineData("cat /data/a.csv >/data/b.csv", "cat /h/vol/a.csv >/h/vol/b.csv")]
    [InlineData("PYTHONPATH=/app:/data/lib", "PYTHONPATH=/app:/h/vol/lib")]
    [InlineData("--files=/data/a,/data/b", "--files=/h/vol/a,/h/vol/b")]
    [InlineData("open('/data/x.json')", "open('/h/vol/x.json')")]
    [InlineData("\"/data\"", "\"/h/vol\"")]
    [InlineData("(/data)", "(/h/vol)")]
    [InlineData("curl -d @/data/body.json", "curl -d @/h/vol/body.json")]
    [InlineData("a\t/data\n/data/b", "a\t/h/vol\n/h/vol/b")]
    [InlineData("ls /data;ls /data|wc", "ls /h/vol;ls /h/vol|wc")]
    [InlineData("${OUT:-/data/x}", "${OUT:-/h/vol/x}")]
    [InlineData("cat \"${IN-/data/a.csv}\"", "cat \"${IN-/h/vol/a.csv}\"")]
    [InlineData("${DIR:=/data}", "${DIR:=/h/vol}")]
    [InlineData("${X:+/data/y} ${Y:?/data}", "${X:+/h/vol/y} ${Y:?/h/vol}")]
    public void A_mount_path_at_a_boundary_is_rewritten(string value, string expected) =>
        Assert.Equal(expected, Data.Rewrite(value));

    [Theory]
    [InlineData("/database")]
    [InlineData("/database/x")]
    [InlineData("/data.csv")]
    [InlineData("/data-old/x")]
    [InlineData("/data_2")]
    [InlineData("my-/data")]
    [InlineData("a+/data")]
    [InlineData("$X-/data")]
    [InlineData("/data$SUFFIX")]
    [InlineData("/srv/data")]
    [InlineData("x/data")]
    [InlineData("file:///data/x")]
    [InlineData("s3://bucket/data/x")]
    [InlineData("$HOME/data")]
    [InlineData("/dat")]
    [InlineData("data")]
    [InlineData("")]
    public void A_mount_path_inside_another_name_is_left_alone(string value) =>
        Assert.Same(value, Data.Rewrite(value));

    [Fact]
    public void The_shell_command_of_the_brief_is_rewritten_inside_its_one_argument()
    {
        var args = new[] { "sh", "-c", "cat /data/a.csv > /data/b.csv" }.Select(Data.Rewrite);

        Assert.Equal(["sh", "-c", "cat /h/vol/a.csv > /h/vol/b.csv"], args);
    }

    [Fact]
    public void The_longest_mount_path_wins_for_nested_mounts()
    {
        var nested = new MountPathRewriter([("/data", "/h/data"), ("/data/raw", "/h/raw"), ("/data/raw/x", "/h/x")]);

        Assert.Equal("/h/raw/f.csv", nested.Rewrite("/data/raw/f.csv"));
        Assert.Equal("/h/raw", nested.Rewrite("/data/raw"));
        Assert.Equal("/h/x/1 /h/raw/y /h/data/rawfile", nested.Rewrite("/data/raw/x/1 /data/raw/y /data/rawfile"));
    }

    [Fact]
    public void Replaced_text_is_not_scanned_again()
    {
        var chained = new MountPathRewriter([("/a", "/b"), ("/b", "/c")]);

        Assert.Equal("/b/x /c/y", chained.Rewrite("/a/x /b/y"));
    }

    [Fact]
    public void A_trailing_slash_of_a_mount_path_does_not_matter()
    {
        var slash = new MountPathRewriter([("/data/", "/h/vol")]);

        Assert.Equal("/h/vol/x", slash.Rewrite("/data/x"));
    }

    [Fact]
    public void Without_mounts_every_string_comes_back_as_it_is()
    {
        const string Value = "/data/x";

        Assert.Same(Value, MountPathRewriter.None.Rewrite(Value));
    }
}
