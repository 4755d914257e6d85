using System.Globalization;
using System.Text;
using Microsoft.Win32.SafeHandles;
using Pipelines.Execution.Runtimes;
using Pipelines.Execution.State;
using Pipelines.Secrets;

namespace Pipelines.Execution;

/// <summary>Where an adopted attempt's log continues: after the runtime's cursor, dropping the lines the log file already has.</summary>
/// <param name="After">The cursor of the last line kept with one; null to start from the runtime's first line.</param>
/// <param name="Skip">How many lines the runtime will deliver again that the log file already holds.</param>
/// <param name="Lines">How many lines the log file holds.</param>
internal readonly record struct LogResume(LogCursor? After, long Skip, long Lines)
{
    public static LogResume Start { get; } = new(null, 0, 0);
}

/// <summary>
/// Where a runtime reports one attempt: its start is committed at once; each line is masked, appended to the attempt's
/// log file and shown. The last cursor a line carried is kept beside the log file (<c>&lt;try&gt;.cursor</c>: how many
/// lines the file held then, and the cursor), so a host that adopts the attempt after a crash asks the runtime for what
/// follows and drops the lines the file already has — no line lost, none twice. The log file is made at the first line:
/// an attempt that writes none costs no file (on a slow disk, making a folder and a file costs more than a process).
/// </summary>
internal sealed class AttemptLogSink : IAttemptSink, IDisposable
{
    private readonly StoreWriter _writer;
    private readonly (string DagId, string RunId) _run;
    private readonly AttemptRecord _record;
    private readonly SecretMasker? _masker;
    private readonly IRunObserver _observer;
    private readonly object _gate = new();
    private byte[]? _cursorBuffer; // made at the first cursor: most attempts write no line
    private StreamWriter? _log;
    private SafeFileHandle? _cursor;
    private bool _opened;
    private readonly Queue<string>? _tail;
    private readonly int _tailLines;
    private long _skip;
    private long _lines;

    public AttemptLogSink(StoreWriter writer, (string DagId, string RunId) run, AttemptRecord record, SecretMasker? masker, IRunObserver observer, LogResume resume, int tailLines = 0)
    {
        _tail = tailLines > 0 ? new Queue<string>(tailLines) : null;
        _tailLines = tailLines;
        _writer = writer;
        _run = run;
        _record = record;
        _masker = masker;
        _observer = observer;
        _skip = resume.Skip;
        _lines = resume.Lines;
    }

    /// <summary>The last lines written (masked), when the sink keeps them: callbacks read them.</summary>
    public IReadOnlyList<string>? Tail
    {
        get
        {
            lock (_gate)
            {
                return _tail?.ToArray();
            }
        }
    }

    /// <summary>The runtime's handle, once it reported the start.</summary>
    public string? Handle { get; private set; }

    /// <summary>What the attempt used, when the runtime measured it.</summary>
    public ResourceUsage? Usage { get; private set; }

    /// <inheritdoc />
    public void Measured(ResourceUsage usage) => Usage = usage;

    /// <summary>The cursor file of the log file at <paramref name="logPath"/>.</summary>
    public static string CursorFile(string logPath) => Path.ChangeExtension(logPath, ".cursor");

    /// <summary>
    /// Where to continue the log of an attempt an earlier host followed into <paramref name="logPath"/>: after the cursor it
    /// kept, dropping the lines written after that cursor (the runtime delivers them again). A last line without its end
    /// (the host died while writing it) is cut off: it comes again whole.
    /// </summary>
    public static LogResume Resume(string? logPath)
    {
        if (logPath is null || !File.Exists(logPath))
        {
            return LogResume.Start;
        }

        var (lines, complete) = CountLines(logPath);
        if (complete < new FileInfo(logPath).Length)
        {
            using var file = new FileStream(logPath, FileMode.Open, FileAccess.Write);
            file.SetLength(complete);
        }

        var (kept, cursor) = ReadCursor(CursorFile(logPath));
        return new LogResume(cursor, Math.Max(0, lines - kept), lines);
    }

