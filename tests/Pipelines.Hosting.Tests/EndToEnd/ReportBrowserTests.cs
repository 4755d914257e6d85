using System.IO.Compression;
using Microsoft.Playwright;
using Pipelines.Tests.Shared;

namespace Pipelines.Hosting.Tests.EndToEnd;

/// <summary>
/// The run report as a browser shows it: Debian's chromium, headless, driven by Playwright (no browser download). The page
/// is not blank, has one graph node per task, and in a 50-task DAG no two node boxes overlap (their bounding boxes, read
/// in the browser). <c>PIPELINES_UPDATE_SCREENSHOT=1</c> also writes the README's picture, <c>docs/report.png</c>.
/// </summary>
public sealed class ReportBrowserTests : IAsyncLifetime
{
    private const string Chromium = "/usr/bin/chromium";
    private readonly ProjectFolder _project = new("""{ "environments": { "local": { "runtime": "process" } } }""");
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    private IBrowser Browser => _browser ?? throw new InvalidOperationException("not started");

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(Chromium))
        {
            MachineRequirement.Unmet($"no browser at {Chromium} (Debian's chromium: apt-get install chromium; .ci/run installs it)");
        }

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"], // as root, in a container
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        _project.Dispose();
    }

    [Fact]
    public async Task The_report_of_orders_daily_shows_one_node_per_task_and_is_not_blank()
    {
        var file = await ReportAsync(HostProcess.ExamplesHost, "orders_daily");
        var page = await Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        await page.GotoAsync(new Uri(file).AbsoluteUri);

        var nodes = await page.Locator("g.node").CountAsync();
        var bars = await page.Locator("rect.bar").CountAsync();
        var screenshot = await page.ScreenshotAsync(new PageScreenshotOptions { FullPage = false });

        Assert.Equal(5, nodes);
        Assert.Equal(5, bars);
        Assert.True(DistinctColours(screenshot) >= 8, "the screenshot is blank, or nearly");
        if (Environment.GetEnvironmentVariable("PIPELINES_UPDATE_SCREENSHOT") == "1")
        {
            await File.WriteAllBytesAsync(Path.Combine(HostProcess.RepositoryRoot, "docs", "report.png"), screenshot, TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task In_a_50_task_DAG_no_two_node_boxes_overlap_in_the_browser()
    {
        var file = await ReportAsync(HostProcess.TestHost, "fifty_tasks");
        var page = await Browser.NewPageAsync();
        await page.GotoAsync(new Uri(file).AbsoluteUri);

        var boxes = (await page.EvaluateAsync<double[][]>("""
            [...document.querySelectorAll('g.node rect')].map(r => { const b = r.getBoundingClientRect(); return [b.x, b.y, b.width, b.height]; })
            """)).Select(b => new Box(b[0], b[1], b[2], b[3])).ToArray();

        Assert.Equal(50, boxes.Length);
        Assert.All(boxes, b => Assert.True(b.W > 10 && b.H > 10, $"a node box of {b.W}×{b.H}"));
        for (var i = 0; i < boxes.Length; i++)
        {
            for (var j = i + 1; j < boxes.Length; j++)
            {
                var (a, b) = (boxes[i], boxes[j]);
                var overlap = a.X < b.X + b.W && b.X < a.X + a.W && a.Y < b.Y + b.H && b.Y < a.Y + a.H;
                Assert.False(overlap, $"node boxes {i} and {j} overlap: {a} and {b}");
            }
        }
    }

    private async Task<string> ReportAsync(string host, string dag)
    {
        var run = await _project.RunAsync(host, "run", dag, "--date", "2026-11-25", "--plain");
        Assert.True(run.ExitCode == 0, run.ToString());
        var report = await _project.RunAsync(host, "report", dag, "--date", "2026-11-25", "--html", $"{dag}.html");
        Assert.True(report.ExitCode == 0, report.ToString());
        return Path.Combine(_project.Path, $"{dag}.html");
    }

    // How many distinct colours a PNG's pixels hold (8-bit RGB or RGBA, non-interlaced, as chromium writes screenshots).
    private static int DistinctColours(byte[] png)
    {
        var width = ReadInt(png, 16);
        var colourType = png[25];
        var channels = colourType == 6 ? 4 : 3;
        using var idat = new MemoryStream();
        for (var at = 8; at < png.Length;)
        {
            var length = ReadInt(png, at);
            var type = System.Text.Encoding.ASCII.GetString(png, at + 4, 4);
            if (type == "IDAT")
            {
                idat.Write(png, at + 8, length);
            }

            at += 12 + length;
        }

        idat.Position = 0;
        using var inflated = new MemoryStream();
        using (var z = new ZLibStream(idat, CompressionMode.Decompress))
        {
            z.CopyTo(inflated);
        }

        var data = inflated.ToArray();
        var stride = width * channels;
        var previous = new byte[stride];
        var colours = new HashSet<int>();
        for (var row = 0; (row * (stride + 1)) + stride < data.Length + 1 && row * (stride + 1) < data.Length; row++)
        {
            var filter = data[row * (stride + 1)];
            var line = data.AsSpan((row * (stride + 1)) + 1, stride).ToArray();
            for (var i = 0; i < stride; i++)
            {
                int left = i >= channels ? line[i - channels] : 0, up = previous[i], upLeft = i >= channels ? previous[i - channels] : 0;
                line[i] = (byte)(line[i] + filter switch
                {
                    1 => left,
                    2 => up,
                    3 => (left + up) / 2,
                    4 => Paeth(left, up, upLeft),
                    _ => 0,
                });
            }

            for (var i = 0; i + 2 < stride; i += channels)
            {
                colours.Add((line[i] << 16) | (line[i + 1] << 8) | line[i + 2]);
            }

            previous = line;
        }

        return colours.Count;
    }

    private static int Paeth(int a, int b, int c)
    {
        var p = a + b - c;
        var (pa, pb, pc) = (Math.Abs(p - a), Math.Abs(p - b), Math.Abs(p - c));
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static int ReadInt(byte[] bytes, int at) => (bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3];

    private sealed record Box(double X, double Y, double W, double H);
}
