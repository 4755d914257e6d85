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
/// become U+FFFD. <see cref="LineOffset"/> is where the next unforwarded line starts, for a host that
/// continues following the log after a crash. What was forwarded is freed (a hole is punched), so a
/// task that writes gigabytes costs at most what has not been read yet.
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
    private readonly byte[] _chunk = new byte[ChunkSize];
    private byte[] _pending = new byte[ChunkSize];
    private int _pendingLength;
    private long _readOffset;
    private long _freed;
    private bool _canFree = true;

    /// <summary>Follows <paramref name="file"/> (null: a log that could not be opened, nothing is forwarded) from <paramref name="offset"/>.</summary>
    public AttemptLog(SafeFileHandle? file, long offset, IAttemptSink sink, SecretMasker masker)
    {
        _file = file;
        _sink = sink;
        _masker = masker;
        _readOffset = offset;
        LineOffset = offset;
    }

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
            if (_canFree && LineOffset - _freed >= FreeStep)
            {
                // The task may write gigabytes of log into a file in memory (tmpfs): what was forwarded is freed.
                var end = LineOffset / FreeStep * FreeStep;
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
            Forward(Encoding.UTF8.GetString(_pending, 0, _pendingLength));
            _pendingLength = 0;
            LineOffset = _readOffset;
        }
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

            if (_pendingLength == 0)
            {
                ForwardLine(rest[..newline]);
            }
            else
            {
                Append(rest[..newline]);
                ForwardLine(_pending.AsSpan(0, _pendingLength));
                _pendingLength = 0;
            }

            consumed += newline + 1;
            LineOffset = start + consumed;
        }
    }

    private void ForwardLine(ReadOnlySpan<byte> line)
    {
        if (!line.IsEmpty && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }

        Forward(Encoding.UTF8.GetString(line));
    }

    // Forwards a whole line, in pieces when it is long.
    private void Forward(string line)
    {
        var offset = 0;
        while (line.Length - offset > MaxLineLength)
        {
            offset += EmitPiece(line, offset);
        }

        _sink.Log(offset == 0 ? line : line[offset..]);
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
        _sink.Log(window[..cut]);
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
