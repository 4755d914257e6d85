using System.Globalization;
using System.Text;

namespace Pipelines.Hosting.Reports;

/// <summary>
/// Draws a DAG as a self-contained SVG from its <see cref="GraphLayout"/>: one box per task (the id, truncated with an
/// ellipsis when long, and an optional second line; the full id in a tooltip), edges as arrows. No script and no
/// external reference, so the file can be opened or embedded anywhere.
/// </summary>
internal static class GraphSvg
{
    /// <summary>The fill of a task box when no style is given.</summary>
    public const string NeutralFill = "#e8eef7";

    /// <summary>The most characters of a task id a box shows; a longer id ends with an ellipsis.</summary>
    public const int MaxLabel = 21;

    private static readonly NodeStyle Neutral = new(NeutralFill);

    /// <summary>The SVG of <paramref name="dag"/>; <paramref name="style"/> gives each task id its fill and extra text.</summary>
    public static string Render(Dag dag, Func<string, NodeStyle>? style = null)
    {
        ArgumentNullException.ThrowIfNull(dag);
        return Render(GraphLayout.Of(dag), dag.Id, style);
    }

    /// <summary>The SVG of a layout, titled <paramref name="title"/>.</summary>
    public static string Render(GraphLayout layout, string title, Func<string, NodeStyle>? style = null)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(title);
        var svg = new StringBuilder(512 + (layout.Nodes.Count * 320) + (layout.Edges.Count * 120));
        var width = Number(layout.Width);
        var height = Number(layout.Height);
        svg.Append("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ").Append(width).Append(' ').Append(height)
            .Append("\" width=\"").Append(width).Append("\" height=\"").Append(height)
            .Append("\" font-family=\"ui-sans-serif, system-ui, sans-serif\" font-size=\"12\">\n");
        svg.Append("<title>").Append(Escape(title)).Append("</title>\n");
        svg.Append("<defs>\n")
            .Append("<marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\">")
            .Append("<path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"#6b7a90\"/></marker>\n")
            .Append("<style>.edge{fill:none;stroke:#6b7a90;stroke-width:1.2}.node rect{stroke:#5b6b82;stroke-width:1}")
            .Append(".node .id{font-weight:600;fill:#1f2937}.node .sub{fill:#4b5563;font-size:11px}</style>\n")
            .Append("</defs>\n");

        svg.Append("<g class=\"edges\">\n");
        foreach (var edge in layout.Edges)
        {
            svg.Append("<path class=\"edge\" data-from=\"").Append(Escape(edge.From)).Append("\" data-to=\"").Append(Escape(edge.To)).Append("\" d=\"");
            for (var i = 0; i < edge.Points.Count; i++)
            {
                var (x, y) = edge.Points[i];
                svg.Append(i == 0 ? "M " : " L ").Append(Number(x)).Append(' ').Append(Number(y));
            }

            svg.Append("\" marker-end=\"url(#arrow)\"/>\n");
        }

        svg.Append("</g>\n<g class=\"nodes\">\n");
        foreach (var node in layout.Nodes)
        {
            var look = style?.Invoke(node.TaskId) ?? Neutral;
            var tooltip = look.Title is { Length: > 0 } extra ? node.TaskId + "\n" + extra : node.TaskId;
            var centre = node.X + (node.Width / 2);
            svg.Append("<g class=\"node\" data-task=\"").Append(Escape(node.TaskId)).Append("\"><title>").Append(Escape(tooltip)).Append("</title>")
                .Append("<rect x=\"").Append(Number(node.X)).Append("\" y=\"").Append(Number(node.Y))
                .Append("\" width=\"").Append(Number(node.Width)).Append("\" height=\"").Append(Number(node.Height))
                .Append("\" rx=\"6\" fill=\"").Append(Escape(look.Fill)).Append("\"/>");
            var hasSubtitle = look.Subtitle is { Length: > 0 };
            var idY = hasSubtitle ? node.Y + (node.Height * 0.4) : node.Y + (node.Height / 2);
            svg.Append("<text class=\"id\" x=\"").Append(Number(centre)).Append("\" y=\"").Append(Number(idY))
                .Append("\" text-anchor=\"middle\" dominant-baseline=\"middle\">").Append(Escape(Truncate(node.TaskId, MaxLabel))).Append("</text>");
            if (hasSubtitle)
            {
                svg.Append("<text class=\"sub\" x=\"").Append(Number(centre)).Append("\" y=\"").Append(Number(node.Y + (node.Height * 0.75)))
                    .Append("\" text-anchor=\"middle\" dominant-baseline=\"middle\">").Append(Escape(Truncate(look.Subtitle!, MaxLabel + 4))).Append("</text>");
            }

            svg.Append("</g>\n");
        }

        return svg.Append("</g>\n</svg>\n").ToString();
    }

    /// <summary><paramref name="text"/> cut to <paramref name="max"/> characters, the last an ellipsis, when longer.</summary>
    public static string Truncate(string text, int max) => text.Length <= max ? text : string.Concat(text.AsSpan(0, max - 1), "…");

    /// <summary><paramref name="text"/> escaped for XML text and attribute values.</summary>
    public static string Escape(string text)
    {
        if (text.AsSpan().IndexOfAny("&<>\"'") < 0)
        {
            return text;
        }

        var escaped = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            escaped.Append(c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&apos;",
                _ => null,
            } ?? c.ToString());
        }

        return escaped.ToString();
    }

    private static string Number(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>How <see cref="GraphSvg"/> draws one task.</summary>
    /// <param name="Fill">The box's CSS colour.</param>
    /// <param name="Subtitle">A second short line in the box, such as <c>12.3 s · try 2</c>.</param>
    /// <param name="Title">Extra text for the tooltip, after the task id.</param>
    public sealed record NodeStyle(string Fill, string? Subtitle = null, string? Title = null);
}
