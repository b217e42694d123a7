using System.Text.Json.Nodes;

namespace KbSr.Kernel.Formatting;

/// <summary>
/// Plotly.NET charts (design.md §3.3, §4): <c>application/vnd.plotly.v1+json</c> (rendered offline by
/// VS Code and JupyterLab) plus an HTML fallback that loads plotly.js from the CDN by reference, so a
/// stored notebook does not carry 3 MB of JavaScript per chart.
/// </summary>
public static class PlotlyFormatter
{
    /// <summary>The plotly.js that Plotly.NET 6.0 targets.</summary>
    public const string PlotlyJsUrl = "https://cdn.plot.ly/plotly-2.28.0.min.js";

    internal static void Register() => Formatter.Register<Plotly.NET.GenericChart>(Format);

    public static IDictionary<string, JsonNode>? Format(Plotly.NET.GenericChart chart)
    {
        string json = Plotly.NET.GenericChart.toFigureJson(chart);
        var figure = JsonNode.Parse(json) ?? new JsonObject();
        string id = "plot-" + Guid.NewGuid().ToString("N")[..12];
        string html =
            $"<div id=\"{id}\" style=\"width:100%;height:100%\"></div>\n" +
            "<script type=\"text/javascript\">\n(function () {\n" +
            $"  var figure = {json};\n" +
            $"  function draw() {{ window.Plotly.newPlot('{id}', figure.data, figure.layout || {{}}, figure.config || {{}}); }}\n" +
            "  if (window.Plotly) { draw(); return; }\n" +
            $"  var s = document.createElement('script'); s.src = '{PlotlyJsUrl}'; s.onload = draw; document.head.appendChild(s);\n" +
            "})();\n</script>";
        return new Dictionary<string, JsonNode>
        {
            ["application/vnd.plotly.v1+json"] = figure,
            ["text/html"] = html,
            ["text/plain"] = "Plotly chart",
        };
    }
}
