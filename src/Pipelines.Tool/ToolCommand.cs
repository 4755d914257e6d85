namespace Pipelines.Tool;

/// <summary>What a command line asks of the tool.</summary>
internal abstract record ToolCommand
{
    private ToolCommand()
    {
    }

    /// <summary>Print the tool's usage (of <c>new</c> when <paramref name="Topic"/> is <c>new</c>); exit 2 unless it was <paramref name="Asked"/> for.</summary>
    public sealed record Help(string? Topic, bool Asked) : ToolCommand;

    /// <summary>Print the tool's version.</summary>
    public sealed record Version : ToolCommand;

    /// <summary>A usage error: exit 2 with the message.</summary>
    public sealed record Invalid(string Message) : ToolCommand;

    /// <summary><c>pipelines new [NAME] [--output DIR] [--source FEED]…</c>.</summary>
    public sealed record New(string? Name, string? Output, ImmutableArray<string> Sources) : ToolCommand;

    /// <summary>Build the project (unless <paramref name="NoBuild"/>) and run its host with <paramref name="Arguments"/>.</summary>
    public sealed record Host(string? Project, string? Configuration, bool NoBuild, ImmutableArray<string> Arguments) : ToolCommand;
}
