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
            schedule = new Schedule(expression, CronExpression.Parse(cronText, CronFormat.Standard), zone);
            return true;
        }
        catch (CronFormatException ex)
        {
            error = $"'{expression}' is not a cron expression ({ex.Message.TrimEnd('.')}); write five fields " +
                "('minute hour day-of-month month day-of-week', such as '0 6 * * 1-5') or a preset: " +
                "@hourly, @daily, @weekly, @monthly, @quarterly, @yearly, @once";
            return false;
        }
    }

    /// <summary>The end of the data interval that starts at <paramref name="logicalDate"/>.</summary>
    public DateTimeOffset DataIntervalEnd(DateTimeOffset logicalDate) =>
        _cron?.GetNextOccurrence(logicalDate, TimeZone, inclusive: false) ?? logicalDate;

    /// <summary>The scheduled times from <paramref name="from"/> to <paramref name="to"/>, both inclusive.</summary>
    public IEnumerable<DateTimeOffset> Occurrences(DateTimeOffset from, DateTimeOffset to) =>
        _cron?.GetOccurrences(from, to, TimeZone, fromInclusive: true, toInclusive: true) ?? [];

    /// <summary>The expression and zone, as <c>list</c> shows them.</summary>
    public override string ToString() =>
        Expression is null ? "manual" : TimeZone == TimeZoneInfo.Utc ? Expression : $"{Expression} ({TimeZone.Id})";
}
