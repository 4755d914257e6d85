using System.Runtime.Versioning;
using System.Text;
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
    public const int MaxLineLength = 16 * 1024;

    private const int ChunkSize = 64 * 1024;

    // Forwarded log is freed in steps of this size (whole pages): holes are punched a megabyte at a time.
    private const long FreeStep = 1 << 20;

    private readonly SafeFileHandle? _file;
    private readonly IAttemptSink _sink;
    private readonly SecretMasker _masker;
    private readonly TimeProvider _time;
    private readonly List<(string Text, long End)> _batch = [];
    private readonly byte[] _chunk = new byte[ChunkSize];
    private byte[] _pending = new byte[ChunkSize];
    private int _pendingLength;
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
        if (_pendingLength > 0)
        {
            Forward(Encoding.UTF8.GetString(_pending, 0, _pendingLength), _readOffset);
            _pendingLength = 0;
            LineOffset = _readOffset;
            EmitBatch();
        }
    }

    // Hands the chunk's lines to the sink; the last whole line carries the cursor after it.
    private void EmitBatch()
    {
        var last = _batch.FindLastIndex(l => l.End >= 0);
        var now = _time.GetUtcNow();
        for (var i = 0; i < _batch.Count; i++)
        {
            var (text, end) = _batch[i];
            _sink.Log(new LogLine(LogStream.Combined, now, text, i == last ? Cursor(end) : null));
        }

        if (last >= 0)
        {
            _kept = _batch[last].End;
        }

        _batch.Clear();
    }

    /// <inheritdoc />
    public void Dispose() => _file?.Dispose();

    private void Consume(ReadOnlySpan<byte> data, long start)
    {
        var consumed = 0;
        while (consumed < data.Length)
        {
            var rest = data[consumed..];
            var newline = rest.IndexOf((byte)'\n');
            if (newline < 0)
            {
                Append(rest);
                FlushIfLong();
                return;
            }

            consumed += newline + 1;
            if (_skipPartial)
            {
                // What is left of a line whose start was freed: not a line of its own.
                _skipPartial = false;
                _pendingLength = 0;
            }
            else if (_pendingLength == 0)
            {
                ForwardLine(rest[..newline], start + consumed);
            }
            else
            {
                Append(rest[..newline]);
                ForwardLine(_pending.AsSpan(0, _pendingLength), start + consumed);
                _pendingLength = 0;
            }

            LineOffset = start + consumed;
        }
    }

    private void ForwardLine(ReadOnlySpan<byte> line, long end)
    {
        if (!line.IsEmpty && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }

        Forward(Encoding.UTF8.GetString(line), end);
    }

    // Forwards a whole line ending at byte `end`, in pieces when it is long.
    private void Forward(string line, long end)
    {
        var offset = 0;
        while (line.Length - offset > MaxLineLength)
        {
            offset += EmitPiece(line, offset);
        }

        _batch.Add((offset == 0 ? line : line[offset..], end));
    }

    // A line still without its end: once it is long, forward pieces and keep a tail long enough that
    // a secret crossing the next cut is still seen whole.
    private void FlushIfLong()
    {
        var keep = MaxLineLength + _masker.LongestMatch;
        if (_pendingLength < 4 * (MaxLineLength + keep))
        {
            return;
        }

        if (_skipPartial)
        {
            _pendingLength = 0; // the rest of a line whose start was freed
            return;
        }

        var complete = CompleteLength(_pending.AsSpan(0, _pendingLength));
        var text = Encoding.UTF8.GetString(_pending, 0, complete);
        var offset = 0;
        while (text.Length - offset > keep)
        {
            offset += EmitPiece(text, offset);
        }

        var tail = Encoding.UTF8.GetBytes(text[offset..]);
        var incomplete = _pending.AsSpan(complete, _pendingLength - complete).ToArray();
        _pendingLength = 0;
        Append(tail);
        Append(incomplete);
    }

    // Forwards one piece of at most MaxLineLength characters starting at `offset`; returns its length.
    private int EmitPiece(string text, int offset)
    {
        var window = text.Substring(offset, Math.Min(text.Length - offset, MaxLineLength + _masker.LongestMatch));
        var cut = _masker.SafeCut(window, MaxLineLength);
        _batch.Add((window[..cut], -1)); // a piece: the line does not end here
        return cut;
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        if (_pendingLength + bytes.Length > _pending.Length)
        {
            Array.Resize(ref _pending, Math.Max(_pending.Length * 2, _pendingLength + bytes.Length));
        }

        bytes.CopyTo(_pending.AsSpan(_pendingLength));
        _pendingLength += bytes.Length;
    }

    // The length of `bytes` without a UTF-8 sequence cut short at its end.
    private static int CompleteLength(ReadOnlySpan<byte> bytes)
    {
        for (var back = 1; back <= Math.Min(3, bytes.Length); back++)
        {
            var b = bytes[^back];
            if ((b & 0xC0) == 0x80)
            {
                continue; // a continuation byte: look further back for the lead
            }

            var needed = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
            return needed > back ? bytes.Length - back : bytes.Length;
        }

        return bytes.Length;
    }
}
