using System.Text.Json;
using KbSr.Charts;
using static TorchSharp.torch;

namespace KbSr.Tests.Charts;

public class ChartsTests
{
    [Fact]
    public void Heatmap_FigureJsonHoldsTheKernelValuesInRowOrder()
    {
        // a 3×3 "kernel" with distinct values 0.01 … 0.09, row by row
        using var kernel = arange(1, 10, dtype: ScalarType.Float64).div(100).reshape(3, 3);
        string json = KernelCharts.Heatmap(kernel, "k").ToFigureJson();
        using var doc = JsonDocument.Parse(json);
        var trace = doc.RootElement.GetProperty("data")[0];
        Assert.Equal("heatmap", trace.GetProperty("type").GetString());
        var z = trace.GetProperty("z").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();
        Assert.Equal(new[] { 0.01, 0.02, 0.03 }, z[0]);
        Assert.Equal(new[] { 0.04, 0.05, 0.06 }, z[1]);
        Assert.Equal(new[] { 0.07, 0.08, 0.09 }, z[2]);
        Assert.Contains("\"k\"", json);
        // row 0 drawn at the top
        Assert.Equal("reversed", doc.RootElement.GetProperty("layout").GetProperty("yaxis").GetProperty("autorange").GetString());
    }

    [Fact]
    public void Heatmap_OfNonSquareBatch_Throws()
    {
        using var kernels = zeros(2, 3, 3);
        var e = Assert.Throws<ArgumentException>(() => KernelCharts.Heatmap(kernels));
        Assert.Contains("[2,3,3]", e.Message);
    }

    [Fact]
    public void Gallery_HasOneSubplotTitleAndOneTracePerKernel()
    {
        var kernels = Enumerable.Range(0, 7).Select(i => full(5, 5, i / 25.0)).ToList();
        try
        {
            var titles = Enumerable.Range(0, 7).Select(i => $"K_{i}").ToList();
            using var doc = JsonDocument.Parse(KernelCharts.Gallery(kernels, titles, title: "stages").ToFigureJson());
            Assert.Equal(7, doc.RootElement.GetProperty("data").GetArrayLength());
            var annotations = doc.RootElement.GetProperty("layout").GetProperty("annotations").EnumerateArray()
                .Select(a => a.GetProperty("text").GetString() ?? "").ToList();
            Assert.Equal(titles, annotations);
            // 7 kernels at 5 per row → 2 rows
            Assert.Equal(220 * 5, doc.RootElement.GetProperty("layout").GetProperty("width").GetInt32());
            Assert.Equal(220 * 2 + 60, doc.RootElement.GetProperty("layout").GetProperty("height").GetInt32());
            Assert.Throws<ArgumentException>(() => KernelCharts.Gallery(kernels, titles.Take(6).ToList()));
        }
        finally { kernels.ForEach(k => k.Dispose()); }
    }

    [Fact]
    public void GroupedBars_WithMismatchedLengths_ThrowsNamingTheSeries()
    {
        var series = new Dictionary<string, IReadOnlyList<double>> { ["bicubic"] = [30.1, 27.2], ["KB-SR"] = [31.0] };
        var e = Assert.Throws<ArgumentException>(() => CurveCharts.GroupedBars(["Set5", "Set14"], series, "PSNR", "dB"));
        Assert.Contains("'KB-SR'", e.Message);
        Assert.Contains("1 values for 2 categories", e.Message);
    }

    [Fact]
    public void GroupedBars_HasOneBarTracePerSeriesOverTheCategories()
    {
        var series = new Dictionary<string, IReadOnlyList<double>> { ["bicubic"] = [30.1, 27.2], ["KB-SR"] = [31.0, 28.5] };
        using var doc = JsonDocument.Parse(CurveCharts.GroupedBars(["Set5", "Set14"], series, "PSNR", "dB").ToFigureJson());
        var data = doc.RootElement.GetProperty("data");
        Assert.Equal(2, data.GetArrayLength());
        Assert.Equal("KB-SR", data[1].GetProperty("name").GetString());
        Assert.Equal(new[] { 31.0, 28.5 }, data[1].GetProperty("y").EnumerateArray().Select(v => v.GetDouble()));
        Assert.Equal(new[] { "Set5", "Set14" }, data[1].GetProperty("x").EnumerateArray().Select(v => v.GetString()));
    }

