using System.Text.Json.Nodes;

namespace KbSr.Kernel.Tests.Notebooks;

/// <summary>
/// The notebooks as stored in the repository (what GitHub, nbviewer and an offline VS Code show): every chart
/// carries a static image and loads nothing from the network; plotly.js is stored once.
/// </summary>
public class StoredNotebooksTests
{
    public static TheoryData<string> Notebooks() =>
        new(Directory.GetFiles(Path.Combine(RepoRoot(), "notebooks"), "*.ipynb").Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void ChartOutputs_HaveStaticImages_AndNoNetworkPlotlyJs(string name)
    {
        var doc = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoRoot(), "notebooks", name)))!;
        var outputs = doc["cells"]!.AsArray().SelectMany(c => c?["outputs"] as JsonArray ?? []).Select(o => o!.AsObject()).ToList();
        OfflineCharts.AssertOffline(name, outputs);
    }

    internal static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "KbSr.Lib.sln"))) return dir.FullName;
        throw new InvalidOperationException("repository root not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>What "charts work offline" means for a notebook's outputs.</summary>
internal static class OfflineCharts
{
    public static string Text(JsonNode? n) => n switch
    {
        JsonArray a => string.Concat(a.Select(l => l!.GetValue<string>())),
        JsonValue v => v.GetValue<string>(),
        _ => "",
    };

    public static void AssertOffline(string name, IReadOnlyList<JsonObject> outputs)
    {
        var charts = outputs.Select((o, i) => (o, i)).Where(x => x.o["data"]?["application/vnd.plotly.v1+json"] is not null).ToList();
        Assert.True(charts.Count > 0, $"{name}: no chart outputs");
        // plotly.js itself: one output, inline (the UMD bundle's banner), announcing itself to charts drawn before it.
        var scripts = outputs.Where(o => Text(o["data"]?["text/html"]).Contains("* plotly.js v2.28.0", StringComparison.Ordinal)).ToList();
        string script = Text(Assert.Single(scripts)["data"]!["text/html"]);
        Assert.DoesNotMatch(@"<script[^>]*\ssrc=", script);
        Assert.Contains("kbsr-plotly-ready", script, StringComparison.Ordinal);
        foreach (var (chart, index) in charts)
        {
            string html = Text(chart["data"]!["text/html"]);
            Assert.DoesNotContain("cdn.plot.ly", html, StringComparison.Ordinal);
            Assert.DoesNotMatch(@"<script[^>]*\ssrc=", html);
            Assert.False(html.Contains("https://", StringComparison.Ordinal), $"{name}, output {index}: the chart's HTML names a network URL");
            // The static image, both as a MIME type of its own and inside the HTML for viewers that strip scripts.
            string png = Text(chart["data"]!["image/png"]);
            Assert.True(png.Length > 1000, $"{name}, output {index}: chart without a static image");
            Assert.Equal("iVBORw0KGgo", png[..11]);                       // base64 of the PNG signature
            Assert.Contains("data:image/png;base64," + png[..64], html, StringComparison.Ordinal);
        }
    }

    /// <summary>The same under .NET Interactive, where a chart is one HTML output: one output carries plotly.js
    /// inline (the setup cell's); every chart names no network URL; charts carry their static image inside the HTML
    /// (a live chart updated faster than <c>InteractiveFormatters.StaticImageInterval</c> may skip it, so at least one does).</summary>
    public static void AssertOfflineHtml(string name, IReadOnlyList<JsonObject> outputs)
    {
        var charts = outputs.Select(o => Text(o["data"]?["text/html"])).Where(h => h.Contains("class=\"kbsr-plotly\"", StringComparison.Ordinal)).ToList();
        Assert.True(charts.Count > 0, $"{name}: no chart outputs");
        Assert.Single(outputs, o => Text(o["data"]?["text/html"]).Contains("* plotly.js v2.28.0", StringComparison.Ordinal));
        foreach (string html in charts)
        {
            Assert.DoesNotMatch(@"<script[^>]*\ssrc=", html);
            Assert.DoesNotContain("cdn.plot.ly", html, StringComparison.Ordinal);
            Assert.False(html.Replace(KbSr.Charts.PlotlyJs.Source, "", StringComparison.Ordinal).Contains("https://", StringComparison.Ordinal),
                $"{name}: a chart's HTML names a network URL");
        }
        Assert.Contains(charts, h => h.Contains("data:image/png;base64,iVBORw0KGgo", StringComparison.Ordinal));
    }
}
