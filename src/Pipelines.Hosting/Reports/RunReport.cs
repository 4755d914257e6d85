using System.Globalization;
using System.Net;
using System.Text;
using Pipelines.Execution.State;

namespace Pipelines.Hosting.Reports;

/// <summary>
/// One run as a self-contained HTML page — no script, no network, no external file: the DAG as a layered SVG graph with
/// each task coloured by its state (its duration and tries in the box), a Gantt chart of every attempt on one time axis,
/// and per task its output and the tail of its log (logs are stored with secrets masked).
/// </summary>
internal static class RunReport
{
    /// <summary>How many log lines each task shows.</summary>
    public const int LogTail = 40;

    private const double GanttWidth = 900;
    private const double RowHeight = 18;
    private const double LabelWidth = 220;

    /// <summary>The page.</summary>
    public static string Render(Dag dag, DagRunRecord run, IReadOnlyList<TaskInstanceRecord> tasks, IReadOnlyList<AttemptRecord> attempts, Func<AttemptRecord, IReadOnlyList<string>> logTail)
    {
        var states = tasks.ToDictionary(t => t.TaskId, StringComparer.Ordinal);
        var byTask = attempts.GroupBy(a => a.TaskId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.OrderBy(a => a.TryNumber).ToList(), StringComparer.Ordinal);
        var html = new StringBuilder(64 * 1024);
        html.Append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">")
            .Append("<title>").Append(E($"{dag.Id} {run.RunId} — run report")).Append("</title><style>").Append(Css).Append("</style></head><body>\n");
        html.Append("<header><h1>").Append(E(dag.Id)).Append("</h1><p class=\"meta\"><span class=\"state ").Append(CssClass(run.State.ToAirflowName())).Append("\">")
            .Append(E(run.State.ToAirflowName())).Append("</span> ").Append(E(run.RunId)).Append(" · logical date ").Append(Iso(run.LogicalDate))
            .Append(" · runtime ").Append(E(run.Runtime)).Append(" · environment ").Append(E(run.Environment))
            .Append(" · started ").Append(Iso(run.StartedAt)).Append(run.EndedAt is { } ended ? " · ended " + Iso(ended) : string.Empty).Append("</p>")
            .Append("<p class=\"counts\">").Append(E(string.Join(", ", tasks.GroupBy(t => t.State).OrderBy(g => g.Key).Select(g => $"{g.Count()} {g.Key.ToAirflowName()}")))).Append("</p></header>\n");

        html.Append("<section><h2>Graph</h2><div class=\"scroll\">");
        html.Append(GraphSvg.Render(dag, id => Style(id, states, byTask)));
        html.Append("</div></section>\n");

        html.Append("<section><h2>Attempts</h2><div class=\"scroll\">").Append(Gantt(dag, attempts)).Append("</div></section>\n");

        html.Append("<section><h2>Tasks</h2>\n");
        foreach (var id in dag.TopologicalOrder)
        {
            var state = states.TryGetValue(id, out var record) ? record.State.ToAirflowName() : "none";
            var tries = byTask.GetValueOrDefault(id) ?? [];
            var last = tries.LastOrDefault();
            html.Append("<details class=\"task\" id=\"task-").Append(E(id)).Append("\"><summary><span class=\"state ").Append(CssClass(state)).Append("\">").Append(E(state)).Append("</span> ")
                .Append("<b>").Append(E(id)).Append("</b> ").Append(E(Summary(tries))).Append("</summary>");
            if (record?.Reason is { } reason)
            {
                html.Append("<p class=\"reason\">").Append(E(reason)).Append("</p>");
            }

            if (last?.Output is { } output)
            {
                html.Append("<h3>Output</h3><pre>").Append(E(output)).Append("</pre>");
            }

            if (last is not null && logTail(last) is { Count: > 0 } lines)
            {
                html.Append("<h3>Log of try ").Append(last.TryNumber.ToString(CultureInfo.InvariantCulture)).Append(" (last ").Append(lines.Count.ToString(CultureInfo.InvariantCulture)).Append(" lines)</h3><pre>");
                foreach (var line in lines)
                {
                    html.Append(E(line)).Append('\n');
                }

                html.Append("</pre>");
            }

            html.Append("</details>\n");
        }

