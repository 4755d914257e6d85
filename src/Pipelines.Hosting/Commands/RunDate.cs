using System.Globalization;

namespace Pipelines.Hosting.Commands;

/// <summary>
/// A logical date as typed after <c>--date</c>: a day (<c>2026-11-25</c>: midnight in the DAG's time zone), a time without
/// an offset (<c>2026-11-25T06:00</c>: read in the DAG's time zone), or an instant with one (<c>2026-11-25T06:00:00+01:00</c>,
/// <c>…Z</c>). Which instant it is depends on the DAG, so it is resolved against the DAG's schedule.
/// </summary>
internal readonly record struct RunDate(string Text, DateTime? Local, DateTimeOffset? Exact)
{
    private static readonly string[] LocalFormats = ["yyyy-MM-dd", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss"];
    private static readonly string[] ExactFormats = ["yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"];

    /// <summary>What <c>--date</c> accepts, for messages.</summary>
    public const string Expected = "write YYYY-MM-DD (2026-11-25), a time in the DAG's time zone (2026-11-25T06:00), or one with its offset (2026-11-25T06:00:00+01:00, or Z for UTC)";

    /// <summary>Reads <paramref name="text"/>; null when it is none of the accepted forms.</summary>
    public static RunDate? Parse(string text)
    {
        if (DateTime.TryParseExact(text, LocalFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            return new RunDate(text, local, null);
        }

        if (text.Length > 10 && (text.EndsWith('Z') || text[^6] is '+' or '-')
            && DateTimeOffset.TryParseExact(text, ExactFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var exact))
        {
            return new RunDate(text, null, exact);
        }

        return null;
    }

    /// <summary>A day, as code that has one passes it.</summary>
    public static RunDate Of(DateOnly day) =>
        new(day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), day.ToDateTime(TimeOnly.MinValue), null);

    /// <summary>The instant in <paramref name="dag"/>'s time zone, or why there is none (a local time the clocks skip there).</summary>
    public DateTimeOffset? Resolve(Dag dag, out string? error)
    {
        ArgumentNullException.ThrowIfNull(dag);
        error = null;
        if (Exact is { } exact)
        {
            return dag.Schedule.InZone(exact);
        }

        var resolved = dag.Schedule.Local(Local ?? default, out var problem);
        error = problem is null ? null : $"--date '{Text}' for DAG '{dag.Id}': {problem}";
        return resolved;
    }

    /// <summary>An instant, as a backfill or the scheduler passes one.</summary>
    public static RunDate At(DateTimeOffset time) => new(Iso(time), null, time);

    /// <summary>An instant as every verb writes one: <c>2026-11-25T06:00:00+01:00</c>.</summary>
    public static string Iso(DateTimeOffset time) => time.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    /// <summary>As typed.</summary>
    public override string ToString() => Text;
}
