using Pipelines.Execution.State;

namespace Pipelines.Execution.Tests.State;

public sealed class FileKindsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("pipelines-kinds-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Dev_null_is_a_character_device()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "the kernel is asked only on Linux");

        Assert.Equal("a character device", FileKinds.DescribeUnlessRegular("/dev/null"));
    }

    [Fact]
    public void A_directory_is_one()
    {
        Assert.Equal("a directory", FileKinds.DescribeUnlessRegular(_root));
    }

    [Fact]
    public void A_regular_file_a_link_to_one_and_a_missing_path_are_nothing_special()
    {
        var file = Path.Combine(_root, "state.db");
        File.WriteAllText(file, "");
        var link = Path.Combine(_root, "link.db");
        File.CreateSymbolicLink(link, file);

        Assert.Null(FileKinds.DescribeUnlessRegular(file));
        Assert.Null(FileKinds.DescribeUnlessRegular(link));
        Assert.Null(FileKinds.DescribeUnlessRegular(Path.Combine(_root, "missing.db")));
    }
}