    [Theory]
    [InlineData(15)]
    [InlineData(24)]
    public void ChartsOfMoreThanTenSeries_GiveEverySeriesItsOwnColour(int count)
    {
        // plotly.js's default palette has 10 colours: Table 1's 15 rows would otherwise share colours.
        var lines = Enumerable.Range(0, count).ToDictionary(i => $"method {i}", i => ((IReadOnlyList<double>)[0.2, 1.3], (IReadOnlyList<double>)[28.0 + i, 27.0]));
        var bars = Enumerable.Range(0, count).ToDictionary(i => $"method {i}", i => (IReadOnlyList<double>)[28.0 + i]);
        foreach (var (json, colour) in new (string, Func<JsonElement, string?>)[]
                 {
                     (CurveCharts.Lines(lines, "PSNR", "σ", "dB", markers: true).ToFigureJson(), t => t.GetProperty("line").GetProperty("color").GetString()),
                     (CurveCharts.GroupedBars(["Set5"], bars, "PSNR", "dB").ToFigureJson(), t => t.GetProperty("marker").GetProperty("color").GetString()),
                 })
        {
            using var doc = JsonDocument.Parse(json);
            var colours = doc.RootElement.GetProperty("data").EnumerateArray().Select(colour).ToList();
            Assert.Equal(count, colours.Count);
            Assert.Equal(count, colours.Distinct(StringComparer.OrdinalIgnoreCase).Count());
            // plotly.js reads rgba(): series i is palette colour i
            var expected = CurveCharts.WidePalette.Take(count).Select(h =>
                $"rgba({Convert.ToInt32(h[1..3], 16)}, {Convert.ToInt32(h[3..5], 16)}, {Convert.ToInt32(h[5..7], 16)}, 1.0)");
            Assert.Equal(expected, colours);
        }
    }

    [Fact]
    public void ChartsOfTenSeriesOrFewer_LeaveTheColoursToPlotly()
    {
        var bars = Enumerable.Range(0, 10).ToDictionary(i => $"method {i}", i => (IReadOnlyList<double>)[28.0 + i]);
        using var doc = JsonDocument.Parse(CurveCharts.GroupedBars(["Set5"], bars, "PSNR", "dB").ToFigureJson());
        Assert.All(doc.RootElement.GetProperty("data").EnumerateArray(),
            t => Assert.False(t.TryGetProperty("marker", out var m) && m.TryGetProperty("color", out _)));
    }

    [Fact]
    public void ToHtml_InlinesPlotlyJsAndLoadsNothingFromTheNetwork()
    {
        var series = new Dictionary<string, (IReadOnlyList<double>, IReadOnlyList<double>)>
        {
            ["train"] = ([0, 1, 2], [30, 31, 31.5]),
        };
        var chart = CurveCharts.Lines(series, "PSNR", "step", "dB");
        string html = chart.ToHtml();
        Assert.StartsWith("<!DOCTYPE html>", html);                 // a page that opens on its own
        Assert.Contains("\"y\":[30.0,31.0,31.5]", html);
        Assert.Contains("plotly.js v" + PlotlyJs.Version, html);     // the library itself, inlined
        Assert.DoesNotMatch(@"<script[^>]*\ssrc=", html);             // no script loaded from anywhere

        string path = Path.Combine(Path.GetTempPath(), $"kbsr-chart-{Guid.NewGuid():N}.html");
        try
        {
            chart.SaveHtml(path);
            Assert.Equal(html, File.ReadAllText(path));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void HtmlReport_InlinesPlotlyJsOnceAndHasNoCdn()
    {
        var series = new Dictionary<string, (IReadOnlyList<double>, IReadOnlyList<double>)> { ["a"] = ([0, 1], [1, 2]) };
        var report = new HtmlReport("r").Chart(CurveCharts.Lines(series, "one", "x", "y")).Chart(CurveCharts.Lines(series, "two", "x", "y"));
        string html = report.ToHtml();
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(html, @"plotly\.js v2\.28\.0"));
        Assert.DoesNotContain("cdn", html.Replace(PlotlyJs.Source, ""), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotMatch(@"<script[^>]*\ssrc=""https?://", html);
        Assert.Contains("Plotly.newPlot('chart2'", html);
        // A report without charts does not carry plotly.js at all.
        Assert.DoesNotContain("plotly.js v", new HtmlReport("plain").Paragraph("text").ToHtml());
    }

    [Fact]
    public void PlotlyJs_IsTheVersionPlotlyNetTargets()
    {
        Assert.StartsWith("/**\n* plotly.js v2.28.0", PlotlyJs.Source);
        Assert.True(PlotlyJs.Source.Length > 3_000_000, $"plotly.js is {PlotlyJs.Source.Length} characters");
    }

    [Fact]
    public void Lines_WithNoSeries_Throws()
    {
        Assert.Throws<ArgumentException>(() =>
            CurveCharts.Lines(new Dictionary<string, (IReadOnlyList<double>, IReadOnlyList<double>)>(), "t", "x", "y"));
    }
}
