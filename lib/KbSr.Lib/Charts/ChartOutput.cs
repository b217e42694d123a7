using System.Text.Json.Nodes;

namespace KbSr.Charts;

/// <summary>
/// A chart as a notebook output, the same for every notebook host: an HTML div drawn by <c>window.Plotly</c>
/// (defined once per page by <see cref="PlotlyJs.InlineScript"/>; a chart that comes before it waits for its
/// ready event) that shows the static PNG until then, or for good where scripts are stripped (GitHub, nbviewer,
/// untrusted notebooks).
/// </summary>
public static class ChartOutput
{
    /// <summary>Whether chart outputs carry a static image (off with KBSR_STATIC_CHARTS=0).</summary>
    public static bool StaticImages { get; set; } = Environment.GetEnvironmentVariable("KBSR_STATIC_CHARTS") != "0";

    /// <summary>The HTML of a figure (Plotly figure JSON), with an optional static PNG (base64) as fallback.</summary>
    public static string Html(string figureJson, string? pngBase64)
    {
        var figure = JsonNode.Parse(figureJson) ?? new JsonObject();
        string id = "plot-" + Guid.NewGuid().ToString("N")[..12];
        string fallback = pngBase64 is null ? "" : $"<img alt=\"chart\" style=\"max-width:100%\" src=\"data:image/png;base64,{pngBase64}\">";
        // The figure JSON is a script literal: "</" must not end the script element early.
        string literal = figure.ToJsonString().Replace("</", "<\\/", StringComparison.Ordinal);
        return
            $"<div id=\"{id}\" class=\"kbsr-plotly\">{fallback}</div>\n" +
            "<script type=\"text/javascript\">\n(function () {\n" +
            $"  var figure = {literal};\n" +
            "  function draw() {\n" +
            $"    var el = document.getElementById('{id}'); if (!el) return; el.innerHTML = '';\n" +
            "    window.Plotly.newPlot(el, figure.data, figure.layout || {}, figure.config || {});\n" +
            // plotly.js may arrive later in the page (a live chart's output sits above the one that carries it).
            $"  }}\n  if (window.Plotly) draw(); else window.addEventListener('{PlotlyJs.ReadyEvent}', draw, {{ once: true }});\n" +
            "})();\n</script>";
    }

    /// <summary>The static PNG (base64) of a figure at its layout size, or null with the reason.</summary>
    public static (string? Base64, string? Note) StaticPng(string figureJson)
    {
        if (!StaticImages) return (null, null);
        if (!ChromiumRenderer.IsAvailable) return (null, "no static image: " + ChromiumRenderer.InstallHint);
        try
        {
            var (w, h) = Figures.SizeOf(figureJson, null, null);
            var (png, _) = ChromiumRenderer.Render([(figureJson, w, h)])[0];
            return (Convert.ToBase64String(png), null);
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or IOException)
        {
            return (null, "no static image: " + e.Message);
        }
    }
}
