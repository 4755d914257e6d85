using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Pipelines.Hosting.Commands;

/// <summary>Options several verbs share, parsed strictly so that bad input is a usage error (exit 2).</summary>
internal static class CommonOptions
{
    public static Argument<string> DagArgument(string description) => new("dag") { Description = description };

    public static Option<RunDate> Date() =>
        Date("--date", "The logical date: YYYY-MM-DD (midnight in the DAG's time zone), YYYY-MM-DDTHH:MM[:SS] (in the DAG's time zone), or with an offset (…+01:00, …Z).");

    public static Option<RunDate> Date(string name, string description) => new(name)
    {
        Description = description,
        Required = true,
        CustomParser = result => ParseDate(result),
    };

    public static Option<string?> Environment() => new("--env")
    {
        Description = "The environment of pipelines.json (default: PIPELINES_ENVIRONMENT, else local).",
    };

    public static Option<Dictionary<string, string>> Params() => new("--param")
    {
        Description = "Override a DAG parameter: --param name=value (repeatable).",
        AllowMultipleArgumentsPerToken = false,
        Arity = ArgumentArity.ZeroOrMore,
        CustomParser = result => ParseParams(result),
        DefaultValueFactory = _ => [],
    };

    /// <summary>Any whole number from 1 up: it bounds the attempts running at once and is never allocated, so no lower cap is needed.</summary>
    public static Option<int?> MaxActive() => new("--max-active")
    {
        Description = "At most this many tasks at once, 1 or more (default: the DAG's max active tasks).",
        CustomParser = result => ParseMaxActive(result),
    };

    public static Option<string?> State() => new("--state")
    {
        Description = "The run store file (default: .pipelines/state.db beside pipelines.json).",
    };

    private static RunDate ParseDate(ArgumentResult result)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
        if (RunDate.Parse(text) is { } date)
        {
            return date;
        }

        result.AddError($"{(result.Parent as OptionResult)?.Option.Name ?? "--date"} '{text}' is not a date; {RunDate.Expected}.");
        return default;
    }

    private static int? ParseMaxActive(ArgumentResult result)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count >= 1)
        {
            return count;
        }

        result.AddError($"--max-active '{text}' is not a task count; write a whole number from 1 to {int.MaxValue.ToString(CultureInfo.InvariantCulture)}.");
        return null;
    }

    private static Dictionary<string, string> ParseParams(ArgumentResult result)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var token in result.Tokens)
        {
            var eq = token.Value.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                result.AddError($"--param '{token.Value}' is not name=value.");
                continue;
            }

            values[token.Value[..eq]] = token.Value[(eq + 1)..];
        }

        return values;
    }
}