        html.Append("</section>\n<footer>Made by Pipelines; this page needs no network and runs no script.</footer></body></html>\n");
        return html.ToString();
    }

    /// <summary>The fill of a task's state.</summary>
    public static string Fill(string state) => state switch
    {
        "success" => "#c8e6c9",
        "failed" => "#ffcdd2",
        "upstream_failed" => "#ffe0b2",
        "running" or "queued" or "up_for_retry" => "#bbdefb",
        "skipped" => "#f8bbd0",
        "cancelled" => "#d7ccc8",
        _ => "#eeeeee",
    };

    private static GraphSvg.NodeStyle Style(string id, Dictionary<string, TaskInstanceRecord> states, Dictionary<string, List<AttemptRecord>> byTask)
    {
        var state = states.TryGetValue(id, out var record) ? record.State.ToAirflowName() : "none";
        var tries = byTask.GetValueOrDefault(id) ?? [];
        return new GraphSvg.NodeStyle(Fill(state), Summary(tries), $"{state}{(record?.Reason is { } r ? " — " + r : string.Empty)}"); // the tooltip starts with the id
    }

    private static string Summary(List<AttemptRecord> tries)
    {
        if (tries.Count == 0)
        {
            return "not run";
        }

        var seconds = tries.Sum(a => ((a.EndedAt ?? a.StartedAt) - a.StartedAt).TotalSeconds);
        return $"{Duration(seconds)} · {(tries.Count == 1 ? "1 try" : $"{tries.Count} tries")}";
    }

    // 31 ms, 4.2 s, 95 s: as precise as a glance needs.
    private static string Duration(double seconds) => seconds switch
    {
        < 1 => $"{(seconds * 1000).ToString("0", CultureInfo.InvariantCulture)} ms",
        < 10 => $"{seconds.ToString("0.0", CultureInfo.InvariantCulture)} s",
        _ => $"{seconds.ToString("0", CultureInfo.InvariantCulture)} s",
    };


    // Every attempt on one time axis: a row per task (in the DAG's order), a bar per try, coloured by how it ended.
    private static string Gantt(Dag dag, IReadOnlyList<AttemptRecord> attempts)
    {
        if (attempts.Count == 0)
        {
            return "<p>No attempt ran.</p>";
        }

        var start = attempts.Min(a => a.StartedAt);
        var end = attempts.Max(a => a.EndedAt ?? a.StartedAt);
        var span = Math.Max((end - start).TotalSeconds, 0.001);
        var rows = dag.TopologicalOrder.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => p.i, StringComparer.Ordinal);
        var height = rows.Count * RowHeight + 30;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg class=\"gantt\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{LabelWidth + GanttWidth + 40:0}\" height=\"{height:0}\" viewBox=\"0 0 {LabelWidth + GanttWidth + 40:0} {height:0}\">");
        for (var tick = 0; tick <= 4; tick++)
        {
            var x = LabelWidth + GanttWidth * tick / 4;
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{x:0.#}\" y1=\"0\" x2=\"{x:0.#}\" y2=\"{height - 18:0}\" class=\"grid\"/><text x=\"{x:0.#}\" y=\"{height - 4:0}\" class=\"axis\">+{Duration(span * tick / 4)}</text>");
        }

        foreach (var (id, row) in rows)
        {
            var y = row * RowHeight;
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"4\" y=\"{y + 13:0.#}\" class=\"label\">{E(id.Length > 30 ? id[..29] + "…" : id)}</text>");
        }

        foreach (var a in attempts.Where(a => rows.ContainsKey(a.TaskId)))
        {
            var x = LabelWidth + GanttWidth * (a.StartedAt - start).TotalSeconds / span;
            var w = Math.Max(2, GanttWidth * ((a.EndedAt ?? end) - a.StartedAt).TotalSeconds / span);
            var y = rows[a.TaskId] * RowHeight + 3;
            var state = a.State.ToString().ToLowerInvariant();
            svg.Append(CultureInfo.InvariantCulture, $"<rect class=\"bar\" data-task=\"{E(a.TaskId)}\" x=\"{x:0.##}\" y=\"{y:0.#}\" width=\"{w:0.##}\" height=\"{RowHeight - 6:0}\" fill=\"{Fill(state)}\" stroke=\"#555\" stroke-width=\"0.5\">")
                .Append("<title>").Append(E($"{a.TaskId} try {a.TryNumber}: {state}, {((a.EndedAt ?? end) - a.StartedAt).TotalSeconds:0.###} s{(a.ExitCode is { } c ? $", exit {c}" : string.Empty)}")).Append("</title></rect>");
        }

        return svg.Append("</svg>").ToString();
    }

    private static string Iso(DateTimeOffset time) => E(time.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture));

    private static string CssClass(string state) => state.Replace('_', '-');

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private const string Css = """
        body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#222;background:#fafafa}
        h1{margin:0 0 4px;font-size:22px}h2{font-size:17px;margin:24px 0 8px}h3{font-size:13px;margin:10px 0 4px}
        .meta,.counts{margin:2px 0;color:#555}.scroll{overflow:auto;max-height:80vh;border:1px solid #ddd;background:#fff;padding:8px}
        .state{display:inline-block;padding:0 6px;border-radius:3px;font-size:12px;background:#eee}
        .state.success{background:#c8e6c9}.state.failed{background:#ffcdd2}.state.upstream-failed{background:#ffe0b2}
        .state.running,.state.queued,.state.up-for-retry{background:#bbdefb}.state.skipped{background:#f8bbd0}.state.cancelled{background:#d7ccc8}
        details.task{background:#fff;border:1px solid #ddd;margin:4px 0;padding:4px 8px}summary{cursor:pointer}
        pre{background:#f4f4f4;padding:8px;overflow:auto;max-height:400px;white-space:pre-wrap;word-break:break-all}
        .reason{color:#b71c1c}.gantt .grid{stroke:#e0e0e0}.gantt .axis{font-size:10px;fill:#777;text-anchor:middle}.gantt .label{font-size:11px;fill:#333}
        footer{margin-top:24px;color:#999;font-size:12px}
        """;
}
