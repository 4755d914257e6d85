using System.Globalization;
using System.Net;
using Pipelines.Execution.Runtimes;
using Pipelines.Secrets;

namespace Pipelines.Kubernetes.Runtime;

/// <summary>
/// Follows one container's log with timestamps and hands it on line by line. When the stream breaks (a dropped
/// connection, a line cut in half) it is opened again with <c>sinceTime</c> — which the API server takes in whole
/// seconds only — and the lines already delivered are dropped by their timestamp and how many were delivered at it, so
/// the log has no gap and no repeated line. A line cut off at the break is never delivered in part. The cursor of each
/// line is <c>&lt;timestamp&gt; &lt;count at it&gt;</c>: an adopted attempt resumes after it. Lines are cut by the shared
/// <see cref="LogLineSplitter"/>; the pieces of a long line each count as a line at its timestamp, so resuming stays exact.
/// </summary>
internal sealed class PodLog
{
    private readonly KubernetesApi _api;
    private readonly string _path;
    private readonly IAttemptSink _sink;
    private readonly SecretMasker _masker;
    private readonly TimeProvider _time;
    private readonly string? _prefix;
    private Stamp? _last;
    private int _atLast;

    // Per read: the lines up to (_skip, _skipCount) were delivered before and are dropped; _pieceTime is the timestamp
    // of a long line whose pieces are still coming.
    private Stamp? _skip;
    private int _skipCount;
    private int _seenAtSkip;
    private Stamp? _pieceTime;

    public PodLog(KubernetesApi api, string @namespace, string pod, string container, IAttemptSink sink, SecretMasker masker, TimeProvider time, LogCursor? resumeAfter, string? prefix = null)
    {
        _api = api;
        _path = $"api/v1/namespaces/{Uri.EscapeDataString(@namespace)}/pods/{Uri.EscapeDataString(pod)}/log?container={Uri.EscapeDataString(container)}&follow=true&timestamps=true";
        _sink = sink;
        _masker = masker;
        _time = time;
        _prefix = prefix;
        if (ParseCursor(resumeAfter) is var (stamp, count))
        {
            _last = stamp;
            _atLast = count;
        }
    }

    /// <summary>How many times the stream was opened again after it broke.</summary>
    public int Resumes { get; private set; }

    /// <summary>The cursor's parts, or null for none (or another runtime's).</summary>
    public static (Stamp Stamp, int Count)? ParseCursor(LogCursor? cursor)
    {
        if (cursor?.Value.Split(' ') is [var text, var count]
            && Stamp.TryParse(text, out var stamp)
            && int.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            return (stamp, n);
        }

        return null;
    }

