using System.Text.Json.Nodes;
using KbSr.Charts;

namespace KbSr.Kernel.Formatting;

/// <summary>
/// Plotly.NET charts (docs/design.md §3.3, §4), offline everywhere:
/// <list type="bullet">
/// <item><c>application/vnd.plotly.v1+json</c>: VS Code and JupyterLab draw it with their own plotly.js;</item>
/// <item><c>text/html</c>: a div drawn by <c>window.Plotly</c>, which the kernel defines once per session by
/// publishing plotly.js (from Plotly.NET's assembly) as its own output when the session's first chart is
/// formatted, as plotly.py's offline mode does (a chart that comes first waits for its ready event). Until the
/// script runs, or where scripts are stripped (GitHub, nbviewer, untrusted notebooks), the div shows the static
/// image;</item>
/// <item><c>image/png</c>: the same chart drawn by plotly.js in a headless browser (<see cref="ChromiumRenderer"/>).</item>
/// </list>
/// </summary>
public static class PlotlyFormatter
{
    private static readonly Lock Gate = new();
    private static bool _delivered;

    /// <summary>Publishes an extra output before the one being formatted (the kernel's display sink).</summary>
    public static Action<JsonObject>? Publish { get; set; }

    /// <summary>Set (per thread) while a live display is updated: the static image waits for the cell's end.</summary>
    [ThreadStatic] internal static bool SkipStaticImage;

    internal static void Register() => Formatter.Register<Plotly.NET.GenericChart>(Format);

    /// <summary>Starts a new session: the next chart publishes plotly.js again (a kernel restart does this).</summary>
    public static void NewSession()
    {
        lock (Gate) _delivered = false;
    }

    /// <summary>The output that defines <c>window.Plotly</c> for the page (no network).</summary>
    public static JsonObject PlotlyJsBundle() => new()
    {
        ["text/html"] = PlotlyJs.InlineScript(),
        ["text/plain"] = $"{PlotlyJsMarker}{PlotlyJs.Version} for the charts below, loaded offline)",
    };

    /// <summary>Marks the output that carries plotly.js (its <c>text/plain</c> starts with this).</summary>
    public const string PlotlyJsMarker = "(plotly.js ";

    public static IDictionary<string, JsonNode>? Format(Plotly.NET.GenericChart chart)
    {
        EnsurePlotlyJs();
        string json = Plotly.NET.GenericChart.toFigureJson(chart);
        var (png, note) = StaticImage(json);
        return FormatFigure(json, png, note);
    }

    /// <summary>The bundle of a Plotly figure (JSON with data and layout), with an optional static PNG (base64).</summary>
    public static Dictionary<string, JsonNode> FormatFigure(string figureJson, string? pngBase64, string? note = null)
    {
        var figure = JsonNode.Parse(figureJson) ?? new JsonObject();
        string html = ChartOutput.Html(figureJson, pngBase64);
        var bundle = new Dictionary<string, JsonNode>
        {
            ["application/vnd.plotly.v1+json"] = figure,
            ["text/html"] = html,
            ["text/plain"] = note is null ? "Plotly chart" : $"Plotly chart ({note})",
        };
        if (pngBase64 is not null) bundle["image/png"] = pngBase64;
        return bundle;
    }

    private static void EnsurePlotlyJs()
    {
        Action<JsonObject>? publish;
        lock (Gate)
        {
            if (_delivered || (publish = Publish) is null) return;
            _delivered = true;
        }
        publish(PlotlyJsBundle());
    }

    private static (string? Base64, string? Note) StaticImage(string figureJson) =>
        SkipStaticImage ? (null, "live; static image when the cell ends") : ChartOutput.StaticPng(figureJson);
}
