using System.Globalization;
using Docker.DotNet;
using Docker.DotNet.Models;
using Pipelines.Execution.Runtimes;
using Pipelines.Secrets;

namespace Pipelines.Docker.Runtime;

/// <summary>
/// Reads a container's log from the engine (its multiplexed stdout and stderr, no tty) and hands it to the sink line by
/// line as it comes: each stream is cut into lines of its own (a line written in parts is joined, a long one comes in
/// pieces; see <see cref="LogLineSplitter"/>). The cursor is how many whole lines each stream has had
/// (<c>&lt;stdout&gt;,&lt;stderr&gt;</c>): resuming re-reads the log from its start and skips them, so an adopted
/// attempt's log continues without a gap or a repeat whatever the engine's clock did. Lines are stamped when read.
/// </summary>
internal sealed class ContainerLog
{
    private readonly IAttemptSink _sink;
    private readonly TimeProvider _time;
    private readonly LogLineSplitter _stdout;
    private readonly LogLineSplitter _stderr;
    private readonly List<LogLine> _chunk = [];
    private readonly long _skipStdout;
    private readonly long _skipStderr;
    private readonly IReadOnlyList<string> _mountPaths;
    private long _stdoutLines;
    private long _stderrLines;

    public ContainerLog(IAttemptSink sink, SecretMasker masker, TimeProvider time, LogCursor? resumeAfter, IReadOnlyList<string>? mountPaths = null)
    {
        _sink = sink;
        _mountPaths = mountPaths ?? [];
        _time = time;
        _stdout = new LogLineSplitter(masker);
        _stderr = new LogLineSplitter(masker);
        (_skipStdout, _skipStderr) = Parse(resumeAfter);
    }

    /// <summary>
    /// A mount whose path a line said "Permission denied" about (the first one): a volume the task's user may not write.
    /// Only the path is kept, never the line, which may hold what the masker hides.
    /// </summary>
    public string? DeniedMount { get; private set; }

    /// <summary>The cursor after <paramref name="stdout"/> and <paramref name="stderr"/> whole lines.</summary>
    public static LogCursor Cursor(long stdout, long stderr) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{stdout},{stderr}"));

    /// <summary>The line counts of a cursor <see cref="Cursor"/> made; none for null or another runtime's.</summary>
    public static (long Stdout, long Stderr) Parse(LogCursor? cursor)
    {
        if (cursor?.Value.Split(',') is [var o, var e]
            && long.TryParse(o, NumberStyles.None, CultureInfo.InvariantCulture, out var stdout)
            && long.TryParse(e, NumberStyles.None, CultureInfo.InvariantCulture, out var stderr))
        {
            return (stdout, stderr);
        }

        return (0, 0);
    }

    /// <summary>Reads the log to its end — with <paramref name="follow"/>, until the container stops — handing on every line.</summary>
    public async Task ReadAsync(IDockerClient client, string containerId, bool follow, CancellationToken cancellationToken)
    {
        MultiplexedStream stream;
        try
        {
            stream = await client.Containers.GetContainerLogsAsync(
                containerId,
                new ContainerLogsParameters { ShowStdout = true, ShowStderr = true, Follow = follow, Timestamps = false },
                cancellationToken).ConfigureAwait(false);
        }
        catch (DockerApiException ex) when ((int)ex.StatusCode == 501)
        {
            _sink.Log(new LogLine(LogStream.Stderr, _time.GetUtcNow(), $"[pipelines] the container's log cannot be read: {ImagePuller.Message(ex)}"));
            return;
        }

        using (stream)
        {
            var buffer = new byte[64 * 1024];
            while (true)
            {
                var read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, cancellationToken).ConfigureAwait(false);
                if (read.EOF)
                {
                    break;
                }

                var isError = read.Target == MultiplexedStream.TargetStream.StandardError;
                var splitter = isError ? _stderr : _stdout;
                splitter.Write(buffer.AsSpan(0, read.Count));
                Take(splitter, isError);
                Emit();
            }
        }

        _stdout.Finish();
        Take(_stdout, isError: false);
        _stderr.Finish();
        Take(_stderr, isError: true);
        Emit();
    }

    // Moves a splitter's lines into the chunk, skipping those an earlier host already had; whole lines carry the cursor.
    private void Take(LogLineSplitter splitter, bool isError)
    {
        var now = _time.GetUtcNow();
        foreach (var (text, end) in splitter.Lines)
        {
            ref var count = ref isError ? ref _stderrLines : ref _stdoutLines;
            var skip = isError ? _skipStderr : _skipStdout;
            var delivered = count + 1 > skip; // a piece belongs to the line being read, whole or not
            if (end >= 0)
            {
                count++;
            }

            if (DeniedMount is null && _mountPaths.Count > 0 && text.Contains("Permission denied", StringComparison.Ordinal))
            {
                DeniedMount = _mountPaths.FirstOrDefault(m => text.Contains(m.TrimEnd('/') + "/", StringComparison.Ordinal) || text.Contains(m, StringComparison.Ordinal));
            }

            if (delivered)
            {
                _chunk.Add(new LogLine(isError ? LogStream.Stderr : LogStream.Stdout, now, text, end >= 0 ? Cursor(_stdoutLines, _stderrLines) : null));
            }
        }

        splitter.Lines.Clear();
    }

    // Hands on the chunk: only its last whole line keeps its cursor (one cursor write per read, not per line).
    private void Emit()
    {
        var last = _chunk.FindLastIndex(l => l.Cursor is not null);
        for (var i = 0; i < _chunk.Count; i++)
        {
            var line = _chunk[i];
            _sink.Log(i == last ? line : line with { Cursor = null });
        }

        _chunk.Clear();
    }
}
