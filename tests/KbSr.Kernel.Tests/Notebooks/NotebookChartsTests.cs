using System.Text.Json.Nodes;
using KbSr.Charts;
using KbSr.Kernel.Notebooks;
using Xunit.Abstractions;

namespace KbSr.Kernel.Tests.Notebooks;

/// <summary>Charts of an executed notebook: saved as figures named after their cell, and rewritten for offline viewing.</summary>
public class NotebookChartsTests
{
    // A notebook as an older kernel stored it: cell 2 holds one chart whose HTML loads plotly.js from a CDN.
    private static JsonObject OldNotebook(string title) => new()
    {
        ["nbformat"] = 4, ["nbformat_minor"] = 5, ["metadata"] = new JsonObject(),
        ["cells"] = new JsonArray(
            new JsonObject { ["cell_type"] = "markdown", ["id"] = "a", ["metadata"] = new JsonObject(), ["source"] = "# t" },
            new JsonObject
            {
                ["cell_type"] = "code", ["id"] = "b", ["metadata"] = new JsonObject(), ["execution_count"] = 1, ["source"] = "chart",
                ["outputs"] = new JsonArray(new JsonObject
                {
                    ["output_type"] = "execute_result", ["execution_count"] = 1, ["metadata"] = new JsonObject(),
                    ["data"] = new JsonObject
                    {
                        ["application/vnd.plotly.v1+json"] = JsonNode.Parse(
                            $$$"""{"data":[{"type":"scatter","x":[1,2,3],"y":[2,1,3],"name":"series A"}],"layout":{"title":{"text":"{{{title}}}"},"width":500,"height":300}}"""),
                        ["text/html"] = "<div id=\"p\"></div><script>var s=document.createElement('script');s.src='https://cdn.plot.ly/plotly-2.28.0.min.js';</script>",
                        ["text/plain"] = "Plotly chart",
                    },
                }),
            }),
    };

    private static void RequireBrowser() =>
        TestTools.Require(ChromiumRenderer.IsAvailable, "no headless browser: " + ChromiumRenderer.InstallHint);

    [SkippableFact]
    public void SaveFigures_NamesEachChartAfterItsCell_WithTheChartsContent()
    {
        RequireBrowser();
        string dir = TestTools.NewTempDir();
        try
        {
            string nb = Path.Combine(dir, "nb.ipynb");
            File.WriteAllText(nb, OldNotebook("Kernel error Qx9").ToJsonString());
            var files = NotebookCharts.SaveFigures(nb, Path.Combine(dir, "figures"), "svg", "png");
            Assert.Equal(["cell2.svg", "cell2.png"], files.Select(Path.GetFileName));
            string svg = File.ReadAllText(files[0]);
            Assert.Contains("Kernel error Qx9", svg);
            Assert.Contains("width=\"500\"", svg);
            var png = File.ReadAllBytes(files[1]);
            Assert.Equal(1000, (png[16] << 24) | (png[17] << 16) | (png[18] << 8) | png[19]);   // 500 CSS px × PngScale 2
        }
        finally { Directory.Delete(dir, true); }
    }

    [SkippableFact]
    public void MakeOffline_ReplacesTheCdnHtml_AddsPlotlyJsOnceAndAStaticImage()
    {
        RequireBrowser();
        string dir = TestTools.NewTempDir();
        try
        {
            string nb = Path.Combine(dir, "nb.ipynb");
            File.WriteAllText(nb, OldNotebook("t").ToJsonString());
            Assert.Equal(1, NotebookCharts.MakeOffline(nb));
            Assert.Equal(1, NotebookCharts.MakeOffline(nb));   // idempotent: still one plotly.js output
            var outputs = JsonNode.Parse(File.ReadAllText(nb))!["cells"]![1]!["outputs"]!.AsArray().Select(o => o!.AsObject()).ToList();
            Assert.Equal(2, outputs.Count);
            OfflineCharts.AssertOffline("nb", outputs);
        }
        finally { Directory.Delete(dir, true); }
    }
}
