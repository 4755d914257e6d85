using Cronos;

namespace Pipelines;

/// <summary>
/// When a DAG runs: a cron expression or an Airflow preset (<c>@hourly</c>, <c>@daily</c>,
/// <c>@weekly</c>, <c>@monthly</c>, <c>@quarterly</c>, <c>@yearly</c>), <c>@once</c>, or none
/// (manual runs only), evaluated in a time zone. A run for logical date D covers the data interval
/// from D to the next scheduled time after D.
/// </summary>
public sealed class Schedule
{
    private readonly CronExpression? _cron;

    private Schedule(string? expression, CronExpression? cron, TimeZoneInfo timeZone)
    {
        Expression = expression;
        _cron = cron;
        TimeZone = timeZone;
    }

    /// <summary>Manual runs only, in UTC.</summary>
    public static Schedule Manual { get; } = new(null, null, TimeZoneInfo.Utc);

    /// <summary>The expression as written, or null for manual runs.</summary>
    public string? Expression { get; }

    /// <summary>The time zone the expression and logical dates are read in.</summary>
    public TimeZoneInfo TimeZone { get; }

    /// <summary>True for manual and <c>@once</c> schedules, which have no next time.</summary>
    public bool IsRecurring => _cron is not null;

    /// <summary>Parses a schedule; the error says what would be valid.</summary>
    public static bool TryParse(string? expression, string? timeZone, out Schedule schedule, out string? error)
    {
        schedule = Manual;
        error = null;
        var zone = TimeZoneInfo.Utc;
        if (timeZone is not null && !TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out zone!))
        {
            error = $"'{timeZone}' is not a known time zone; use an IANA id such as 'UTC' or 'Europe/Amsterdam'";
            zone = TimeZoneInfo.Utc;
            return false;
        }

        if (expression is null || expression == "@once")
        {
            schedule = new Schedule(expression, null, zone);
            return true;
        }

        var cronText = expression == "@quarterly" ? "0 0 1 */3 *" : expression;
        try
        {
            // Six fields: seconds first (Cronos' IncludeSeconds), for schedules finer than a minute.
            var format = cronText.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard;
            schedule = new Schedule(expression, CronExpression.Parse(cronText, format), zone);
            return true;
        }
        catch (CronFormatException ex)
        {
            error = $"'{expression}' is not a cron expression ({ex.Message.TrimEnd('.')}); write five fields " +
                "('minute hour day-of-month month day-of-week', such as '0 6 * * 1-5'), six with seconds first, or a preset: " +
                "@hourly, @daily, @weekly, @monthly, @quarterly, @yearly, @once";
            return false;
        }
    }

    /// <summary>
    /// The data interval of a run whose logical date is <paramref name="logicalDate"/>, as Airflow's timetables infer it.
    /// A schedule tick starts the interval that ends at the next tick (what <c>backfill</c> and the scheduler run for it);
    /// a time between ticks — a manual run — covers the last interval that closed by then (Airflow's
    /// <c>infer_manual_data_interval</c>). Without a recurring schedule (none, <c>@once</c>) the interval is the instant.
    /// </summary>
    public DataInterval IntervalFor(DateTimeOffset logicalDate)
    {
        if (_cron is null)
        {
            return new(logicalDate, logicalDate);
        }

        if (IsTick(logicalDate))
        {
            return new(logicalDate, Next(logicalDate) ?? logicalDate);
        }

        var end = Previous(logicalDate);
        var start = end is { } e ? Previous(e) : null;
        return end is null || start is null ? new(logicalDate, logicalDate) : new(start.Value, end.Value);
    }

    /// <summary>The end of the data interval of a run whose logical date is <paramref name="logicalDate"/>.</summary>
    public DateTimeOffset DataIntervalEnd(DateTimeOffset logicalDate) => IntervalFor(logicalDate).End;

    /// <summary>True when <paramref name="time"/> is one of the schedule's ticks.</summary>
    /// <remarks>Asked from just before <paramref name="time"/>: a tick the spring change moved (02:30 fired at 03:00) is
    /// not found from the moved time itself.</remarks>
    public bool IsTick(DateTimeOffset time) =>
        _cron?.GetNextOccurrence(time.AddTicks(-1), TimeZone, inclusive: false) is { } next && next == time;

    /// <summary>The first tick after <paramref name="time"/>; null without a recurring schedule (or none ever again).</summary>
    public DateTimeOffset? Next(DateTimeOffset time) =>
        _cron?.GetNextOccurrence(time, TimeZone, inclusive: false) is { } next ? InZone(next) : null;

    /// <summary>The last tick before <paramref name="time"/>; null without a recurring schedule (or none in eight years).</summary>
    public DateTimeOffset? Previous(DateTimeOffset time)
    {
        if (_cron is null)
        {
            return null;
        }

        // Cronos looks forward only: look back over a window that doubles until it holds a tick.
        for (var window = TimeSpan.FromMinutes(1); window <= TimeSpan.FromDays(8 * 366); window *= 2)
        {
            DateTimeOffset? last = null;
            foreach (var tick in _cron.GetOccurrences(time - window, time, TimeZone, fromInclusive: true, toInclusive: false))
            {
                last = tick;
            }

            if (last is { } found)
            {
                return InZone(found);
            }
        }

        return null;
    }

    /// <summary>The scheduled times from <paramref name="from"/> to <paramref name="to"/>, both inclusive.</summary>
    public IEnumerable<DateTimeOffset> Occurrences(DateTimeOffset from, DateTimeOffset to) =>
        _cron?.GetOccurrences(from, to, TimeZone, fromInclusive: true, toInclusive: true).Select(InZone) ?? [];

    /// <summary>
    /// Reads a time written without an offset (<c>2026-11-25T06:00</c>) in the schedule's time zone. A time the clocks
    /// skip (spring forward) does not exist there: null, with <paramref name="error"/>. A time they repeat (fall back)
    /// is the first of the two, as a cron schedule fires it.
    /// </summary>
    public DateTimeOffset? Local(DateTime local, out string? error)
    {
        error = null;
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        if (TimeZone.IsInvalidTime(local))
        {
            error = $"{local:yyyy-MM-dd'T'HH:mm:ss} does not exist in {TimeZone.Id} (the clocks move forward then); write the time with its offset, or another time";
            return null;
        }

        var offset = TimeZone.IsAmbiguousTime(local) ? TimeZone.GetAmbiguousTimeOffsets(local).Max() : TimeZone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset);
    }

    /// <summary>The same instant with the schedule's time zone's offset at it.</summary>
    public DateTimeOffset InZone(DateTimeOffset time) => TimeZoneInfo.ConvertTime(time, TimeZone);

    /// <summary>The expression and zone, as <c>list</c> shows them.</summary>
    public override string ToString() =>
        Expression is null ? "manual" : TimeZone == TimeZoneInfo.Utc ? Expression : $"{Expression} ({TimeZone.Id})";
}

/// <summary>A run's data interval: from <see cref="Start"/> (inclusive) to <see cref="End"/> (exclusive).</summary>
/// <param name="Start">Where it starts (<c>data_interval_start</c>).</param>
/// <param name="End">Where it ends (<c>data_interval_end</c>); the run is due once it has passed.</param>
public readonly record struct DataInterval(DateTimeOffset Start, DateTimeOffset End);
