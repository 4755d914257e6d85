using Pipelines.Execution.Runtimes;
using Pipelines.Kubernetes.Runtime;

namespace Pipelines.Kubernetes.Tests.Runtime;

/// <summary>The kubelet's log timestamps, read to the nanosecond, and the cursor made of them.</summary>
public sealed class PodLogStampTests
{
    [Fact]
    public void Timestamps_compare_by_time_not_by_text()
    {
        // RFC 3339 with trailing zeros trimmed: as text ".5Z" sorts after ".45Z" but ".50001Z" sorts before ".5Z".
        Assert.True(PodLog.Stamp.TryParse("2026-11-30T06:01:02.5Z", out var half));
        Assert.True(PodLog.Stamp.TryParse("2026-11-30T06:01:02.50001Z", out var later));
        Assert.True(PodLog.Stamp.TryParse("2026-11-30T06:01:02.123456789Z", out var nanos));

        Assert.True(later.CompareTo(half) > 0);
        Assert.Equal(123456789, nanos.Nanos);
        Assert.True(nanos.CompareTo(half) < 0);
    }

    [Fact]
    public void SinceTime_is_the_whole_second()
    {
        Assert.True(PodLog.Stamp.TryParse("2026-11-30T06:01:02.987654321Z", out var stamp));

        Assert.Equal("2026-11-30T06:01:02Z", stamp.WholeSeconds);
    }

    [Theory]
    [InlineData("hello")]
    [InlineData("2026-11-30 06:01:02Z")]
    [InlineData("2026-11-30T06:01:02.1234567890Z")]
    [InlineData("2026-11-30T06:01:02+01:00")]
    public void What_is_not_a_kubelet_timestamp_is_refused(string text) =>
        Assert.False(PodLog.Stamp.TryParse(text, out _));

    [Fact]
    public void A_cursor_is_a_timestamp_and_a_count_at_it()
    {
        var parsed = PodLog.ParseCursor(new LogCursor("2026-11-30T06:01:02.5Z 3"));

        Assert.NotNull(parsed);
        Assert.Equal(3, parsed.Value.Count);
        Assert.Null(PodLog.ParseCursor(new LogCursor("12,4"))); // another runtime's
    }
}
