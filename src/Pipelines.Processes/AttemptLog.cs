using System.Runtime.Versioning;
using Microsoft.Win32.SafeHandles;
using Pipelines.Execution.Runtimes;
using Pipelines.Secrets;

namespace Pipelines.Processes;

/// <summary>
/// Follows an attempt's log file and forwards it line by line to the sink. Memory stays bounded
/// whatever the task writes: a line longer than <see cref="MaxLineLength"/> characters is forwarded
/// in pieces of that length (as Docker splits log messages at 16 KiB), cut where no secret spans the
/// cut so that each piece is masked whole. A trailing <c>\r</c> is dropped; bytes that are not UTF-8
/// become U+FFFD. Lines are forwarded a chunk at a time; the last whole line of each chunk carries the
/// cursor <see cref="LineOffset"/> (the byte offset where the next line starts), which the sink keeps before it
/// returns — a host that adopts the attempt after a crash continues from there. What is before the last cursor
/// handed out is freed (a hole is punched), so a task that writes gigabytes costs at most what has not been
/// read yet.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class AttemptLog : IDisposable
{
    /// <summary>The longest line forwarded in one piece, in characters.</summary>
    public const int MaxLineLength = LogLineSplitter.MaxLineLength;

    private const int ChunkSize = 64 * 1024;

    // Forwarded log is freed in steps of this size (whole pages): holes are punched a megabyte at a time.
    private const long FreeStep = 1 << 20;

    private readonly SafeFileHandle? _file;
    private readonly IAttemptSink _sink;
    private readonly SecretMasker _masker;
    private readonly TimeProvider _time;
    private readonly byte[] _chunk = new byte[ChunkSize];
    private LogLineSplitter? _lines; // made at the first byte that starts a line
    private long _readOffset;
    private long _freed;
    private long _kept;
    private bool _canFree = true;
    private bool _skipPartial;

    /// <summary>
    /// Follows <paramref name="file"/> (null: a log that could not be opened, nothing is forwarded) from just after
    /// <paramref name="resumeAfter"/>, a cursor this class handed out; from the start of what is left of the file when null.
    /// </summary>
    public AttemptLog(SafeFileHandle? file, LogCursor? resumeAfter, IAttemptSink sink, SecretMasker masker, TimeProvider time)
    {
        _file = file;
        _sink = sink;
        _masker = masker;
        _time = time;
        var offset = Offset(resumeAfter);
        if (resumeAfter is null && file is not null && RegularFile.DataStart(file, 0) is > 0 and var data)
        {
            // Freed up to a cursor the host that died handed out but nobody kept: start at the first whole line left.
            offset = data;
            _skipPartial = true;
        }

        _readOffset = offset;
        _kept = offset;
        LineOffset = offset;
    }

    /// <summary>The cursor of a byte offset in the log.</summary>
    public static LogCursor Cursor(long offset) => new(offset.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The byte offset of a cursor <see cref="Cursor"/> made; 0 when null or not one.</summary>
    public static long Offset(LogCursor? cursor) =>
        cursor is { } c && long.TryParse(c.Value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var offset) ? offset : 0;

    /// <summary>The byte offset after the last complete line forwarded.</summary>
    public long LineOffset { get; private set; }

    /// <summary>Forwards every complete line appended since the last call; true when anything was read.</summary>
    public bool Pump()
    {
        if (_file is null)
        {
            return false;
        }

        var any = false;
        while (true)
        {
            int read;
            try
            {
                read = RandomAccess.Read(_file, _chunk, _readOffset);
            }
            catch (IOException)
            {
                return any;
            }

            if (read <= 0)
            {
                return any;
            }

            any = true;
            var start = _readOffset;
            _readOffset += read;
            Consume(_chunk.AsSpan(0, read), start);
            EmitBatch();
            if (_canFree && _kept - _freed >= FreeStep)
            {
                // The task may write gigabytes of log into a file in memory (tmpfs): what the sink kept is freed.
                var end = _kept / FreeStep * FreeStep;
                _canFree = RegularFile.FreeRange(_file, end);
                _freed = _canFree ? end : _freed;
            }

            if (read < _chunk.Length)
            {
                return any;
            }
        }
    }

    /// <summary>Forwards the rest: every line, and a last one without a newline.</summary>
    public void Finish()
    {
        Pump();
        _lines?.Finish();
        EmitBatch();
    }

    // Hands the chunk's lines to the sink; the last whole line carries the cursor after it.
    private void EmitBatch()
    {
        if (_lines is null || _lines.Lines.Count == 0)
        {
            return;
        }

        var batch = _lines.Lines;
        var last = batch.FindLastIndex(l => l.End >= 0);
        var now = _time.GetUtcNow();
        for (var i = 0; i < batch.Count; i++)
        {
            var (text, end) = batch[i];
            _sink.Log(new LogLine(LogStream.Combined, now, text, i == last ? Cursor(end) : null));
        }

        if (last >= 0)
        {
            _kept = batch[last].End;
            LineOffset = _kept;
        }

        batch.Clear();
    }

    /// <inheritdoc />
    public void Dispose() => _file?.Dispose();

    private void Consume(ReadOnlySpan<byte> data, long start)
    {
        if (_skipPartial)
        {
            // What is left of a line whose start was freed: not a line of its own.
            var newline = data.IndexOf((byte)'\n');
            if (newline < 0)
            {
                return;
            }

            _skipPartial = false;
            data = data[(newline + 1)..];
            start += newline + 1;
            LineOffset = start;
        }

        _lines ??= new LogLineSplitter(_masker, start);
        _lines.Write(data);
    }
}
