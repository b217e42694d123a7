using System.Text.Json.Nodes;
using Plotly.NET;

namespace KbSr.Charts;

/// <summary>
/// Charts as figures for a report: PNG, SVG or PDF files drawn by the same plotly.js as the interactive chart
/// (<see cref="ChromiumRenderer"/>). <c>chart.SaveFigure("fig.svg")</c> in a notebook cell;
/// <c>kbsr notebook run NB --figures DIR</c> saves every chart of a run.
/// </summary>
public static class Figures
{
    /// <summary>Size of a figure whose layout sets none (CSS pixels).</summary>
    public const int DefaultWidth = 800, DefaultHeight = 500;

    /// <summary>PNG pixels per CSS pixel (2 = sharp in print and on high-density screens).</summary>
    public static double PngScale { get; set; } = 2;

    public static readonly IReadOnlyList<string> Formats = ["png", "svg", "pdf"];

    /// <summary>Writes the chart to <paramref name="path"/>; the extension (.png, .svg, .pdf) picks the format.</summary>
    public static string SaveFigure(this GenericChart chart, string path, int? width = null, int? height = null)
    {
        string format = FormatOf(path);
        string json = chart.ToFigureJson();
        var (w, h) = SizeOf(json, width, height);
        var (png, svg) = ChromiumRenderer.Render([(json, w, h)], PngScale)[0];
        Write(path, format, png, svg, w, h);
        return Path.GetFullPath(path);
    }

    /// <summary>
    /// Writes many figures in one browser run: <c>DIR/NAME.FORMAT</c> for every name and format (default PNG and
    /// SVG). <paramref name="figures"/> are Plotly figure JSON texts (<see cref="ChartStyle.ToFigureJson"/>, or a
    /// notebook's <c>application/vnd.plotly.v1+json</c> output). Returns the files written.
    /// </summary>
    public static IReadOnlyList<string> SaveAll(IEnumerable<(string Name, string FigureJson)> figures, string folder, params string[] formats)
    {
        if (formats.Length == 0) formats = ["png", "svg"];
        foreach (string f in formats)
            if (!Formats.Contains(f)) throw new ArgumentException($"unknown figure format '{f}'; expected one of {string.Join(", ", Formats)}", nameof(formats));
        var list = figures.ToList();
        var sized = list.Select(f => { var (w, h) = SizeOf(f.FigureJson, null, null); return (f.FigureJson, w, h); }).ToList();
        var images = ChromiumRenderer.Render(sized, PngScale);
        var written = new List<string>();
        for (int i = 0; i < list.Count; i++)
            foreach (string format in formats)
            {
                string path = Path.Combine(folder, $"{list[i].Name}.{format}");
                Write(path, format, images[i].Png, images[i].Svg, sized[i].w, sized[i].h);
                written.Add(Path.GetFullPath(path));
            }
        return written;
    }

    /// <summary>Writes charts by name (see <see cref="SaveAll(IEnumerable{ValueTuple{string, string}}, string, string[])"/>).</summary>
    public static IReadOnlyList<string> SaveAll(IEnumerable<(string Name, GenericChart Chart)> charts, string folder, params string[] formats) =>
        SaveAll(charts.Select(c => (c.Name, c.Chart.ToFigureJson())), folder, formats);

    /// <summary>The figure's layout width/height when set, else the defaults; explicit arguments win.</summary>
    public static (int Width, int Height) SizeOf(string figureJson, int? width, int? height)
    {
        var layout = JsonNode.Parse(figureJson)?["layout"];
        int w = width ?? Pixels(layout?["width"]) ?? DefaultWidth, h = height ?? Pixels(layout?["height"]) ?? DefaultHeight;
        if (w <= 0 || h <= 0) throw new ArgumentException($"figure size must be positive, got {w}×{h}");
        return (w, h);
    }

    private static int? Pixels(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue(out double d) && d > 0 ? (int)Math.Round(d) : null;

    private static string FormatOf(string path)
    {
        string ext = Path.GetExtension(path).TrimStart('.').ToLowerInvariant();
        return Formats.Contains(ext) ? ext
            : throw new ArgumentException($"'{path}': a figure file ends in .png, .svg or .pdf", nameof(path));
    }

    private static void Write(string path, string format, byte[] png, string svg, int w, int h)
    {
        switch (format)
        {
            case "png": AtomicFile.WriteAllBytes(path, png); break;
            case "svg": AtomicFile.WriteAllText(path, svg); break;
            default: AtomicFile.WriteAllBytes(path, ChromiumRenderer.SvgToPdf(svg, w, h)); break;
        }
    }
}
