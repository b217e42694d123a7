using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;

namespace KbSr.Charts;

/// <summary>
/// Static images of Plotly figures, drawn by plotly.js itself in a headless Chromium (the distribution's
/// <c>chromium</c> package), so a PNG or SVG looks exactly like the interactive chart. One browser run
/// renders a whole batch: the page draws every figure, asks plotly.js for its SVG and PNG
/// (<c>Plotly.toImage</c>), writes them into the DOM, and Chromium prints the DOM (<c>--dump-dom</c>).
/// No network: plotly.js comes from <see cref="PlotlyJs"/>, and the browser starts with networking features off.
/// </summary>
public static class ChromiumRenderer
{
    /// <summary>Environment variable naming the browser executable when it is not on the PATH.</summary>
    public const string BrowserVariable = "KBSR_CHROMIUM";
    public const string InstallHint = "install Chromium (Debian/Ubuntu: apt-get install chromium) or set KBSR_CHROMIUM to a Chrome/Chromium executable";

    private static readonly string[] Names = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];
    private static readonly Lazy<string?> Located = new(Locate);

    /// <summary>The browser executable, or null when none is installed.</summary>
    public static string? Browser => Located.Value;

    public static bool IsAvailable => Browser is not null;

    /// <summary>How long one batch may take before the browser is stopped.</summary>
    public static TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(120);

    private static string? Locate()
    {
        if (Environment.GetEnvironmentVariable(BrowserVariable) is { Length: > 0 } set)
            return File.Exists(set) ? set : null;
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            foreach (string name in Names)
                if (File.Exists(Path.Combine(dir, name))) return Path.Combine(dir, name);
        return null;
    }

    /// <summary>Renders figures (Plotly figure JSON: data + layout) at the given CSS-pixel sizes.</summary>
    /// <returns>One (PNG bytes, SVG text) per figure, in order.</returns>
    public static IReadOnlyList<(byte[] Png, string Svg)> Render(IReadOnlyList<(string FigureJson, int Width, int Height)> figures, double pngScale = 1)
    {
        if (figures.Count == 0) return [];
        string browser = Browser ?? throw new InvalidOperationException($"Rendering a chart to an image needs a headless browser: {InstallHint}.");
        string work = Path.Combine(Path.GetTempPath(), $"kbsr-render-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        try
        {
            string page = Path.Combine(work, "page.html");
            File.WriteAllText(page, Page(figures, pngScale), new UTF8Encoding(false));
            string dom = RunBrowser(browser, work, page);
            return Parse(dom, figures.Count);
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static string Page(IReadOnlyList<(string FigureJson, int Width, int Height)> figures, double scale)
    {
        var list = new StringBuilder("[");
        for (int i = 0; i < figures.Count; i++)
        {
            if (i > 0) list.Append(',');
            list.Append("{\"f\":").Append(figures[i].FigureJson.Replace("</", "<\\/", StringComparison.Ordinal))
                .Append(",\"w\":").Append(figures[i].Width).Append(",\"h\":").Append(figures[i].Height).Append('}');
        }
        list.Append(']');
        string s = scale.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return "<!DOCTYPE html><html><head><meta charset=\"utf-8\">" + PlotlyJs.InlineScript() + "</head><body><pre id=\"out\"></pre>\n" +
            "<script>(async function(){var figs=" + list + ";var out=[];\n" +
            "for(const x of figs){var d=document.createElement('div');document.body.appendChild(d);\n" +
            " try{var l=Object.assign({},x.f.layout||{},{width:x.w,height:x.h});\n" +
            "  await Plotly.newPlot(d,x.f.data||[],l,{staticPlot:true});\n" +
            "  var svg=await Plotly.toImage(d,{format:'svg',width:x.w,height:x.h});\n" +
            "  var png=await Plotly.toImage(d,{format:'png',width:x.w,height:x.h,scale:" + s + "});\n" +
            "  out.push({svg:svg,png:png});}catch(e){out.push({error:String(e)});}\n" +
            " Plotly.purge(d);d.remove();}\n" +
            "document.getElementById('out').textContent='KBSR-BEGIN'+JSON.stringify(out)+'KBSR-END';})();</script></body></html>";
    }

    private static string RunBrowser(string browser, string work, string page, params string[] output)
    {
        var info = new ProcessStartInfo(browser)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (string a in (string[])["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
                     "--disable-dev-shm-usage", $"--user-data-dir={Path.Combine(work, "profile")}",
                     // Virtual time lets the page's promises and image decoding finish before the DOM is printed.
                     "--virtual-time-budget=60000"])
            info.ArgumentList.Add(a);
        foreach (string a in output.Length > 0 ? output : ["--dump-dom"]) info.ArgumentList.Add(a);
        info.ArgumentList.Add(new Uri(page).AbsoluteUri);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {browser}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            throw new TimeoutException($"{browser} did not finish rendering within {Timeout.TotalSeconds:0} s");
        }
        string dom = stdout.GetAwaiter().GetResult();
        if (output.Length > 0) return dom;
        if (!dom.Contains("KBSR-END", StringComparison.Ordinal))
        {
            string err = stderr.GetAwaiter().GetResult();
            var lastLines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(3);
            throw new InvalidOperationException($"{browser} exited with {process.ExitCode} without rendering the charts: {string.Join(" | ", lastLines)}");
        }
        return dom;
    }

    private static List<(byte[] Png, string Svg)> Parse(string dom, int count)
    {
        int start = dom.IndexOf("KBSR-BEGIN", StringComparison.Ordinal) + "KBSR-BEGIN".Length;
        int end = dom.IndexOf("KBSR-END", start, StringComparison.Ordinal);
        // The DOM printout escapes &, < and > in text; the JSON itself is otherwise verbatim.
        string json = System.Net.WebUtility.HtmlDecode(dom[start..end]);
        var items = JsonNode.Parse(json)?.AsArray() ?? throw new InvalidOperationException("the browser returned no figures");
        if (items.Count != count) throw new InvalidOperationException($"the browser returned {items.Count} figures for {count}");
        var result = new List<(byte[], string)>(count);
        foreach (var item in items)
        {
            if (item?["error"] is { } error) throw new InvalidOperationException($"plotly.js could not draw a figure: {error}");
            string png = item!["png"]!.GetValue<string>(), svg = item["svg"]!.GetValue<string>();
            result.Add((Convert.FromBase64String(png[(png.IndexOf(',', StringComparison.Ordinal) + 1)..]),
                        Uri.UnescapeDataString(svg[(svg.IndexOf(',', StringComparison.Ordinal) + 1)..])));
        }
        return result;
    }

    /// <summary>Prints an SVG figure to a one-page PDF of the figure's size (Chromium's --print-to-pdf).</summary>
    public static byte[] SvgToPdf(string svg, int width, int height)
    {
        string browser = Browser ?? throw new InvalidOperationException($"Writing a PDF needs a headless browser: {InstallHint}.");
        string work = Path.Combine(Path.GetTempPath(), $"kbsr-pdf-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        try
        {
            File.WriteAllText(Path.Combine(work, "figure.svg"), svg, new UTF8Encoding(false));
            string page = Path.Combine(work, "page.html"), pdf = Path.Combine(work, "figure.pdf");
            File.WriteAllText(page, $"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><style>@page{{size:{width}px {height}px;margin:0}}" +
                $"html,body{{margin:0}}img{{display:block;width:{width}px;height:{height}px}}</style></head><body><img src=\"figure.svg\"></body></html>",
                new UTF8Encoding(false));
            RunBrowser(browser, work, page, $"--print-to-pdf={pdf}", "--no-pdf-header-footer");
            return File.Exists(pdf) ? File.ReadAllBytes(pdf) : throw new InvalidOperationException($"{browser} wrote no PDF");
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
