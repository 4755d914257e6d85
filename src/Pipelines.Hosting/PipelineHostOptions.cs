namespace Pipelines.Hosting;

/// <summary>Where a host writes and what it reads from its surroundings; the defaults are the process's.</summary>
public sealed class PipelineHostOptions
{
    /// <summary>Standard output.</summary>
    public TextWriter Out { get; init; } = Console.Out;

    /// <summary>Standard error.</summary>
    public TextWriter Error { get; init; } = Console.Error;

    /// <summary>Where <c>pipelines.json</c> is looked for, walking up.</summary>
    public string WorkingDirectory { get; init; } = Environment.CurrentDirectory;

    /// <summary>Reads an environment variable, such as <c>PIPELINES_ENVIRONMENT</c>.</summary>
    public Func<string, string?> GetEnvironmentVariable { get; init; } = Environment.GetEnvironmentVariable;
}
