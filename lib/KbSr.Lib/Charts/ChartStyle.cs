using Microsoft.FSharp.Core;
using Plotly.NET;
using Plotly.NET.CSharp;

namespace KbSr.Charts;

/// <summary>Small helpers over Plotly.NET 6 so that chart code in this folder reads plainly from C#.</summary>
public static class ChartStyle
{
    /// <summary>Sets the title (Plotly.NET 6 keeps title styling in its F# core).</summary>
    public static GenericChart Titled(this GenericChart chart, string title) =>
        Plotly.NET.Chart.withTitle(title, FSharpOption<Font>.None).Invoke(chart);

    /// <summary>Axis titles.</summary>
    public static GenericChart Axes(this GenericChart chart, string x, string y) =>
        chart.WithXAxisStyle<string, string, string>(TitleText: x).WithYAxisStyle<string, string, string>(TitleText: y);

    /// <summary>A standalone HTML page that works offline: plotly.js is inlined (about 3.6 MB), not loaded from a CDN.</summary>
    public static string ToHtml(this GenericChart chart) =>
        new HtmlReport(TitleOf(chart) ?? "chart", heading: false).Chart(chart).ToHtml();

    /// <summary>The layout's title text, if any.</summary>
    public static string? TitleOf(GenericChart chart)
    {
        var title = System.Text.Json.Nodes.JsonNode.Parse(chart.ToFigureJson())?["layout"]?["title"];
        return title is System.Text.Json.Nodes.JsonValue v ? v.ToString() : title?["text"]?.ToString();
    }

    /// <summary>The figure JSON (data + layout), as Jupyter's <c>application/vnd.plotly.v1+json</c> wants it.</summary>
    public static string ToFigureJson(this GenericChart chart) => GenericChart.toFigureJson(chart);

    /// <summary>Writes the chart as an HTML page, atomically.</summary>
    public static void SaveHtml(this GenericChart chart, string path) =>
        AtomicFile.WriteAllText(path, chart.ToHtml());
}