    /// <summary>
    /// Reads the log until the container has ended and the stream has delivered it all; <paramref name="ended"/> completes
    /// once the watch says the container terminated (or the pod is gone). A stream that ends while the container still
    /// runs is opened again.
    /// </summary>
    public async Task FollowAsync(Task ended, CancellationToken cancellationToken)
    {
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var (clean, problem) = await ReadOnceAsync(cancellationToken).ConfigureAwait(false);
            if (problem is not null)
            {
                _sink.Log(new LogLine(LogStream.Stderr, _time.GetUtcNow(), $"[pipelines] {_prefix}the log cannot be read: {problem}"));
                return;
            }

            if (clean)
            {
                // The kubelet ends a follow once the container has ended: done, when the watch agrees (its status may lag).
                failures = 0;
                try
                {
                    await ended.WaitAsync(TimeSpan.FromSeconds(5), _time, cancellationToken).ConfigureAwait(false);
                    if (ended.IsCompleted)
                    {
                        return;
                    }
                }
                catch (TimeoutException)
                {
                }
            }
            else if (++failures > 1)
            {
                var delay = TimeSpan.FromMilliseconds(Math.Min(2000, 50 * Math.Pow(2, failures)));
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            }

            Resumes++;
        }
    }

    // One request: (true, null) when the stream ended with a whole line; (false, null) when it broke; a problem when
    // the log cannot be had at all (denied, the pod gone).
    private async Task<(bool Clean, string? Problem)> ReadOnceAsync(CancellationToken cancellationToken)
    {
        var path = _last is { } last ? $"{_path}&sinceTime={Uri.EscapeDataString(last.WholeSeconds)}" : _path;
        HttpResponseMessage response;
        try
        {
            response = await _api.GetAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException)
        {
            return (false, null);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                return response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized or HttpStatusCode.NotFound
                    ? (false, KubernetesApi.Describe(response.StatusCode, body))
                    : (false, null); // 400 while the container is not yet up, 5xx: try again
            }

            _skip = _last;
            _skipCount = _atLast;
            _seenAtSkip = 0;
            _pieceTime = null;
            // The shared cutter: the same lines, pieces of long lines and UTF-8 handling as every runtime.
            var splitter = new LogLineSplitter(_masker);
            var buffer = new byte[8192];
            try
            {
                using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                int read;
                while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    splitter.Write(buffer.AsSpan(0, read));
                    foreach (var (text, end) in splitter.Lines)
                    {
                        Deliver(text, piece: end < 0);
                    }

                    splitter.Lines.Clear();
                }
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException)
            {
                return (false, null); // broken: a partial line is dropped; the next read delivers it whole
            }

            return (!splitter.HoldsPartialLine && _pieceTime is null, null);
        }
    }

    private void Deliver(string text, bool piece)
    {
        Stamp stamp;
        if (_pieceTime is { } continued)
        {
            stamp = continued; // the rest of a long line: no timestamp of its own
        }
        else
        {
            var space = text.IndexOf(' ', StringComparison.Ordinal);
            if (space <= 0 || !Stamp.TryParse(text[..space], out stamp))
            {
                stamp = _last ?? Stamp.From(_time.GetUtcNow());
            }
            else
            {
                text = text[(space + 1)..];
            }
        }

        _pieceTime = piece ? stamp : null;

        // Already delivered before the stream broke (or by the host that ran before): drop.
        if (_skip is { } skip)
        {
            var order = stamp.CompareTo(skip);
            if (order < 0 || (order == 0 && ++_seenAtSkip <= _skipCount))
            {
                return;
            }

            _skip = null;
        }

        _atLast = _last is { } last && last.CompareTo(stamp) == 0 ? _atLast + 1 : 1;
        _last = stamp;
        var cursor = new LogCursor($"{stamp.Text} {_atLast.ToString(CultureInfo.InvariantCulture)}");
        _sink.Log(new LogLine(LogStream.Combined, stamp.Time, _masker.Mask(_prefix + text), cursor));
    }

    /// <summary>A log timestamp to the nanosecond, as the kubelet writes it (RFC 3339, UTC, up to nine fraction digits).</summary>
    public readonly record struct Stamp(long Seconds, int Nanos, string Text) : IComparable<Stamp>
    {
        /// <summary>The time, to the tick.</summary>
        public DateTimeOffset Time => DateTimeOffset.FromUnixTimeSeconds(Seconds).AddTicks(Nanos / 100);

        /// <summary>The whole second, for <c>sinceTime</c>.</summary>
        public string WholeSeconds => DateTimeOffset.FromUnixTimeSeconds(Seconds).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

        public static Stamp From(DateTimeOffset time)
        {
            var seconds = time.ToUnixTimeSeconds();
            var nanos = (int)((time.UtcTicks % TimeSpan.TicksPerSecond) * 100);
            return new(seconds, nanos, time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
        }

        public static bool TryParse(string text, out Stamp stamp)
        {
            stamp = default;
            if (text.Length < 20 || text[^1] != 'Z' || text[10] != 'T'
                || !DateTimeOffset.TryParseExact(text[..19], "yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var whole))
            {
                return false;
            }

            var nanos = 0;
            var fraction = text[19..^1];
            if (fraction.Length > 0)
            {
                if (fraction[0] != '.' || fraction.Length > 10 || !int.TryParse(fraction[1..].PadRight(9, '0'), NumberStyles.None, CultureInfo.InvariantCulture, out nanos))
                {
                    return false;
                }
            }

            stamp = new(whole.ToUnixTimeSeconds(), nanos, text);
            return true;
        }

        public int CompareTo(Stamp other) => Seconds != other.Seconds ? Seconds.CompareTo(other.Seconds) : Nanos.CompareTo(other.Nanos);
    }
}
