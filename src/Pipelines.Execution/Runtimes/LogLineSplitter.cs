using System.Text;
using Pipelines.Secrets;

namespace Pipelines.Execution.Runtimes;

/// <summary>
/// Cuts what an attempt writes into the lines a runtime hands its sink, with bounded memory whatever the task writes: a
/// line longer than <see cref="MaxLineLength"/> characters comes out in pieces of that length (as Docker splits log
/// messages at 16 KiB), cut where no secret spans the cut, so that each piece is masked whole. A trailing <c>\r</c> is
/// dropped; bytes that are not UTF-8 become U+FFFD. Every runtime that reads a byte stream uses it, so a line means the
/// same on all of them.
/// </summary>
public sealed class LogLineSplitter
{
    /// <summary>The longest line handed on in one piece, in characters.</summary>
    public const int MaxLineLength = 16 * 1024;

    private readonly SecretMasker _masker;
    private byte[] _pending = new byte[4096];
    private int _pendingLength;
    private long _position;

    /// <summary>Splits a stream whose first byte is at <paramref name="start"/> (a byte offset the lines' ends count from).</summary>
    /// <param name="masker">The run's secrets: where a long line may be cut.</param>
    /// <param name="start">The offset of the first byte written.</param>
    public LogLineSplitter(SecretMasker masker, long start = 0)
    {
        _masker = masker ?? throw new ArgumentNullException(nameof(masker));
        _position = start;
    }

    /// <summary>
    /// The lines and pieces cut so far, in order, for the caller to hand on and clear: each with the offset just after
    /// its line break, or -1 for a piece of a line that goes on.
    /// </summary>
    public List<(string Text, long End)> Lines { get; } = [];

    /// <summary>True while a line without its end is held.</summary>
    public bool HoldsPartialLine => _pendingLength > 0;

    /// <summary>Cuts <paramref name="data"/>, the next bytes of the stream, into <see cref="Lines"/>.</summary>
    public void Write(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            var newline = data.IndexOf((byte)'\n');
            if (newline < 0)
            {
                Append(data);
                _position += data.Length;
                FlushIfLong();
                return;
            }

            _position += newline + 1;
            if (_pendingLength == 0)
            {
                EndLine(data[..newline]);
            }
            else
            {
                Append(data[..newline]);
                EndLine(_pending.AsSpan(0, _pendingLength));
                _pendingLength = 0;
            }

            data = data[(newline + 1)..];
        }
    }

    /// <summary>The stream ended: a last line without a line break is cut too.</summary>
    public void Finish()
    {
        if (_pendingLength > 0)
        {
            EndLine(_pending.AsSpan(0, _pendingLength));
            _pendingLength = 0;
        }
    }

    /// <summary>Drops a held line without its end (the rest of a line whose start was not read).</summary>
    public void DropPartialLine() => _pendingLength = 0;

    private void EndLine(ReadOnlySpan<byte> line)
    {
        if (!line.IsEmpty && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }

        var text = Encoding.UTF8.GetString(line);
        var offset = 0;
        while (text.Length - offset > MaxLineLength)
        {
            offset += EmitPiece(text, offset);
        }

        Lines.Add((offset == 0 ? text : text[offset..], _position));
    }

    // A line still without its end: once it is long, hand on pieces and keep a tail long enough that a secret crossing
    // the next cut is still seen whole.
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

    // Hands on one piece of at most MaxLineLength characters starting at `offset`; returns its length.
    private int EmitPiece(string text, int offset)
    {
        var window = text.Substring(offset, Math.Min(text.Length - offset, MaxLineLength + _masker.LongestMatch));
        var cut = _masker.SafeCut(window, MaxLineLength);
        Lines.Add((window[..cut], -1));
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
