using System.Globalization;
using System.Text.RegularExpressions;

namespace Pipelines.Kubernetes.FakeApi;

/// <summary>The time formats of the Kubernetes API.</summary>
internal static partial class KubeTime
{
    /// <summary>
    /// A <c>metav1.Time</c> value: the API server keeps whole seconds only (RFC 3339 without a fraction), so the fake
    /// does too — a client that compares such a time with a log line's nanosecond timestamp meets the same rounding.
    /// </summary>
    public static DateTime Seconds(DateTimeOffset time)
    {
        var utc = time.UtcDateTime;
        return new DateTime(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
    }

    /// <summary>A log line's timestamp as the kubelet writes it: RFC 3339 with exactly nine fractional digits.</summary>
    public static string LogTimestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffff", CultureInfo.InvariantCulture) + "00Z";

    /// <summary>Reads an RFC 3339 time with up to nine fractional digits (what Go's <c>time.RFC3339</c> parse accepts).</summary>
    public static bool TryParse(string? text, out DateTimeOffset time)
    {
        time = default;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        // .NET keeps seven fractional digits: pad or cut the fraction to seven.
        var normalized = Fraction().Replace(text, m => "." + (m.Groups[1].Value + "0000000")[..7]);
        if (!normalized.Contains('.', StringComparison.Ordinal))
        {
            normalized = Offset().Replace(normalized, ".0000000$1", 1);
        }

        return DateTimeOffset.TryParseExact(
            normalized,
            ["yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK", "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffff'Z'"],
            CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal,
            out time);
    }

    [GeneratedRegex(@"\.(\d+)")]
    private static partial Regex Fraction();

    [GeneratedRegex(@"(Z|[+-]\d\d:\d\d)$")]
    private static partial Regex Offset();
}
