using System.Globalization;
using System.Text;

namespace Pipelines.Templating.Evaluation;

/// <summary>
/// Python's <c>strptime</c>/<c>strftime</c> for the directives Airflow users write, in the C locale (English
/// names), so <c>ds_format</c> behaves as in Airflow. Failures throw <see cref="FormatException"/>.
/// </summary>
internal static class Strftime
{
    public const string Supported = "%Y %m %d %H %I %M %S %y %b %B %a %A %j %p %z %%";

    private const string Directives = "YmdHIMSybBaAjpz%";

    private static readonly string[] MonthNames =
        ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

    // Indexed by DayOfWeek (Sunday = 0).
    private static readonly string[] DayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

    /// <summary>A parsed value; <see cref="Offset"/> is null when the input had no <c>%z</c> (Python's naive datetime).</summary>
    public readonly record struct Time(DateTime Value, TimeSpan? Offset);

    public static string Format(Time time, string format)
    {
        Validate(format);
        var t = time.Value;
        var text = new StringBuilder(format.Length + 16);
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] != '%')
            {
                text.Append(format[i]);
                continue;
            }

            i++;
            _ = format[i] switch
            {
                'Y' => text.Append(t.Year.ToString("D4", CultureInfo.InvariantCulture)),
                'm' => Two(text, t.Month),
                'd' => Two(text, t.Day),
                'H' => Two(text, t.Hour),
                'I' => Two(text, t.Hour % 12 == 0 ? 12 : t.Hour % 12),
                'M' => Two(text, t.Minute),
                'S' => Two(text, t.Second),
                'y' => Two(text, t.Year % 100),
                'b' => text.Append(MonthNames[t.Month - 1].AsSpan(0, 3)),
                'B' => text.Append(MonthNames[t.Month - 1]),
                'a' => text.Append(DayNames[(int)t.DayOfWeek].AsSpan(0, 3)),
                'A' => text.Append(DayNames[(int)t.DayOfWeek]),
                'j' => text.Append(t.DayOfYear.ToString("D3", CultureInfo.InvariantCulture)),
                'p' => text.Append(t.Hour < 12 ? "AM" : "PM"),
                'z' => AppendOffset(text, time.Offset),
                _ => text.Append('%'),
            };
        }

        return text.ToString();
    }

    public static Time Parse(string value, string format)
    {
        Validate(format);
        var reader = new Reader(value, format);
        int year = 1900, month = 1, day = 1, hour = 0, minute = 0, second = 0, dayOfYear = 0, hour12 = -1;
        bool pm = false, hasMonthOrDay = false;
        TimeSpan? offset = null;
        for (var i = 0; i < format.Length; i++)
        {
            var c = format[i];
            if (c != '%')
            {
                reader.Literal(c);
                continue;
            }

            switch (format[++i])
            {
                case 'Y': year = reader.Digits(4, 4); break;
                case 'm': month = reader.Digits(1, 2); hasMonthOrDay = true; break;
                case 'd': day = reader.Digits(1, 2); hasMonthOrDay = true; break;
                case 'H': hour = reader.Digits(1, 2); break;
                case 'I': hour12 = reader.Digits(1, 2); break;
                case 'M': minute = reader.Digits(1, 2); break;
                case 'S': second = reader.Digits(1, 2); break;
                case 'y': year = reader.Digits(2, 2) is var y && y < 69 ? 2000 + y : 1900 + y; break; // Python's pivot
                case 'j': dayOfYear = reader.Digits(1, 3); break;
                case 'b' or 'B': month = reader.Name(MonthNames) + 1; hasMonthOrDay = true; break;
                case 'a' or 'A': reader.Name(DayNames); break; // read and ignored, as Python does
                case 'p': pm = reader.Name(["AM", "PM"], abbreviate: false) == 1; break;
                case 'z': offset = reader.Offset(); break;
                default: reader.Literal('%'); break;
            }
        }

        reader.End();
        if (hour12 >= 0)
        {
            hour = hour12 % 12 + (pm ? 12 : 0);
        }

        try
        {
            if (hour > 23 || minute > 59 || second > 59 || dayOfYear > (DateTime.IsLeapYear(year) ? 366 : 365))
            {
                throw new ArgumentOutOfRangeException(nameof(value));
            }

            // %j alone gives the date; with %m or %d present Python uses those instead.
            var date = dayOfYear > 0 && !hasMonthOrDay ? new DateTime(year, 1, 1).AddDays(dayOfYear - 1) : new DateTime(year, month, day);
            return new Time(date + new TimeSpan(hour, minute, second), offset);
        }
        catch (ArgumentOutOfRangeException)
        {
            throw new FormatException($"'{value}' matches format '{format}' but is not a valid date and time");
        }
    }

    private static void Validate(string format)
    {
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] != '%')
            {
                continue;
            }

            if (++i >= format.Length)
            {
                throw new FormatException($"format '{format}' ends with a lone '%'; write '%%' for a literal '%'");
            }

            if (!Directives.Contains(format[i], StringComparison.Ordinal))
            {
                throw new FormatException($"unsupported directive %{format[i]} in format '{format}'; supported: {Supported}");
            }
        }
    }

    private static StringBuilder Two(StringBuilder text, int value) => text.Append(value.ToString("D2", CultureInfo.InvariantCulture));

    private static StringBuilder AppendOffset(StringBuilder text, TimeSpan? offset)
    {
        if (offset is not { } o)
        {
            return text; // naive value: Python writes nothing
        }

        text.Append(o < TimeSpan.Zero ? '-' : '+');
        var abs = o.Duration();
        return Two(Two(text, abs.Hours), abs.Minutes);
    }

    /// <summary>Reads the value left to right against the format; any mismatch is a <see cref="FormatException"/>.</summary>
    private struct Reader(string value, string format)
    {
        private int _position;

        public void Literal(char expected)
        {
            if (char.IsWhiteSpace(expected))
            {
                // As in Python, whitespace in the format matches one or more whitespace characters.
                Require(_position < value.Length && char.IsWhiteSpace(value[_position]));
                while (_position < value.Length && char.IsWhiteSpace(value[_position]))
                {
                    _position++;
                }

                return;
            }

            Require(_position < value.Length && char.ToUpperInvariant(value[_position]) == char.ToUpperInvariant(expected));
            _position++;
        }

        public int Digits(int min, int max)
        {
            var start = _position;
            var result = 0;
            while (_position < value.Length && _position - start < max && char.IsAsciiDigit(value[_position]))
            {
                result = result * 10 + (value[_position] - '0');
                _position++;
            }

            Require(_position - start >= min);
            return result;
        }

        // Full names first so "March" is not read as "Mar" + "ch".
        public int Name(string[] names, bool abbreviate = true)
        {
            for (var pass = 0; pass < (abbreviate ? 2 : 1); pass++)
            {
                for (var n = 0; n < names.Length; n++)
                {
                    var name = pass == 0 ? names[n] : names[n][..3];
                    if (_position + name.Length <= value.Length &&
                        string.Compare(value, _position, name, 0, name.Length, StringComparison.OrdinalIgnoreCase) == 0)
                    {
                        _position += name.Length;
                        return n;
                    }
                }
            }

            Require(false);
            return -1;
        }

        public TimeSpan Offset()
        {
            if (_position < value.Length && value[_position] is 'Z' or 'z')
            {
                _position++;
                return TimeSpan.Zero;
            }

            Require(_position < value.Length && value[_position] is '+' or '-');
            var negative = value[_position++] == '-';
            var hours = Digits(2, 2);
            if (_position < value.Length && value[_position] == ':')
            {
                _position++;
            }

            var minutes = Digits(2, 2);
            var offset = new TimeSpan(hours, minutes, 0);
            return negative ? -offset : offset;
        }

        public readonly void End()
        {
            if (_position != value.Length)
            {
                throw new FormatException($"'{value}' does not match format '{format}': unconverted text '{value[_position..]}' remains");
            }
        }

        private readonly void Require(bool condition)
        {
            if (!condition)
            {
                throw new FormatException($"'{value}' does not match format '{format}'");
            }
        }
    }
}