    public ValueTask StartedAsync(string handle)
    {
        Handle = handle;
        var batch = new StoreBatch();
        batch.Attempts.Add((_run.DagId, _run.RunId, _record with { State = AttemptState.Running, Handle = handle }));
        // Unrecorded, the attempt must not run: the runtime stops it when this throws. A new exception
        // each time: the run's failure itself is thrown once, by the executor.
        return _writer.TryCommit(batch)
            ? ValueTask.CompletedTask
            : throw new OperationCanceledException("the attempt's start could not be recorded", _writer.Failure);
    }

    public void Log(in LogLine line)
    {
        RunStateWriteException? failure = null;
        string? masked = null;
        lock (_gate)
        {
            if (_skip > 0)
            {
                // Already in the log file: written by the host that died, delivered again after its last kept cursor.
                _skip--;
                return;
            }

            masked = _masker is null ? line.Text : _masker.Mask(line.Text);
            if (_tail is not null)
            {
                if (_tail.Count == _tailLines)
                {
                    _tail.Dequeue();
                }

                _tail.Enqueue(masked);
            }

            try
            {
                if (OpenLog() is { } log)
                {
                    log.WriteLine(masked.Contains('\n', StringComparison.Ordinal) ? masked.Replace('\n', ' ') : masked);
                    _lines++;
                    if (line.Cursor is { } cursor)
                    {
                        KeepCursor(cursor);
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                failure = new RunStateWriteException(_record.LogPath!, "the log file", e);
                CloseLog();
            }
        }

        // Outside the lock: stopping runs the cancellation callbacks. The line still reaches the console.
        if (failure is not null)
        {
            _writer.Stop(failure);
        }

        _observer.Log(_record.TaskId, _record.TryNumber, masked);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            CloseLog();
        }
    }

    private StreamWriter? OpenLog()
    {
        if (!_opened && _record.LogPath is { } path)
        {
            _opened = true;
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            _log = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read)) { AutoFlush = true };
        }

        return _log;
    }

    // One write at offset 0 of a file kept open: "<lines> <cursor>\n", the lines padded so that a shorter cursor's
    // record is never mixed with a longer one's (what follows the first line break is ignored).
    private void KeepCursor(LogCursor cursor)
    {
        _cursor ??= File.OpenHandle(CursorFile(_record.LogPath!), FileMode.OpenOrCreate, FileAccess.Write);
        var text = $"{_lines.ToString("D19", CultureInfo.InvariantCulture)} {cursor.Value}\n";
        var size = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (_cursorBuffer is null || _cursorBuffer.Length < size)
        {
            _cursorBuffer = new byte[Math.Max(size, 512)];
        }

        var length = Encoding.UTF8.GetBytes(text, _cursorBuffer);
        RandomAccess.Write(_cursor, _cursorBuffer.AsSpan(0, length), 0);
    }

    private static (long Kept, LogCursor? Cursor) ReadCursor(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (0, null);
        }

        var end = text.IndexOf('\n', StringComparison.Ordinal);
        var space = text.IndexOf(' ', StringComparison.Ordinal);
        return end > space && space > 0 && long.TryParse(text.AsSpan(0, space), NumberStyles.None, CultureInfo.InvariantCulture, out var kept)
            ? (kept, new LogCursor(text[(space + 1)..end]))
            : (0, null);
    }

    // The number of whole lines of the file, and the length they make up.
    private static (long Lines, long Length) CountLines(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
        var buffer = new byte[1 << 16];
        long lines = 0, complete = 0, position = 0;
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            var span = buffer.AsSpan(0, read);
            var at = 0;
            int next;
            while ((next = span[at..].IndexOf((byte)'\n')) >= 0)
            {
                at += next + 1;
                lines++;
                complete = position + at;
            }

            position += read;
        }

        return (lines, complete);
    }

    // A failed write leaves its bytes in the buffers, and disposing tries them again.
    private void CloseLog()
    {
        try
        {
            _log?.Dispose();
        }
        catch (IOException)
        {
            // Already reported by the write that failed first.
        }

        _log = null;
        _cursor?.Dispose();
        _cursor = null;
    }
}
