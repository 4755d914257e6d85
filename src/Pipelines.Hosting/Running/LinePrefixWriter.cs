using System.Text;

namespace Pipelines.Hosting.Running;

/// <summary>
/// Writes whole lines to a shared writer, each marked with a prefix (a backfill's run), one line at a time under the
/// shared writer's lock, so that lines of runs going on at once never mix within a line.
/// </summary>
internal sealed class LinePrefixWriter(TextWriter inner, string prefix) : TextWriter
{
    private readonly StringBuilder _line = new();

    public override Encoding Encoding => inner.Encoding;

    public override void Write(char value)
    {
        if (value == '\n')
        {
            Flush();
            return;
        }

        if (value != '\r')
        {
            _line.Append(value);
        }
    }

    public override void Write(string? value)
    {
        foreach (var c in value ?? string.Empty)
        {
            Write(c);
        }
    }

    public override void WriteLine(string? value)
    {
        Write(value);
        Flush();
    }

    public override void Flush()
    {
        if (_line.Length == 0)
        {
            return;
        }

        lock (inner)
        {
            inner.WriteLine(prefix + _line);
        }

        _line.Clear();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Flush();
        }

        base.Dispose(disposing);
    }
}
