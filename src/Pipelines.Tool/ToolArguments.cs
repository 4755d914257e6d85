namespace Pipelines.Tool;

/// <summary>
/// Reads the tool's command line: the tool's options (<c>--project</c>, <c>--configuration</c>, <c>--no-build</c>)
/// come before the verb; <c>new</c> is the tool's own verb; every other verb, and everything after it, goes to the
/// host program unchanged (as does everything after <c>--</c>).
/// </summary>
internal static class ToolArguments
{
    public static ToolCommand Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        string? project = null;
        string? configuration = null;
        var noBuild = false;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            switch (arg)
            {
                case "--":
                    return new ToolCommand.Host(project, configuration, noBuild, [.. args.Skip(i + 1)]);
                case "-h" or "-?" or "--help":
                    return new ToolCommand.Help(null, Asked: true);
                case "--version":
                    return new ToolCommand.Version();
                case "--no-build":
                    noBuild = true;
                    continue;
                case "--project" or "--configuration" or "-c":
                    if (i + 1 >= args.Count || args[i + 1].Length == 0)
                    {
                        return new ToolCommand.Invalid($"{arg} needs a value: {(arg == "--project" ? "a project file (*.csproj) or its folder" : "a build configuration, such as Release")}.");
                    }

                    if (arg == "--project")
                    {
                        project = args[++i];
                    }
                    else
                    {
                        configuration = args[++i];
                    }

                    continue;
            }

            if (OptionValue(arg, "--project") is { } projectValue)
            {
                project = projectValue;
                continue;
            }

            if (OptionValue(arg, "--configuration") is { } configurationValue)
            {
                configuration = configurationValue;
                continue;
            }

            if (arg.StartsWith('-'))
            {
                return new ToolCommand.Invalid(
                    $"Unknown option '{arg}'. The tool's options (--project, --configuration, --no-build) come before the verb, a verb's options after it: pipelines [options] <verb> [verb options].");
            }

            if (arg == "new")
            {
                return project is not null || configuration is not null || noBuild
                    ? new ToolCommand.Invalid("'new' writes a project; --project, --configuration and --no-build are for running one.")
                    : ParseNew(args, i + 1);
            }

            return new ToolCommand.Host(project, configuration, noBuild, [.. args.Skip(i)]);
        }

        return new ToolCommand.Help(null, Asked: false);
    }

    private static ToolCommand ParseNew(IReadOnlyList<string> args, int start)
    {
        string? name = null;
        string? output = null;
        var sources = ImmutableArray.CreateBuilder<string>();
        for (var i = start; i < args.Count; i++)
        {
            var arg = args[i];
            switch (arg)
            {
                case "-h" or "-?" or "--help":
                    return new ToolCommand.Help("new", Asked: true);
                case "-o" or "--output" or "--source" or "-n" or "--name":
                    if (i + 1 >= args.Count || args[i + 1].Length == 0)
                    {
                        return new ToolCommand.Invalid($"new: {arg} needs a value.");
                    }

                    var value = args[++i];
                    if (arg is "--source")
                    {
                        sources.Add(value);
                    }
                    else if (arg is "-o" or "--output")
                    {
                        output = value;
                    }
                    else if (name is not null)
                    {
                        return new ToolCommand.Invalid($"new: the name is given twice ('{name}', '{value}').");
                    }
                    else
                    {
                        name = value;
                    }

                    continue;
            }

            if (arg.StartsWith('-'))
            {
                return new ToolCommand.Invalid($"new: unknown option '{arg}'. Usage: pipelines new [NAME] [--output DIR] [--source FEED]");
            }

            if (name is not null)
            {
                return new ToolCommand.Invalid($"new: one name only ('{name}', then '{arg}').");
            }

            name = arg;
        }

        return new ToolCommand.New(name, output, sources.ToImmutable());
    }

    private static string? OptionValue(string arg, string option) =>
        arg.StartsWith(option + "=", StringComparison.Ordinal) && arg.Length > option.Length + 1 ? arg[(option.Length + 1)..] : null;
}
