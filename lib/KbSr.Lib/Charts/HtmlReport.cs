using System.Net;
using System.Text;
using KbSr.Imaging;
using Plotly.NET;

namespace KbSr.Charts;

/// <summary>
/// A single-file HTML report: headings, text, tables, images (embedded PNG) and Plotly charts. It works
/// offline: plotly.js (<see cref="PlotlyJs"/>, from Plotly.NET's assembly) is inlined once per page, and only
/// when the page has a chart.
/// </summary>
public sealed class HtmlReport(string title, bool heading = true)
{
    private readonly StringBuilder _body = new();
    private int _charts;

    public HtmlReport Heading(string text)
    {
        _body.Append("<h2>").Append(WebUtility.HtmlEncode(text)).AppendLine("</h2>");
        return this;
    }

    public HtmlReport Paragraph(string text)
    {
        _body.Append("<p>").Append(WebUtility.HtmlEncode(text)).AppendLine("</p>");
        return this;
    }

    /// <summary>A table; the first row is the header.</summary>
    public HtmlReport Table(IReadOnlyList<IReadOnlyList<string>> rows)
    {
        _body.AppendLine("<table>");
        for (int r = 0; r < rows.Count; r++)
        {
            string cell = r == 0 ? "th" : "td";
            _body.Append("<tr>");
            foreach (string value in rows[r]) _body.Append($"<{cell}>").Append(WebUtility.HtmlEncode(value)).Append($"</{cell}>");
            _body.AppendLine("</tr>");
        }
        _body.AppendLine("</table>");
        return this;
    }

    /// <summary>Images side by side with captions, shown pixel-exact (no smoothing) at <paramref name="width"/> CSS pixels.</summary>
    public HtmlReport Images(IEnumerable<(string Caption, RgbImage Image)> images, int width = 256)
    {
        _body.AppendLine("<div class=\"row\">");
        foreach (var (caption, image) in images)
        {
            string data = Convert.ToBase64String(ImageFile.EncodePng(image));
            _body.Append("<figure><img style=\"width:").Append(width).Append("px\" src=\"data:image/png;base64,").Append(data)
                 .Append("\"><figcaption>").Append(WebUtility.HtmlEncode(caption)).AppendLine("</figcaption></figure>");
        }
        _body.AppendLine("</div>");
        return this;
    }

    public HtmlReport Chart(GenericChart chart)
    {
        string id = $"chart{++_charts}";
        _body.Append("<div id=\"").Append(id).AppendLine("\"></div>");
        _body.Append("<script>(function(){var f=").Append(GenericChart.toFigureJson(chart))
             .Append(";if(window.Plotly)Plotly.newPlot('").Append(id).AppendLine("',f.data,f.layout);})();</script>");
        return this;
    }

    public string ToHtml() =>
        $$"""
        <!DOCTYPE html>
        <html><head><meta charset="utf-8"><title>{{WebUtility.HtmlEncode(title)}}</title>
        {{(_charts > 0 ? PlotlyJs.InlineScript() : "")}}
        <style>body{font-family:sans-serif;max-width:1200px;margin:2em auto} table{border-collapse:collapse}
        td,th{border:1px solid #ccc;padding:4px 8px;text-align:right} .row{display:flex;flex-wrap:wrap;gap:8px}
        figure{margin:0} img{image-rendering:pixelated}</style></head>
        <body>{{(heading ? $"<h1>{WebUtility.HtmlEncode(title)}</h1>" : "")}}
        {{_body}}</body></html>
        """;

    public void Save(string path) => AtomicFile.WriteAllText(path, ToHtml());
}
