using System.Globalization;
using Scriban.Runtime;

namespace Pipelines.Templating.Evaluation;

/// <summary>Airflow's date macros. Stateless, so one instance serves every scope.</summary>
internal static class Macros
{
    public static IScriptCustomFunction DsAdd { get; } = DelegateCustomFunction.CreateFunc<object?, object?, string>(AddDays);

    public static IScriptCustomFunction DsFormat { get; } = DelegateCustomFunction.CreateFunc<object?, object?, object?, string>(Format);

    /// <summary><c>ds_add("2026-11-25", -1)</c> gives <c>2026-11-24</c>.</summary>
    public static string AddDays(object? ds, object? days)
    {
        if (ds is not string text || !DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            throw new TemplateFailure($"ds_add: the first argument must be a date written yyyy-MM-dd, got {Describe(ds)}");
        }

        var count = days switch
        {
            int i => i,
            long l => l,
            double d when double.IsInteger(d) => (long)d,
            _ => throw new TemplateFailure($"ds_add: the number of days must be a whole number, got {Describe(days)}"),
        };

        try
        {
            return date.AddDays(checked((int)count)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or OverflowException)
        {
            throw new TemplateFailure($"ds_add: {text} plus {count} days is outside the supported dates");
        }
    }

    /// <summary>
    /// <c>ds_format("2026-11-25", "%Y-%m-%d", "%d/%m/%Y")</c> gives <c>25/11/2026</c>: Python's
    /// <c>strptime</c> then <c>strftime</c>, as Airflow does.
    /// </summary>
    public static string Format(object? value, object? inputFormat, object? outputFormat)
    {
        if (value is not string text || inputFormat is not string input || outputFormat is not string output)
        {
            throw new TemplateFailure(
                $"ds_format: all three arguments must be strings (value, input format, output format), got {Describe(value)}, {Describe(inputFormat)}, {Describe(outputFormat)}");
        }

        try
        {
            return Strftime.Format(Strftime.Parse(text, input), output);
        }
        catch (FormatException e)
        {
            throw new TemplateFailure("ds_format: " + e.Message);
        }
    }

    private static string Describe(object? value) => value switch
    {
        null => "null",
        string s => $"'{s}'",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.GetType().Name,
    };
}
